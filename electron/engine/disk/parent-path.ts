/**
 * Turns the parent paths a VHD or VHDX child records (Windows relative/absolute paths,
 * Mac file URLs, a bare file name) into one path to open on this machine.
 *
 * Candidates are tried in the order given; the first that exists wins. A Windows absolute
 * path ("C:\vms\base.vhd", "\\?\Volume{...}\base.vhdx") cannot exist here, so its file name
 * is also tried next to the child, which is where a copied chain usually lives. When no
 * candidate exists, the first one is returned so the chain opener reports it as missing.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { localImageOpener } from './image-opener.ts';
import type { ImageOpener } from './image-opener.ts';

/** True for "C:\..." "C:/..." "\\server\..." "\\?\Volume{...}\...". */
function isWindowsAbsolute(path: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

/** A path recorded by Windows or macOS, as a local path (relative ones against childDir). */
function localParentPaths(recorded: string, childDir: string): string[] {
  let path = recorded.trim();
  if (path.length === 0) return [];
  if (path.startsWith('file://')) {
    path = path.slice('file://'.length);
    if (path.startsWith('localhost/')) path = path.slice('localhost'.length);
    try { path = decodeURIComponent(path); } catch { /* keep as recorded */ }
    return [isAbsolute(path) ? path : resolve(childDir, path)];
  }
  if (isWindowsAbsolute(path)) {
    const name = path.split(/[\\/]/).pop() ?? '';
    return name.length > 0 ? [resolve(childDir, name)] : [];
  }
  const posix = path.replace(/\\/g, '/');
  return [isAbsolute(posix) ? posix : resolve(childDir, posix)];
}

async function exists(path: string, opener: ImageOpener): Promise<boolean> {
  try {
    return (await opener.stat(path)).kind === 'file';
  } catch {
    return false;
  }
}

export interface ChosenParent {
  /** Absolute local path to open. */
  path: string;
  /** The path as the child records it. */
  recorded: string;
}

/**
 * The parent file to open: the first candidate that exists, else the first candidate.
 * Returns null when nothing usable was recorded.
 */
export async function chooseParentPath(recorded: readonly string[], childPath: string,
  opener: ImageOpener = localImageOpener): Promise<ChosenParent | null> {
  const childDir = dirname(resolve(childPath));
  const local = recorded.flatMap((text) => localParentPaths(text, childDir).map((path) => ({ path, recorded: text })));
  for (const candidate of local) if (await exists(candidate.path, opener)) return candidate;
  return local[0] ?? null;
}
