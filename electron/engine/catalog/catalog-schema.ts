/**
 * The catalog: a SQLite index over the vault's files (vault.json, data/records, data/
 * manifests). It can always be rebuilt from them; nothing lives only here.
 */
export const CATALOG_FILE = 'catalog.sqlite';
export const CATALOG_SCHEMA_VERSION = 1;

export const CATALOG_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS policies (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  body TEXT NOT NULL,
  is_default INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS policies_name ON policies (name COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS items (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  state TEXT NOT NULL,
  policy_id TEXT,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS items_name ON items (name COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS item_files (
  item_id TEXT NOT NULL,
  path TEXT NOT NULL,
  PRIMARY KEY (item_id, path)
);
CREATE INDEX IF NOT EXISTS item_files_path ON item_files (path);
CREATE TABLE IF NOT EXISTS points (
  id TEXT PRIMARY KEY,
  item_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  state TEXT NOT NULL,
  expires_at TEXT,
  purge_at TEXT,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS points_item ON points (item_id, created_at);
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  item_id TEXT,
  operation TEXT NOT NULL,
  status TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_started ON jobs (started_at);
CREATE TABLE IF NOT EXISTS alerts (
  id TEXT PRIMARY KEY,
  severity TEXT NOT NULL,
  created_at TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS point_checks (
  point_id TEXT PRIMARY KEY,
  item_id TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS schedule_slots (
  item_id TEXT PRIMARY KEY,
  slot TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
`;
