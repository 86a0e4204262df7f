/**
 * The folders a vault holds are checked when the vault is opened: `data/`, `snapshots/`,
 * their entries and the entries of those (chunk fan-out, manifest and record folders, lock
 * and temp files) must not be symbolic links. Labvault writes, renames and removes files
 * there by derived names; a link planted in a vault folder would lead those writes (or GC's
 * removals) to another folder of this machine. Found one: CORRUPT naming it.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { VAULT_SNAPSHOTS_DIR } from '../backup/snapshot-area.ts';
import { vaultDataDir } from './vault-contents.ts';

/** How deep below each top folder entries are checked (data/chunks/<hh> is depth 2). */
const CHECKED_DEPTH: ReadonlyArray<[folder: (vaultDir: string) => string, depth: number]> = [
  [vaultDataDir, 2],
  [(vaultDir) => join(vaultDir, VAULT_SNAPSHOTS_DIR), 1],
];
/** A vault has at most a few thousand entries at these depths; past this the folder is not a vault's. */
const MAX_ENTRIES = 200_000;

function refuse(path: string, why: string): never {
  throw new LabvaultError(ErrorCodes.CORRUPT,
    `${path} ${why}; a vault holds no links. It was planted in the vault folder: remove it (or restore the vault folder from a copy) before opening the vault.`,
    { details: { path } });
}

export function assertNoLinksInVault(vaultDir: string): void {
  let seen = 0;
  const walk = (dir: string, depth: number): void => {
    if (depth === 0) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      refuse(dir, `cannot be listed (${code ?? String(error)})`);
    }
    for (const entry of entries) {
      seen += 1;
      if (seen > MAX_ENTRIES) refuse(dir, `holds more than ${MAX_ENTRIES} entries at its top levels`);
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) refuse(path, 'is a symbolic link');
      if (entry.isDirectory()) walk(path, depth - 1);
    }
  };
  for (const [folder, depth] of CHECKED_DEPTH) {
    const top = folder(vaultDir);
    let info;
    try {
      info = lstatSync(top);
    } catch {
      continue;
    }
    if (info.isSymbolicLink()) refuse(top, 'is a symbolic link');
    if (!info.isDirectory()) refuse(top, 'is not a folder');
    walk(top, depth);
  }
}
