/** Catalog figures for a vault's usage: logical bytes, and a fingerprint that changes when its data may have. */
import type { CatalogDb } from './vault-catalog.ts';

/** Sum over items of the size of the files in each item's newest active point (what the items protect). */
export function newestPointsLogicalBytes(db: CatalogDb): number {
  const row = db.prepare(`SELECT COALESCE(SUM(json_extract(p.body, '$.logicalBytes')), 0) AS bytes FROM points p
    WHERE p.state = 'active' AND p.created_at = (
      SELECT MAX(q.created_at) FROM points q WHERE q.item_id = p.item_id AND q.state = 'active')`).get() as
    { bytes: number | null } | undefined;
  return Number(row?.bytes ?? 0);
}

/**
 * Changes whenever a job starts or ends, or a point is added, removed or changes state: the only
 * ways chunks are written (backups, whether they commit or not) or freed (gc, purges).
 */
export function dataFingerprint(db: CatalogDb): string {
  const jobs = db.prepare(`SELECT COUNT(*) AS n, MAX(started_at) AS started, MAX(ended_at) AS ended,
    SUM(CASE WHEN ended_at IS NULL THEN 1 ELSE 0 END) AS open FROM jobs`).get();
  const points = db.prepare(`SELECT COUNT(*) AS n, MAX(created_at) AS newest,
    SUM(CASE WHEN state = 'active' THEN 1 ELSE 0 END) AS active, SUM(LENGTH(body)) AS size FROM points`).get();
  return JSON.stringify([jobs, points]);
}
