/**
 * Decides whether a folder can hold a new vault: it must be empty or not exist, and be
 * on a writable filesystem. Writability is proven by creating and removing a probe file
 * (permission bits lie for root and on network shares).
 */
import { lstat, readdir, open, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { PathCheck } from '../../../shared/contract/models.ts';

export interface VaultPathPlan {
  path: string;
  exists: boolean;
  /** The nearest existing ancestor (the folder itself when it exists). */
  existingAncestor: string;
}

export async function planVaultPath(rawPath: string): Promise<VaultPathPlan> {
  if (rawPath.trim() === '') throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Location is required: choose a folder for the vault.', { field: 'path' });
  if (rawPath.includes('\0')) throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Location contains an invalid character.', { field: 'path' });
  const path = resolve(rawPath);
  const stat = await lstat(path).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : Promise.reject(error)));
  if (stat) {
    if (!stat.isDirectory()) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Location ${path} is a file, not a folder. Choose an empty or new folder.`, { field: 'path' });
    const entries = await readdir(path);
    if (entries.length > 0) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Location ${path} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}). Choose an empty or new folder.`, { field: 'path' });
    await probeWritable(path, path);
    return { path, exists: true, existingAncestor: path };
  }
  let ancestor = dirname(path);
  for (;;) {
    const ancestorStat = await lstat(ancestor).catch(() => null);
    if (ancestorStat) {
      if (!ancestorStat.isDirectory()) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Location ${path} cannot be created: ${ancestor} is a file.`, { field: 'path' });
      break;
    }
    const parent = dirname(ancestor);
    if (parent === ancestor) break;
    ancestor = parent;
  }
  await probeWritable(ancestor, path);
  return { path, exists: false, existingAncestor: ancestor };
}

async function probeWritable(dir: string, target: string): Promise<void> {
  const probe = join(dir, `.labvault-probe-${randomBytes(6).toString('hex')}`);
  try {
    const handle = await open(probe, 'wx');
    await handle.close();
    await rm(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'the filesystem is read-only' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : `${code ?? 'error'}`;
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Location ${target} is not writable (${why} in ${dir}). Choose a folder on a writable drive.`, { field: 'path' });
  }
}

export async function checkVaultPath(rawPath: string): Promise<PathCheck> {
  try {
    const plan = await planVaultPath(rawPath);
    return { path: plan.path, ok: true, message: plan.exists ? 'Empty folder: the vault will be created in it.' : 'New folder: it will be created.' };
  } catch (error) {
    return { path: isAbsolute(rawPath) ? rawPath : resolve(rawPath || '.'), ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
