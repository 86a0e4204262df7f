/**
 * Soft-deleted data and its purge: the purge date a deletion gets now (soft delete on), and
 * the purge of soft-deleted points and items whose date has passed (the retention pass).
 */
import { deletePointRow, listPointRows } from '../backup/point-record.ts';
import { listPointsDueForPurge } from '../catalog/point-repository.ts';
import { effectiveSoftDelete } from '../vault/immutability-state.ts';
import type { StoreSource } from '../vault/store-source.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import { deleteItemRow, listItemRecords } from './item-catalog.ts';

const DAY_MS = 86_400_000;

/** When data deleted at `now` is purged: null when soft delete is off (deleted at once). */
export function purgeDate(session: VaultSession, now: Date): string | null {
  const softDelete = effectiveSoftDelete(session);
  return softDelete.enabled ? new Date(now.getTime() + softDelete.days * DAY_MS).toISOString() : null;
}

/**
 * Purges soft-deleted points whose purge date has passed, and soft-deleted items with no
 * data left. Returns how many points were purged. GC then frees their chunks.
 */
export async function purgeExpiredSoftDeletes(
  services: StoreSource, session: VaultSession, now: Date,
): Promise<number> {
  let purged = 0;
  const points = listPointsDueForPurge(session.catalog, now.toISOString());
  if (points.length > 0) {
    const store = await services.keyring.store(session);
    for (const point of points) {
      await store.deleteManifest(point.itemId, point.id);
      deletePointRow(session, point.id);
      purged += 1;
    }
  }
  for (const item of listItemRecords(session)) {
    if (item.state === 'soft-deleted' && item.purgeAt && Date.parse(item.purgeAt) <= now.getTime() && listPointRows(session, item.id, { includeDeleted: true }).length === 0) {
      await session.records.remove('items', item.id);
      deleteItemRow(session, item.id);
    }
  }
  return purged;
}
