/**
 * Stable error codes. Every error the engine reports carries one of these codes and a
 * message a user can act on. Codes are a public interface (CLI --json, IPC): never rename.
 */
export const ErrorCodes = {
  /** Input broke a rule (name, date, number range...). CLI exit code 2. */
  INVALID_INPUT: 'INVALID_INPUT',
  /** A thing named by the user does not exist. CLI exit code 2. */
  NOT_FOUND: 'NOT_FOUND',
  /** The request conflicts with current state (duplicate name, non-empty dir...). CLI exit 2. */
  CONFLICT: 'CONFLICT',
  /** A vault rule (immutability, soft delete, retention) refuses the operation. CLI exit 2. */
  RULE_VIOLATION: 'RULE_VIOLATION',
  /** Wrong or missing passphrase for an encrypted vault. CLI exit 2. */
  BAD_PASSPHRASE: 'BAD_PASSPHRASE',
  /** A file could not be read or written (permissions, missing path). */
  IO_ERROR: 'IO_ERROR',
  /** The filesystem is full. */
  DISK_FULL: 'DISK_FULL',
  /** Another process holds the vault lock. */
  VAULT_LOCKED: 'VAULT_LOCKED',
  /** Vault data is damaged (bad magic, bad digest, missing chunk...). CLI exit 3. */
  CORRUPT: 'CORRUPT',
  /** A disk image is malformed or uses a feature we refuse (encryption...). */
  BAD_IMAGE: 'BAD_IMAGE',
  /** Disk image feature we do not support. */
  UNSUPPORTED: 'UNSUPPORTED',
  /** A filesystem, partition table or volume inside a guest disk is damaged or crafted (names the structure). */
  GUEST_UNREADABLE: 'GUEST_UNREADABLE',
  /** A bounded operation (a guest walk) ran past its time or memory bound and was stopped. */
  TIMEOUT: 'TIMEOUT',
  /** A backup's source files changed during capture and nothing froze them. Retry. */
  SOURCE_CHANGED: 'SOURCE_CHANGED',
  /** An item's pre-backup script failed or ran past its timeout; nothing was captured. */
  SCRIPT_FAILED: 'SCRIPT_FAILED',
  /** The operation was cancelled by the user. */
  CANCELLED: 'CANCELLED',
  /** Browser host: missing or wrong token. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** Anything unexpected. */
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  /** The input field or file field the error is about, when there is one. */
  field?: string;
  /** Extra machine-readable facts (file path, digest, blockers...). */
  details?: Record<string, unknown>;
}

export class LabvaultError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { field?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LabvaultError';
    this.code = code;
    this.field = options.field;
    this.details = options.details;
  }

  toInfo(): ErrorInfo {
    const info: ErrorInfo = { code: this.code, message: this.message };
    if (this.field !== undefined) info.field = this.field;
    if (this.details !== undefined) info.details = this.details;
    return info;
  }
}

/** Codes that mean "the user asked for something invalid": CLI exit code 2. */
export const USER_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCodes.INVALID_INPUT,
  ErrorCodes.NOT_FOUND,
  ErrorCodes.CONFLICT,
  ErrorCodes.RULE_VIOLATION,
  ErrorCodes.BAD_PASSPHRASE,
]);

export function isLabvaultError(value: unknown): value is LabvaultError {
  return value instanceof LabvaultError;
}

export function invalidInput(field: string, message: string): LabvaultError {
  return new LabvaultError(ErrorCodes.INVALID_INPUT, message, { field });
}
