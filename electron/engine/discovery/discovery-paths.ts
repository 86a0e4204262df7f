/**
 * Paths as discovery reports them: absolute, on this machine. With `root` (another
 * machine's disk mounted at DIR), an absolute path written inside a config ("/var/lib/...",
 * "C:\Users\...") is looked for under DIR, as if DIR were that machine's `/` (or its C:).
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

const WINDOWS_ABSOLUTE = /^[A-Za-z]:[\\/]/;

/** True for a path a Windows host wrote (drive letter, or backslashes only). */
function isWindowsStyle(path: string): boolean {
  return WINDOWS_ABSOLUTE.test(path) || (path.includes('\\') && !path.includes('/'));
}

/** A path from a config in this platform's separators (Windows drive letter kept). */
export function normalizeConfigPath(path: string): string {
  if (sep === '\\' || !isWindowsStyle(path)) return path;
  return path.replaceAll('\\', '/');
}

/** True when `path` (as written in a config) is absolute on the machine that wrote it. */
export function isConfigPathAbsolute(path: string): boolean {
  return isAbsolute(path) || WINDOWS_ABSOLUTE.test(path) || path.startsWith('\\\\');
}

/** `path` under `root` (unchanged when it is already under it, or when there is no root). */
export function underRoot(path: string, root: string | undefined): string {
  const normalized = normalizeConfigPath(path);
  if (root === undefined) return resolve(normalized);
  const base = resolve(root);
  if (resolve(normalized) === base || resolve(normalized).startsWith(base + sep)) return resolve(normalized);
  const withoutDrive = normalized.replace(/^[A-Za-z]:(?=[\\/])/, '');
  // Resolved against `/` first, so `..` stops at the other machine's root and never leaves `base`.
  return join(base, resolve(sep, withoutDrive));
}

/**
 * Where a path written inside a config lives here: relative paths from `baseDir` (the
 * config's folder, already on this machine), absolute ones mapped under `root`.
 */
export function configPathHere(written: string, baseDir: string, root: string | undefined): string {
  const normalized = normalizeConfigPath(written.trim());
  if (isConfigPathAbsolute(normalized)) return underRoot(normalized, root);
  if (root === undefined) return resolve(baseDir, normalized);
  const base = resolve(root);
  const inside = relative(base, resolve(baseDir));
  if (inside.startsWith('..') || isAbsolute(inside)) return resolve(baseDir, normalized);
  // `..` climbs no higher than the other machine's `/`, as it would there.
  return join(base, resolve(sep, inside, normalized));
}
