/**
 * Small durable-file primitives: fsync of files and directories, atomic replace
 * (temp + fsync + rename + directory fsync), and mapping of OS errors to LabvaultError.
 */
import { open, rename, mkdir, rm, link } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, basename } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import { TMP_PREFIX } from './store-layout.ts';

export function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/** Wraps an fs error: ENOSPC/EDQUOT become DISK_FULL, everything else IO_ERROR. */
export function storeIoError(path: string, action: string, error: unknown): LabvaultError {
  if (error instanceof LabvaultError) return error;
  const code = errnoCode(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new LabvaultError(ErrorCodes.DISK_FULL, `The vault disk is full: could not ${action} ${path}. Free space or choose another vault location; nothing already stored was changed.`, { details: { path }, cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new LabvaultError(ErrorCodes.IO_ERROR, `Could not ${action} ${path}: ${reason}`, { details: { path, errno: code }, cause: error });
}

export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync a directory so the renames and creations inside it survive a power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  try {
    await fsyncPath(dir);
  } catch (error) {
    // Some filesystems refuse fsync on directories (EINVAL/EISDIR): nothing more to do there.
    const code = errnoCode(error);
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EBADF') throw storeIoError(dir, 'sync directory', error);
  }
}

export function tempNameFor(tmpDir: string, path: string): string {
  return join(tmpDir, `${TMP_PREFIX}${basename(path)}-${randomBytes(6).toString('hex')}`);
}

export interface DurableWriteOptions {
  /** Directory for the temp file; must be on the same filesystem as `path`. */
  tmpDir: string;
  /** Create the parent directory of `path` first. */
  createDir?: boolean;
  /** Refuse (CONFLICT) when `path` exists, atomically (link instead of rename). */
  noReplace?: boolean;
  /** Create the file read-only (committed vault files are never modified). */
  readOnly?: boolean;
}

/**
 * Mode of committed vault files: read-only, so no tool (or mistake) modifies them in place.
 * Deleting stays a directory operation. Not applied on Windows, where a read-only
 * attribute would also block deletion by GC.
 */
export const COMMITTED_FILE_MODE = process.platform === 'win32' ? 0o666 : 0o444;

/**
 * Writes `data` to `path` atomically: a temp file, fsync, rename (or link with noReplace),
 * fsync of the directory. Readers see the old file or the new one, never a part.
 */
export async function writeFileDurable(path: string, data: Uint8Array, options: DurableWriteOptions): Promise<void> {
  const dir = dirname(path);
  if (options.createDir === true) await mkdir(dir, { recursive: true }).catch((error: unknown) => { throw storeIoError(dir, 'create directory', error); });
  const tmp = tempNameFor(options.tmpDir, path);
  try {
    const handle = await open(tmp, 'wx', options.readOnly === true ? COMMITTED_FILE_MODE : 0o666);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.noReplace === true) {
      await link(tmp, path);
      await rm(tmp, { force: true });
    } else {
      await rename(tmp, path);
    }
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    if (options.noReplace === true && errnoCode(error) === 'EEXIST') {
      throw new LabvaultError(ErrorCodes.CONFLICT, `${path} already exists; vault files are never overwritten.`, { details: { path } });
    }
    throw storeIoError(path, 'write', error);
  }
  await fsyncDir(dir);
}
