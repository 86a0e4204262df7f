/**
 * Where a point's test restore is kept: a record `data/records/point-checks/<id>.json` (sealed
 * in an encrypted vault, like every record; manifests are never rewritten) and its row in the
 * catalog's point_checks table, joined into the point when points are read. A newer check of
 * the same point replaces the older one.
 */
import type { TestRestore } from '../../../shared/contract/item-models.ts';
import { upsertPointCheck } from '../catalog/point-check-repository.ts';
import { pointCheckRecordId } from '../vault/record-schemas.ts';
import type { VaultSession } from '../vault/vault-session.ts';

export async function savePointTestRestore(session: VaultSession, check: TestRestore): Promise<void> {
  await session.records.write('point-checks', pointCheckRecordId(check.pointId), { id: pointCheckRecordId(check.pointId), ...check });
  upsertPointCheck(session.catalog, check);
}

/**
 * Loads the check records of the points in `pointIds` into the catalog (a fresh or rebuilt
 * one). A damaged check record is skipped, not fatal: the check can be run again
 * (`labvault verify ITEM --point ID --guest`); records of points that no longer exist are ignored.
 */
export async function loadPointTestRestores(session: VaultSession, pointIds: ReadonlySet<string>): Promise<number> {
  let loaded = 0;
  for (const id of await session.records.ids('point-checks')) {
    const record = await session.records.read<TestRestore & { id: string }>('point-checks', id).catch(() => null);
    if (!record || !pointIds.has(record.pointId)) continue;
    const { id: _recordId, ...check } = record;
    upsertPointCheck(session.catalog, check);
    loaded += 1;
  }
  return loaded;
}
