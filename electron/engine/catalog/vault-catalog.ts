/**
 * Opens a vault's SQLite catalog (better-sqlite3, WAL) and creates its schema.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { CATALOG_FILE, CATALOG_SCHEMA, CATALOG_SCHEMA_VERSION } from './catalog-schema.ts';

export type CatalogDb = Database.Database;

export function catalogPath(vaultDir: string): string {
  return join(vaultDir, CATALOG_FILE);
}

export function openCatalog(vaultDir: string): CatalogDb {
  const path = catalogPath(vaultDir);
  let db: CatalogDb;
  try {
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
