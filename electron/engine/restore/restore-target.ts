/**
 * Restore targets: what a restore may write, and how. A manifest comes from the vault
 * folder, which is untrusted input, so:
 * - file names must be what a backup produces (pointFileNames in backup/snapshot-phase.ts):
 *   one path component of [A-Za-z0-9._ -], not starting with '.' (so never '.' or '..');
 *   '/' and '\' are refused on every platform, and on Windows device names (CON, NUL...)
 *   and trailing dots or spaces too;
 * - every target path is resolved inside the real path of the target folder and checked to
 *   stay there;
 * - files are created exclusively (O_EXCL, O_NOFOLLOW): a planted file or symlink is never
 *   followed or replaced;
 * - mode and times are set on the open handle, the mode masked to 0o666 & ~umask (no
 *   setuid, setgid, sticky or execute bits, nothing the user's umask withholds).
 */
import { constants, lstat, mkdir, open, realpath } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { ManifestFile } from '../vault/store/index.ts';
import { errnoCode } from '../vault/store/durable-fs.ts';

/** The characters a backup keeps in a point's file names (pointFileNames). */
const RESTORE_NAME = /^[A-Za-z0-9_ -][A-Za-z0-9._ -]{0,254}$/;
const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
/** Highest mode a restored file can have before the umask. */
const FILE_MODE_MASK = 0o666;
/** The most restrictive umask, used when the process umask cannot be read. */
const FALLBACK_UMASK = 0o077;
/** Largest |milliseconds| a JavaScript Date holds. */
const MAX_DATE_MS = 8.64e15;

/** Reopens a file this restore created, refusing a symlink put in its place. */
const REOPEN_NO_FOLLOW = constants.O_RDWR | (constants.O_NOFOLLOW ?? 0);

function badManifest(manifestPath: string, problem: string, index: number): LabvaultError {
  return new LabvaultError(ErrorCodes.CORRUPT, `Cannot restore: the manifest ${manifestPath} is damaged or crafted: ${problem}. Nothing was written.`, { details: { manifest: manifestPath, fileIndex: index } });
}

/** Why `name` cannot be a restored file's name, or null when it can. */
export function restoreNameProblem(name: unknown, platform: NodeJS.Platform = process.platform): string | null {
  if (typeof name !== 'string') return 'a file name is not a string';
  const shown = JSON.stringify(name).slice(0, 120);
  if (name.includes('/') || name.includes('\\')) return `file name ${shown} has a path separator; a point's files are single names`;
  if (name === '.' || name === '..') return `file name ${shown} names a folder, not a file`;
  if (!RESTORE_NAME.test(name)) return `file name ${shown} is not one a backup writes (letters, digits, '.', '_', '-' and spaces, not starting with '.')`;
  if (platform === 'win32' && (WINDOWS_DEVICE_NAME.test(name) || /[. ]$/.test(name))) return `file name ${shown} is a Windows device name or ends in a dot or space`;
  return null;
}

/**
 * Checks every file of a manifest before anything is written: names (above), mode a
 * permission number, mtime a date. Throws CORRUPT naming the manifest file.
 */
export function checkManifestFiles(files: readonly ManifestFile[], manifestPath: string): void {
  files.forEach((file, index) => {
    const problem = restoreNameProblem(file.path);
    if (problem !== null) throw badManifest(manifestPath, problem, index);
    if (!Number.isSafeInteger(file.mode) || file.mode < 0) throw badManifest(manifestPath, `file ${file.path} has mode ${JSON.stringify(file.mode)}, not a permission number`, index);
    if (typeof file.mtimeMs !== 'number' || !Number.isFinite(file.mtimeMs) || Math.abs(file.mtimeMs) > MAX_DATE_MS) {
      throw badManifest(manifestPath, `file ${file.path} has modification time ${JSON.stringify(file.mtimeMs)}, not a date`, index);
    }
  });
}

let umaskValue: number | undefined;

/** The process umask, read once (process.umask() without an argument is deprecated; tolerate its absence). */
export function processUmask(): number {
  if (umaskValue === undefined) {
    try {
      const read = process.umask();
      umaskValue = Number.isInteger(read) ? read & 0o777 : FALLBACK_UMASK;
    } catch {
      umaskValue = FALLBACK_UMASK;
    }
  }
  return umaskValue;
}

/** A stored mode as a restore applies it: at most rw-rw-rw-, less what the umask withholds. */
export function restoredFileMode(storedMode: number, umask: number = processUmask()): number {
  return storedMode & FILE_MODE_MASK & ~umask;
}

/** Creates the target folder when missing and returns its real path (the root every file must stay in). */
export async function openTargetRoot(targetDir: string): Promise<string> {
  try {
    await mkdir(targetDir, { recursive: true });
    const root = await realpath(targetDir);
    if (!(await lstat(root)).isDirectory()) throw new Error('not a folder');
    return root;
  } catch (error) {
    throw new LabvaultError(ErrorCodes.IO_ERROR, `Cannot use ${targetDir} as the restore target: ${error instanceof Error ? error.message : String(error)}`, { field: 'to' });
  }
}

/** root/name, checked to resolve to a direct child of root (whatever the platform's separators). */
export function targetPathIn(root: string, name: string, manifestPath: string): string {
  const problem = restoreNameProblem(name);
  if (problem !== null) throw badManifest(manifestPath, problem, -1);
  const target = resolve(root, name);
  const rel = relative(root, target);
  if (rel === '' || rel !== name || isAbsolute(rel) || rel.startsWith('..')) {
    throw badManifest(manifestPath, `file name ${JSON.stringify(name)} resolves outside the target folder ${root}`, -1);
  }
  return target;
}

/** The target paths that already exist (as anything, a dangling symlink included). */
export async function existingTargets(targetDir: string, files: readonly ManifestFile[]): Promise<string[]> {
  const existing: string[] = [];
  for (const file of files) {
    const target = join(targetDir, file.path);
    if (await lstat(target).then(() => true, () => false)) existing.push(target);
  }
  return existing;
}

export function targetExistsError(path: string): LabvaultError {
  return new LabvaultError(ErrorCodes.CONFLICT, `${path} already exists; restore never overwrites a file or follows a link. Choose another target.`, { field: 'outPath', details: { path } });
}

/** Opens a file this restore just created (by clone) without following a link put in its place. */
export async function reopenCreated(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, REOPEN_NO_FOLLOW);
  } catch (error) {
    if (errnoCode(error) === 'ELOOP') throw targetExistsError(path);
    throw error;
  }
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw targetExistsError(path);
  }
  return handle;
}
