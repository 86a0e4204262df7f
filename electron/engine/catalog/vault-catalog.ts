/**
 * Opens a vault's SQLite catalog (better-sqlite3, WAL) and creates its schema.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { CATALOG_FILE, CATALOG_SCHEMA, CATALOG_SCHEMA_VERSION } from './catalog-schema.ts';

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
  return encrypted ? join(appHome, 'catalogs', `${vaultId}.sqlite`) : catalogPath(vaultDir);
}

/** Opens the catalog at `path` (normally catalogPath(vaultDir); see catalogLocation). */
export function openCatalog(path: string): CatalogDb {
  let db: CatalogDb;
  try {
    mkdirSync(dirname(path), { recursive: true });
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

export function countRows(db: CatalogDb, table: 'items' | 'points' | 'policies' | 'jobs', where = '1 = 1'): number {
  const row = db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number };
  return row.n;
}
