/**
 * Checks candidate files before they are protected: each must be a readable regular file,
 * not protected by another item (in any known vault) and not part of a soft-deleted item.
 * Disk images are detected by content; the parents of differencing disks and the extents
 * of multi-file VMDKs are added, since a child cannot be restored without them.
 */
import { access, constants, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FileCandidate } from '../../../shared/contract/item-models.ts';
import { LabvaultError } from '../../../shared/errors.ts';
import { diskImageInfo } from '../disk/open-disk-image.ts';
import { detectFileRole } from './file-role.ts';
import { unsupportedFormatError } from '../disk/unsupported-formats.ts';

export interface PathOwner {
  vaultName: string;
  itemName: string;
  state: string;
  purgeAt?: string;
}

export type PathOwnerLookup = (path: string) => Promise<PathOwner | null>;

function ownerProblem(owner: PathOwner): string {
  if (owner.state === 'soft-deleted') {
    return `belongs to soft-deleted item "${owner.itemName}" in vault "${owner.vaultName}": undelete it${owner.purgeAt ? ` or wait until it is purged on ${owner.purgeAt}` : ''}`;
  }
  return `already protected as item "${owner.itemName}" in vault "${owner.vaultName}" (a VM is protected in one vault only)`;
}

async function inspectOne(path: string, ownerOf: PathOwnerLookup, addedAsParentOf?: string): Promise<FileCandidate[]> {
  const base = { path, role: 'other' as const, size: 0 };
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return [{ ...base, ok: false, problem: code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? 'error'})`, ...(addedAsParentOf ? { addedAsParentOf } : {}) }];
  }
  if (!info.isFile()) return [{ ...base, ok: false, problem: info.isDirectory() ? 'is a folder: choose the VM files inside it' : 'is not a regular file' }];
  try {
    await access(path, constants.R_OK);
  } catch {
    return [{ ...base, size: info.size, ok: false, problem: 'permission denied: Labvault cannot read it' }];
  }
  let detected;
  try {
    detected = await detectFileRole(path, info.size);
  } catch (error) {
    return [{ ...base, size: info.size, ok: false, problem: `cannot be read (${error instanceof Error ? error.message : String(error)})` }];
  }
  const candidate: FileCandidate = {
    path, role: detected.role, size: info.size, ok: true,
    ...(detected.diskFormat ? { diskFormat: detected.diskFormat } : {}),
    ...(addedAsParentOf ? { addedAsParentOf } : {}),
  };
  const owner = await ownerOf(path);
  if (owner) {
    candidate.ok = false;
    candidate.problem = ownerProblem(owner);
  }
  if (detected.unsupported) {
    candidate.ok = false;
    candidate.problem = unsupportedFormatError(path, detected.unsupported).message;
  }
  const result = [candidate];
  if (detected.role === 'disk' && detected.diskFormat && detected.diskFormat !== 'raw') {
    try {
      const image = await diskImageInfo(path);
      candidate.virtualSize = image.virtualSize;
      const imageFiles = [...(image.files ?? []), ...image.chain.slice(1).map((link) => link.path)];
      const related = new Set<string>(imageFiles.map((file) => resolve(file)));
      related.delete(path);
      for (const file of related) result.push(...(await inspectOne(file, ownerOf, path)));
    } catch (error) {
      // An extent reached from the descriptor that lists it is part of that disk, not a problem.
      if (!(addedAsParentOf !== undefined && isExtentOfLargerDisk(error))) {
        candidate.ok = false;
        candidate.problem = `disk image problem: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
  }
  return result;
}

function isExtentOfLargerDisk(error: unknown): boolean {
  return error instanceof LabvaultError && error.details?.reason === 'vmdk-extent';
}

export async function inspectFiles(paths: string[], ownerOf: PathOwnerLookup): Promise<FileCandidate[]> {
  const seen = new Set<string>();
  const result: FileCandidate[] = [];
  for (const raw of paths) {
    for (const candidate of await inspectOne(resolve(raw), ownerOf)) {
      if (seen.has(candidate.path)) continue;
      seen.add(candidate.path);
      result.push(candidate);
    }
  }
  return result;
}
