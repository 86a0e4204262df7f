/**
 * The points table: one row per recovery point, derived from its manifest (backup/
 * point-record.ts builds the row; this module stores and reads it). The body is the row's JSON.
 */
import type { Point } from '../../../shared/contract/item-models.ts';
import type { CatalogDb } from './vault-catalog.ts';

/** A point as the catalog stores it. */
export interface PointRow extends Point {
  /** Until when the snapshot tier is kept (policy instant-restore days); set iff clones were made. */
  snapshotUntil?: string | null;
  scheduled: boolean;
  deletedAt?: string;
}

function decodePoints(rows: { body: string }[]): PointRow[] {
  return rows.map((row) => JSON.parse(row.body) as PointRow);
}

export function upsertPoint(db: CatalogDb, row: PointRow): void {
  db.prepare(`INSERT INTO points (id, item_id, created_at, state, expires_at, purge_at, body)
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at,
    purge_at = excluded.purge_at, body = excluded.body`)
    .run(row.id, row.itemId, row.createdAt, row.state, row.expiresAt, row.purgeAt ?? null, JSON.stringify(row));
}

export function deletePoint(db: CatalogDb, pointId: string): void {
  db.prepare('DELETE FROM points WHERE id = ?').run(pointId);
}

/** The item's points, newest first; active ones only unless includeDeleted. */
export function listPointsOfItem(db: CatalogDb, itemId: string,
  options: { includeDeleted?: boolean } = {}): PointRow[] {
  const sql = options.includeDeleted
    ? 'SELECT body FROM points WHERE item_id = ? ORDER BY created_at DESC'
    : "SELECT body FROM points WHERE item_id = ? AND state = 'active' ORDER BY created_at DESC";
  return decodePoints(db.prepare(sql).all(itemId) as { body: string }[]);
}

/** Every point of the vault, soft-deleted ones included, newest first. */
export function listAllPoints(db: CatalogDb): PointRow[] {
  return decodePoints(db.prepare('SELECT body FROM points ORDER BY created_at DESC').all() as { body: string }[]);
}

export function findPoint(db: CatalogDb, pointId: string): PointRow | null {
  const row = db.prepare('SELECT body FROM points WHERE id = ?').get(pointId) as { body: string } | undefined;
  return row ? (JSON.parse(row.body) as PointRow) : null;
}

/** Soft-deleted points whose purge date is at or before `now` (ISO instant). */
export function listPointsDueForPurge(db: CatalogDb, now: string): PointRow[] {
  const rows = db.prepare(`SELECT body FROM points WHERE state = 'soft-deleted' AND purge_at IS NOT NULL
    AND purge_at <= ?`).all(now);
  return decodePoints(rows as { body: string }[]);
}

/** How many points the vault has, soft-deleted ones included. */
export function countPoints(db: CatalogDb): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM points').get() as { n: number }).n;
}
