/**
 * Paths typed into the file browser: absolute only (relative paths would be read against
 * the server's working folder, which the user cannot see), normalised, with a leading "~"
 * meaning the home folder of the user running Labvault.
 */
import { homedir } from 'node:os';
import { isAbsolute, resolve, dirname, parse } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';

export function absoluteLocalPath(typed: string, field = 'path'): string {
  const trimmed = typed.trim();
  if (trimmed === '') throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Type a path.', { field });
  if (trimmed.includes('\0')) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'A path cannot contain a NUL character.', { field });
  }
  const expanded = trimmed === '~' || trimmed.startsWith('~/') ? homedir() + trimmed.slice(1) : trimmed;
  if (!isAbsolute(expanded)) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT,
      `"${trimmed}" is not a full path: start it at the root (such as ${parse(homedir()).root}) or with ~ for `
      + 'your home folder.', { field });
  }
  return resolve(expanded);
}

/** The parent folder, or null at a root. */
export function parentFolder(path: string): string | null {
  const up = dirname(path);
  return up === path ? null : up;
}
