/**
 * The point_checks table: the newest test restore of each point (backup/point-test-record.ts
 * writes the record file and this row). A point's row in `points` stays what its manifest
 * says; the check is joined in when points are read.
 */
import type { TestRestore } from '../../../shared/contract/item-models.ts';
import type { CatalogDb } from './vault-catalog.ts';

export function upsertPointCheck(db: CatalogDb, check: TestRestore): void {
  db.prepare(`INSERT INTO point_checks (point_id, item_id, body) VALUES (?, ?, ?)
    ON CONFLICT(point_id) DO UPDATE SET item_id = excluded.item_id, body = excluded.body`)
    .run(check.pointId, check.itemId, JSON.stringify(check));
}

export function findPointCheck(db: CatalogDb, pointId: string): TestRestore | null {
  const row = db.prepare('SELECT body FROM point_checks WHERE point_id = ?').get(pointId) as { body: string } | undefined;
  return row ? (JSON.parse(row.body) as TestRestore) : null;
}

/** The checks of an item's points, by point id. */
export function pointChecksOfItem(db: CatalogDb, itemId: string): Map<string, TestRestore> {
  const rows = db.prepare('SELECT body FROM point_checks WHERE item_id = ?').all(itemId) as { body: string }[];
  const checks = rows.map((row) => JSON.parse(row.body) as TestRestore);
  return new Map(checks.map((check) => [check.pointId, check]));
}

export function deletePointCheck(db: CatalogDb, pointId: string): void {
  db.prepare('DELETE FROM point_checks WHERE point_id = ?').run(pointId);
}
