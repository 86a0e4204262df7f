/**
 * Opens a vault's SQLite catalog (better-sqlite3, WAL) and creates its schema.
 */
import Database from 'better-sqlite3';
import { lstatSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { VAULT_FILE } from '../vault/vault-config.ts';
import { isUuid } from '../vault/vault-ids.ts';
import { CATALOG_FILE, CATALOG_SCHEMA, CATALOG_SCHEMA_VERSION } from './catalog-schema.ts';
import { EXTERNAL_CATALOGS_DIR } from '../app/app-home-files.ts';

export { EXTERNAL_CATALOGS_DIR } from '../app/app-home-files.ts';
/** Files SQLite keeps beside a database. */
export const CATALOG_SIDE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

export type CatalogDb = Database.Database;

export function catalogPath(vaultDir: string): string {
  return join(vaultDir, CATALOG_FILE);
}

/**
 * Where a vault's catalog lives: inside the vault, except for encrypted vaults, whose
 * catalog (names, VM paths) stays in the app's data folder so the vault folder holds no
 * plaintext metadata. Either way it is rebuilt from the vault's files when missing.
 */
export function catalogLocation(vaultDir: string, vaultId: string, encrypted: boolean, appHome: string): string {
  return encrypted ? externalCatalogPath(appHome, vaultId, join(vaultDir, VAULT_FILE)) : catalogPath(vaultDir);
}

/**
 * <appHome>/catalogs/<vaultId>.sqlite. The id comes from a vault's vault.json (untrusted) or
 * the known-vaults list: it must be a UUID (else CORRUPT naming `source`, the file it came
 * from) and the path must stay inside <appHome>/catalogs, so no SQLite file elsewhere is
 * ever opened, converted or removed.
 */
export function externalCatalogPath(appHome: string, vaultId: string, source: string): string {
  if (!isUuid(vaultId)) {
    throw new LabvaultError(ErrorCodes.CORRUPT,
      `${source} is damaged: its vault id ${JSON.stringify(String(vaultId).slice(0, 80))} is not a UUID (the catalog of an encrypted vault is named after it; Labvault refuses to use it).`,
      { details: { path: source } });
  }
  const dir = resolve(appHome, EXTERNAL_CATALOGS_DIR);
  const path = resolve(dir, `${vaultId}.sqlite`);
  if (dirname(path) !== dir) {
    throw new LabvaultError(ErrorCodes.CORRUPT, `${source}: the catalog path ${path} would leave ${dir}.`, { details: { path: source } });
  }
  return path;
}

/**
 * A catalog file (or its -wal/-shm/-journal) that exists must be a regular file with one
 * link: a symbolic or hard link planted in a vault folder must not make SQLite write to
 * another program's database.
 */
function assertPlainCatalogFiles(path: string): void {
  for (const file of [path, ...CATALOG_SIDE_SUFFIXES.map((suffix) => `${path}${suffix}`)]) {
    let info;
    try {
      info = lstatSync(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      throw new LabvaultError(ErrorCodes.CORRUPT, `The catalog file ${file} cannot be checked (${code ?? String(error)}).`, { details: { path }, cause: error });
    }
    const why = info.isSymbolicLink() ? 'is a symbolic link' : !info.isFile() ? 'is not a regular file' : info.nlink > 1 ? `has ${info.nlink} hard links` : null;
    if (why) {
      throw new LabvaultError(ErrorCodes.CORRUPT,
        `The catalog file ${file} ${why}; Labvault only opens a catalog it owns. Remove it (or run "labvault vault rebuild-catalog"), the catalog is rebuilt from the vault's files.`,
        { details: { path } });
    }
  }
}

/** Opens the catalog at `path` (normally catalogPath(vaultDir); see catalogLocation). */
export function openCatalog(path: string): CatalogDb {
  let db: CatalogDb;
  assertPlainCatalogFiles(path);
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 10000');
    db.exec(CATALOG_SCHEMA);
    db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run('schemaVersion', String(CATALOG_SCHEMA_VERSION));
  } catch (error) {
    throw new LabvaultError(ErrorCodes.CORRUPT, `The catalog ${path} cannot be opened (${error instanceof Error ? error.message : String(error)}). Run "labvault vault rebuild-catalog" to rebuild it from the vault's files.`, { details: { path }, cause: error });
  }
  return db;
}
