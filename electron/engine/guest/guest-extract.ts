/**
 * Writes files and folders out of a guest filesystem into a local folder, never
 * overwriting and never following a link: files are created with O_EXCL | O_NOFOLLOW,
 * folders with mkdir (which fails on anything in the way), symlinks are recreated as
 * symlinks with their stored target (never followed, on the guest or here). All-zero
 * chunks stay holes. Mode (permission bits only, less the umask) and modification time are
 * set on each file's open handle, and on folders after their contents. Hardlinks (the same
 * inode met twice in one call) are recreated as hard links. Devices, FIFOs and sockets are
 * skipped and reported. Every guest name is checked to be one path component.
 */
import { constants, link, lutimes, mkdir, open, symlink, chmod, utimes, lstat } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { isAllZero } from '../bytes/zero-bytes.ts';
import { errnoCode } from '../vault/store/durable-fs.ts';
import { processUmask } from '../restore/restore-target.ts';
import type { GuestEntry } from './guest-filesystem.ts';
import type { ChosenVolume, GuestSession } from './guest-session.ts';

const CREATE_EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
const MAX_DEPTH = 256;
const PERMISSION_BITS = 0o777;

export interface ExtractedItem {
  /** The guest path. */
  path: string;
  /** Where it was written. */
  target: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'skipped';
  size: number;
  reason?: string;
}

function conflict(path: string): LabvaultError {
  return new LabvaultError(ErrorCodes.CONFLICT, `${path} already exists; files get never overwrites a file or follows a link. `
    + 'Choose another folder.', { field: 'to', details: { path } });
}

/** Refuses a guest name that is not exactly one path component on this platform. */
export function checkGuestName(name: string, guestPath: string): void {
  const bad = name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')
    || (process.platform === 'win32' && /[\\:*?"<>|]/.test(name));
  if (bad) {
    throw new LabvaultError(ErrorCodes.GUEST_UNREADABLE, `The guest entry ${JSON.stringify(guestPath)} has a name that cannot be `
      + 'written here safely.', { details: { path: guestPath } });
  }
}

function mtimeOf(entry: GuestEntry): Date {
  return new Date(Number.isFinite(entry.mtimeMs) ? entry.mtimeMs : 0);
}

export class GuestExtractor {
  readonly written: ExtractedItem[] = [];
  private readonly session: GuestSession;
  private readonly volume: ChosenVolume;
  private readonly inodes = new Map<number, string>();
  private readonly umask = processUmask();

  constructor(session: GuestSession, volume: ChosenVolume) {
    this.session = session;
    this.volume = volume;
  }

  /** Writes `guestPath` (a file, folder or symlink) as `targetDir`/its name. */
  async extract(guestPath: string, targetDir: string): Promise<void> {
    const entry = await this.session.stat(this.volume, guestPath);
    const name = entry.name === '/' ? 'root' : entry.name;
    checkGuestName(name, guestPath);
    await this.write(entry, guestPath, join(targetDir, name), 0);
  }

  private async write(entry: GuestEntry, guestPath: string, target: string, depth: number): Promise<void> {
    if (depth > MAX_DEPTH) throw new LabvaultError(ErrorCodes.GUEST_UNREADABLE, `${guestPath} lies deeper than ${MAX_DEPTH} folders.`);
    if (entry.type === 'dir') await this.writeDir(entry, guestPath, target, depth);
    else if (entry.type === 'symlink') await this.writeSymlink(entry, guestPath, target);
    else if (entry.type === 'file') await this.writeFile(entry, guestPath, target);
    else this.written.push({ path: guestPath, target, type: 'skipped', size: 0, reason: 'not a file, folder or symlink (device, FIFO or socket)' });
  }

  private async writeDir(entry: GuestEntry, guestPath: string, target: string, depth: number): Promise<void> {
    try {
      await mkdir(target, { mode: 0o700 });
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') throw conflict(target);
      throw error;
    }
    this.written.push({ path: guestPath, target, type: 'dir', size: 0 });
    for (const child of await this.session.list(this.volume, guestPath)) {
      const childPath = posix.join(guestPath, child.name);
      checkGuestName(child.name, childPath);
      await this.write(child, childPath, join(target, child.name), depth + 1);
    }
    // A folder created here, by this call: a path the guest cannot redirect.
    await chmod(target, (entry.mode & PERMISSION_BITS & ~this.umask) | 0o700);
    await utimes(target, mtimeOf(entry), mtimeOf(entry));
  }

  private async writeSymlink(entry: GuestEntry, guestPath: string, target: string): Promise<void> {
    try {
      await symlink(entry.target ?? '', target);
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') throw conflict(target);
      throw error;
    }
    await lutimes(target, mtimeOf(entry), mtimeOf(entry)).catch(() => undefined);
    this.written.push({ path: guestPath, target, type: 'symlink', size: entry.size });
  }

  private async writeFile(entry: GuestEntry, guestPath: string, target: string): Promise<void> {
    const first = entry.inode === undefined ? undefined : this.inodes.get(entry.inode);
    if (first !== undefined) {
      try {
        await link(first, target);
        this.written.push({ path: guestPath, target, type: 'hardlink', size: entry.size });
        return;
      } catch (error) {
        if (errnoCode(error) === 'EEXIST') throw conflict(target);
        // Hard links not possible here (another filesystem, no permission): write a copy.
      }
    }
    let handle;
    try {
      handle = await open(target, CREATE_EXCLUSIVE, 0o600);
    } catch (error) {
      if (errnoCode(error) === 'EEXIST' || errnoCode(error) === 'ELOOP') throw conflict(target);
      throw error;
    }
    try {
      let position = 0;
      for await (const chunk of this.session.readFile(this.volume, guestPath)) {
        if (!isAllZero(chunk, chunk.length)) await handle.write(chunk, 0, chunk.length, position);
        position += chunk.length;
      }
      await handle.truncate(position);
      await handle.chmod(entry.mode & PERMISSION_BITS & ~this.umask);
      await handle.utimes(mtimeOf(entry), mtimeOf(entry));
    } finally {
      await handle.close();
    }
    if (entry.inode !== undefined) this.inodes.set(entry.inode, target);
    this.written.push({ path: guestPath, target, type: 'file', size: entry.size });
  }
}

/** The names `paths` would take in `targetDir` that exist already (as anything). */
export async function existingTargets(targetDir: string, paths: string[]): Promise<string[]> {
  const existing: string[] = [];
  for (const path of paths) {
    const name = posix.basename(path) || 'root';
    const target = join(targetDir, basename(name));
    if (await lstat(target).then(() => true, () => false)) existing.push(target);
  }
  return existing;
}
