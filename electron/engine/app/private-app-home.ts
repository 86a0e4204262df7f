/**
 * The app's folder holds machine-local trust (confirmed item files, immutability memory),
 * the catalogs of encrypted vaults and remembered passphrases: only its owner may read it.
 * It is created 0700; an existing one that Labvault made (empty, named "Labvault", or holding
 * known-vaults.json) with group or other bits is tightened to 0700. A folder that does not
 * look like Labvault's, or is not this user's, is left as it is with a warning. Windows has
 * no POSIX modes: there the folder is only created (it inherits the profile folder's ACL).
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { APP_NAME } from './app-home.ts';
import { KNOWN_VAULTS_FILE } from './app-home-files.ts';

const PRIVATE_MODE = 0o700;
const GROUP_OTHER_BITS = 0o077;

export interface AppHomeState {
  path: string;
  created: boolean;
  /** The mode it had before it was tightened to 0700, or null when untouched. */
  tightenedFrom: number | null;
  /** Why an open folder was left open, or null. */
  warning: string | null;
}

function looksLikeLabvaults(dir: string): boolean {
  if (basename(dir) === APP_NAME || existsSync(join(dir, KNOWN_VAULTS_FILE))) return true;
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

/**
 * Creates `dir` 0700 when missing, or tightens Labvault's own folder. Never throws: a folder
 * that cannot be created is reported by the first write into it, as before.
 */
export function ensurePrivateAppHome(dir: string, platform: NodeJS.Platform = process.platform): AppHomeState {
  const state: AppHomeState = { path: dir, created: false, tightenedFrom: null, warning: null };
  try {
    state.created = mkdirSync(dir, { recursive: true, mode: PRIVATE_MODE }) !== undefined;
  } catch {
    return state;
  }
  if (platform === 'win32' || state.created) return state;
  let info;
  try {
    info = statSync(dir);
  } catch {
    return state;
  }
  const mode = info.mode & 0o7777;
  if ((mode & GROUP_OTHER_BITS) === 0) return state;
  const ownedHere = typeof process.getuid !== 'function' || info.uid === process.getuid();
  const shown = `${dir} (mode ${mode.toString(8)})`;
  if (!ownedHere || !looksLikeLabvaults(dir)) {
    state.warning = `Labvault's app folder ${shown} can be read by other users and is not one Labvault created; `
      + 'it holds catalogs and trust decisions: run "chmod 700" on it or point LABVAULT_HOME at a private folder.';
    return state;
  }
  try {
    chmodSync(dir, PRIVATE_MODE);
    state.tightenedFrom = mode;
  } catch (error) {
    state.warning = `Labvault's app folder ${shown} can be read by other users and could not be made private `
      + `(${error instanceof Error ? error.message : String(error)}): run "chmod 700" on it.`;
  }
  return state;
}

/** ensurePrivateAppHome, with a warning that could not be fixed sent to the process's warnings (stderr). */
export function preparePrivateAppHome(dir: string): AppHomeState {
  const state = ensurePrivateAppHome(dir);
  if (state.warning !== null) process.emitWarning(state.warning, 'LabvaultWarning');
  return state;
}
