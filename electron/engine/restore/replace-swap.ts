/**
 * The file steps of a replace, each one atomic at the original's path, so the original
 * path always holds either the old file or the new one, never a torn one:
 *
 * - swap: the original is kept as a hard link `old` (same folder, same inode: no copy),
 *   then the staged `temp` is renamed over the original (rename(2) replaces atomically),
 *   then the folder is fsynced. Where hard links are refused (FAT, exFAT, some network
 *   shares) the original is renamed to `old` instead: the original path is then missing
 *   for the instant between the two renames, and the journal still knows both files.
 * - undo: `old` is renamed back over the original (atomic again); a temp is removed.
 * - commit: `old` is removed once every file is swapped.
 *
 * Steps are idempotent: a step interrupted anywhere can be taken again (resume) or undone.
 */
import { link, lstat, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir, errnoCode } from '../vault/store/durable-fs.ts';
import type { ReplaceJournalFile } from './replace-journal.ts';

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK', 'ENOSYS']);

async function inode(path: string): Promise<{ ino: number; dev: number } | null> {
  try {
    const info = await lstat(path);
    return { ino: info.ino, dev: info.dev };
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
}

function sameFile(a: { ino: number; dev: number } | null, b: { ino: number; dev: number } | null): boolean {
  return a !== null && b !== null && a.ino === b.ino && a.dev === b.dev;
}

/** Keeps the original as `old` (hard link, or rename where links are refused). */
async function keepOld(file: ReplaceJournalFile): Promise<void> {
  const [target, old] = await Promise.all([inode(file.target), inode(file.old)]);
  if (old !== null) return; // kept by an earlier, interrupted attempt
  if (target === null) return; // nothing to keep (the original was already moved aside)
  try {
    await link(file.target, file.old);
  } catch (error) {
    if (!NO_HARD_LINKS.has(errnoCode(error) ?? '')) throw error;
    await rename(file.target, file.old);
  }
}

/** True when the staged file was already renamed over the original (temp gone, old kept). */
export async function wasSwapped(file: ReplaceJournalFile): Promise<boolean> {
  const [temp, old, target] = await Promise.all([inode(file.temp), inode(file.old), inode(file.target)]);
  return temp === null && old !== null && target !== null && !sameFile(old, target);
}

/** Puts the staged file in place of the original. */
export async function swapIn(file: ReplaceJournalFile): Promise<void> {
  if (await wasSwapped(file)) return;
  await keepOld(file);
  await rename(file.temp, file.target);
  await fsyncDir(dirname(file.target));
}

/** Puts the original back (when it was swapped or moved aside) and removes the staged file. */
export async function swapOut(file: ReplaceJournalFile): Promise<void> {
  const [old, target] = await Promise.all([inode(file.old), inode(file.target)]);
  if (old !== null) {
    if (sameFile(old, target)) await rm(file.old, { force: true }); // linked, never swapped
    else await rename(file.old, file.target);
  }
  await rm(file.temp, { force: true });
  await fsyncDir(dirname(file.target));
}

/** Removes what a committed swap left: the old file (and a stray temp). */
export async function dropOld(file: ReplaceJournalFile): Promise<void> {
  await rm(file.old, { force: true });
  await rm(file.temp, { force: true });
  await fsyncDir(dirname(file.target));
}
