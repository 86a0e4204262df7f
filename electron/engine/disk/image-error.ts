/**
 * Builders for the errors disk image readers throw: every one carries a stable code, the
 * image file and the on-disk field involved, so a user (and a test) can see what is wrong.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { ErrorCode } from '../../../shared/errors.ts';

export interface ImageErrorSource {
  /** Path of the image file. */
  file: string;
  /** On-disk field, e.g. 'qcow2.header.l1_table_offset' or 'L2 table entry 12'. */
  field?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export function imageError(code: ErrorCode, message: string, source: ImageErrorSource): LabvaultError {
  const details: Record<string, unknown> = { file: source.file, ...source.details };
  const options: { field?: string; details: Record<string, unknown>; cause?: unknown } = { details };
  if (source.field !== undefined) options.field = source.field;
  if (source.cause !== undefined) options.cause = source.cause;
  return new LabvaultError(code, message, options);
}

/** The image is malformed: a field is out of range, a structure is damaged. */
export function badImage(
  file: string, field: string, problem: string, details?: Record<string, unknown>,
): LabvaultError {
  const source: ImageErrorSource = { file, field };
  if (details !== undefined) source.details = details;
  return imageError(ErrorCodes.BAD_IMAGE, `${file}: ${field}: ${problem}`, source);
}

/** The image uses a feature we do not read (encryption, unknown incompatible feature...). */
export function unsupportedImage(
  file: string, field: string, problem: string, details?: Record<string, unknown>,
): LabvaultError {
  const source: ImageErrorSource = { file, field };
  if (details !== undefined) source.details = details;
  return imageError(ErrorCodes.UNSUPPORTED, `${file}: ${field}: ${problem}`, source);
}

/** A structure claims bytes past the end of the file. */
export function truncatedImage(
  file: string, field: string, offset: number, length: number, fileSize: number,
): LabvaultError {
  return badImage(file, field, `image is truncated: ${length} bytes at offset ${offset} lie past the end of the file (${fileSize} bytes)`, {
    offset,
    length,
    fileSize,
    reason: 'truncated',
  });
}
