/**
 * One path on this machine as the file browser shows it: type, size, time, and for a
 * symlink what it says and what it points at now. Read with lstat, never followed blindly.
 */
import { lstat, readlink, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename } from 'node:path';
import type { LocalEntry, LocalEntryType } from '../../../shared/contract/local-files-channels.ts';
import { ioError } from '../fs/io-error.ts';

function typeOf(stats: Stats): LocalEntryType {
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isDirectory()) return 'folder';
  if (stats.isFile()) return 'file';
  return 'other';
}

async function symlinkTarget(path: string): Promise<Pick<LocalEntry, 'linkTarget' | 'targetType'>> {
  const linkTarget = await readlink(path).catch(() => undefined);
  const target = await stat(path).catch(() => null);
  let targetType: LocalEntry['targetType'] = 'missing';
  if (target) targetType = target.isDirectory() ? 'folder' : target.isFile() ? 'file' : 'other';
  return { ...(linkTarget !== undefined ? { linkTarget } : {}), targetType };
}

export function isHiddenName(name: string): boolean {
  return name.startsWith('.');
}

/** The entry for an absolute path; NOT_FOUND / IO_ERROR (permission) naming the path. */
export async function localEntry(path: string, name = basename(path) || path): Promise<LocalEntry> {
  let stats: Stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    throw ioError(path, 'read its details', error);
  }
  const type = typeOf(stats);
  return {
    name,
    path,
    type,
    size: type === 'folder' ? 0 : stats.size,
    mtime: stats.mtime.toISOString(),
    hidden: isHiddenName(name),
    ...(type === 'symlink' ? await symlinkTarget(path) : {}),
  };
}
