/**
 * Reading a file that lives in a vault folder. A vault folder is untrusted input (a USB disk
 * from a colleague, a share others can write to), so every read of a file in it goes
 * through here:
 *  - lstat first: only regular files. A FIFO, device, socket, directory or symlink in place
 *    of a vault file is CORRUPT naming the file and what it is (nothing is opened, so a
 *    FIFO cannot hang the read and a device is never touched);
 *  - then open with O_RDONLY | O_NOFOLLOW | O_NONBLOCK and fstat the handle (the file must
 *    still be the regular file lstat saw: same device and inode);
 *  - the size must not exceed the cap of its kind (VAULT_FILE_CAPS), and at most that many
 *    bytes are read even if the file grows meanwhile.
 * So a vault file can never make Labvault hang or allocate what the file asks for.
 * The caps are documented in docs/FORMAT.md ("Threat model", "Size caps").
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Room for a blob's header, nonce and tag around its payload (and future header fields). */
export const BLOB_OVERHEAD_CAP = 4 * KiB;
/** Largest chunk size a vault may have (store-settings.ts MAX_CHUNK_SIZE). */
const MAX_CHUNK = 16 * MiB;

export type VaultFileKind =
  | 'vault-config' | 'record' | 'manifest' | 'tombstone' | 'index' | 'chunk'
  | 'store-lock' | 'phase-lock' | 'scheduler-lock' | 'schedule-slot' | 'gc-epoch' | 'rekey-state';

export interface VaultFileCap {
  /** Largest file accepted, in bytes. */
  bytes: number;
  /** What the file is, in words, for error messages. */
  label: string;
}

/**
 * The one table of size caps. Each is far above what Labvault writes for that kind and far
 * below what could hurt a machine. A chunk's cap is the vault's chunk size plus blob
 * overhead (callers pass it); the table holds the largest possible chunk.
 */
export const VAULT_FILE_CAPS: Readonly<Record<VaultFileKind, VaultFileCap>> = {
  'vault-config': { bytes: 64 * KiB, label: 'vault settings file' },
  record: { bytes: 1 * MiB, label: 'vault record' },
  manifest: { bytes: 16 * MiB, label: 'recovery point manifest' },
  tombstone: { bytes: 4 * KiB, label: 'tombstone' },
  index: { bytes: 256 * MiB + BLOB_OVERHEAD_CAP, label: 'fixed index' },
  chunk: { bytes: MAX_CHUNK + BLOB_OVERHEAD_CAP, label: 'chunk' },
  'store-lock': { bytes: 4 * KiB, label: 'vault lock file' },
  'phase-lock': { bytes: 4 * KiB, label: 'phase lock file' },
  'scheduler-lock': { bytes: 4 * KiB, label: 'scheduler lock file' },
  'schedule-slot': { bytes: 4 * KiB, label: 'schedule slot file' },
  'gc-epoch': { bytes: 256, label: 'GC epoch file' },
  'rekey-state': { bytes: 64 * KiB, label: 'rekey state file' },
};

/** The largest plaintext of an index blob: 8 M chunk ids (8 TiB at 1 MiB chunks). */
export const INDEX_PLAIN_CAP = 256 * MiB;
/** The largest plaintext of a manifest blob, a record or a tombstone (their file caps). */
export const MANIFEST_PLAIN_CAP = 16 * MiB;

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export interface UntrustedReadOptions {
  /** A smaller cap than the kind's (a chunk: the vault's chunk size plus overhead). */
  capBytes?: number;
  /** Read into this buffer when the file fits (the result is then a view of it). */
  scratch?: Buffer;
}

function whatItIs(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

export function corruptVaultFile(path: string, kind: VaultFileKind, problem: string): LabvaultError {
  const { label } = VAULT_FILE_CAPS[kind];
  return new LabvaultError(ErrorCodes.CORRUPT,
    `Vault file ${path} (${label}) is unsafe to read: ${problem}. The vault folder may have been tampered with; `
    + 'remove or replace this file from a good copy of the vault.',
    { details: { path, kind } });
}

function readError(error: unknown, path: string, kind: VaultFileKind): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ELOOP' || code === 'EMLINK') return corruptVaultFile(path, kind, 'it is a symbolic link');
  if (code === 'ENXIO' || code === 'ENODEV') return corruptVaultFile(path, kind, 'it is a socket or device');
  if (code === 'EISDIR') return corruptVaultFile(path, kind, 'it is a directory');
  return error;
}

/** Checks `stats` describe a regular file within `cap` bytes; throws CORRUPT otherwise. */
function checkRegular(stats: Stats, path: string, kind: VaultFileKind, cap: number): void {
  if (!stats.isFile()) throw corruptVaultFile(path, kind, `it is ${whatItIs(stats)}, not a regular file`);
  if (stats.size > cap) throw corruptVaultFile(path, kind, `it holds ${stats.size} bytes, more than the ${cap}-byte limit for this kind of file`);
}

async function readAtMost(handle: FileHandle, length: number, scratch: Buffer | undefined): Promise<Buffer> {
  const buffer = scratch !== undefined && scratch.length >= length ? scratch : Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.subarray(0, done);
}

/**
 * Reads a whole vault file of `kind` as untrusted input. Errors: CORRUPT naming the file
 * for anything that is not a regular file within its cap; ENOENT and other OS errors are
 * passed through unchanged (callers map them to NOT_FOUND, CORRUPT or IO_ERROR as before).
 */
export async function readUntrustedFile(
  path: string, kind: VaultFileKind, options: UntrustedReadOptions = {},
): Promise<Buffer> {
  const cap = Math.min(options.capBytes ?? VAULT_FILE_CAPS[kind].bytes, VAULT_FILE_CAPS[kind].bytes);
  const seen = await lstat(path);
  checkRegular(seen, path, kind, cap);
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    throw readError(error, path, kind);
  }
  try {
    const stats = await handle.stat();
    checkRegular(stats, path, kind, cap);
    if (stats.ino !== seen.ino || stats.dev !== seen.dev) throw corruptVaultFile(path, kind, 'it was replaced while being opened');
    return await readAtMost(handle, Math.min(stats.size, cap), options.scratch);
  } catch (error) {
    throw readError(error, path, kind);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** As readUntrustedFile, decoded as UTF-8 text. */
export async function readUntrustedText(
  path: string, kind: VaultFileKind, options: UntrustedReadOptions = {},
): Promise<string> {
  return (await readUntrustedFile(path, kind, options)).toString('utf8');
}

/**
 * readUntrustedFile, synchronously: the same checks and cap. Only for start-up code that must
 * finish before the process gets back to its event loop (vault/early-key-derivation.ts).
 */
export function readUntrustedFileSync(path: string, kind: VaultFileKind): Buffer {
  const cap = VAULT_FILE_CAPS[kind].bytes;
  const seen = lstatSync(path);
  checkRegular(seen, path, kind, cap);
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw readError(error, path, kind);
  }
  try {
    const stats = fstatSync(fd);
    checkRegular(stats, path, kind, cap);
    if (stats.ino !== seen.ino || stats.dev !== seen.dev) throw corruptVaultFile(path, kind, 'it was replaced while being opened');
    const buffer = Buffer.alloc(Math.min(stats.size, cap));
    let done = 0;
    while (done < buffer.length) {
      const read = readSync(fd, buffer, done, buffer.length - done, done);
      if (read === 0) break;
      done += read;
    }
    return buffer.subarray(0, done);
  } catch (error) {
    throw readError(error, path, kind);
  } finally {
    closeSync(fd);
  }
}
