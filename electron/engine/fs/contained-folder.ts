/**
 * Folders the engine derives below a root it trusts (the vault folder the user chose, the
 * app's folder, a VM's folder): each component below the root is checked with lstat to be
 * a real folder, never a symbolic link, and the realpath must be the expected path inside
 * the root's realpath. A vault folder is untrusted input: a link planted at
 * <vault>/snapshots/<itemId> must not lead a write or a removal elsewhere.
 */
import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';

export type FolderProbe =
  | { kind: 'absent' }
  | { kind: 'folder'; path: string }
  | { kind: 'unsafe'; path: string; why: string };

function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'EIO';
}

/** Walks root/parts with lstat: absent, a real folder inside the root, or unsafe (and why). */
export function probeContainedFolder(root: string, parts: readonly string[]): FolderProbe {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return { kind: 'absent' };
  }
  let path = root;
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..' || part.includes('/') || part.includes('\\') || part.includes('\0')) {
      return { kind: 'unsafe', path: join(path, part), why: 'is not a single folder name' };
    }
    path = join(path, part);
    let info;
    try {
      info = lstatSync(path);
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return { kind: 'absent' };
      return { kind: 'unsafe', path, why: `cannot be checked (${errnoOf(error)})` };
    }
    if (info.isSymbolicLink()) return { kind: 'unsafe', path, why: 'is a symbolic link' };
    if (!info.isDirectory()) return { kind: 'unsafe', path, why: 'is not a folder' };
  }
  let real: string;
  try {
    real = realpathSync(path);
  } catch (error) {
    return { kind: 'unsafe', path, why: `cannot be resolved (${errnoOf(error)})` };
  }
  if (real !== join(realRoot, ...parts)) return { kind: 'unsafe', path, why: `resolves to ${real}, outside ${realRoot}` };
  return { kind: 'folder', path };
}

export function unsafeFolderError(found: { path: string; why: string }, action: string): LabvaultError {
  return new LabvaultError(ErrorCodes.CORRUPT,
    `${found.path} ${found.why}: Labvault only ${action} real folders inside the folder it derives them from. `
    + 'Remove it by hand if you did not make it.',
    { details: { path: found.path } });
}

/** Makes root/parts one component at a time (each checked first); returns the folder's path. */
export function ensureContainedFolder(root: string, parts: readonly string[], action: string, mode = 0o700): string {
  for (let depth = 1; depth <= parts.length; depth += 1) {
    const found = probeContainedFolder(root, parts.slice(0, depth));
    if (found.kind === 'unsafe') throw unsafeFolderError(found, action);
    if (found.kind === 'absent') {
      try {
        mkdirSync(join(root, ...parts.slice(0, depth)), { mode });
      } catch (error) {
        if (errnoOf(error) !== 'EEXIST') throw error;
      }
    }
  }
  const made = probeContainedFolder(root, parts);
  if (made.kind === 'folder') return made.path;
  throw unsafeFolderError(made.kind === 'unsafe' ? made : { path: join(root, ...parts), why: 'vanished while it was made' }, action);
}
