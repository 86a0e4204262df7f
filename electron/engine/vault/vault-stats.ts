/** Storage used by a vault and each of its items (vault stats, dashboard). */
import type { VaultStats } from '../../../shared/contract/item-models.ts';
import type { StoreSource } from './store-source.ts';
import { listItemRecords } from '../protection/item-catalog.ts';
import type { VaultSession } from './vault-session.ts';

export async function vaultStats(services: StoreSource, session: VaultSession): Promise<VaultStats> {
  const store = await services.keyring.store(session);
  const stats = await store.stats();
  const items = listItemRecords(session);
  const names = new Map(items.map((item) => [item.id, item.name]));
  return {
    vaultId: session.config.id,
    name: session.config.name,
    items: items.length,
    points: stats.points.filter((point) => point.state === 'live').length,
    softDeletedPoints: stats.points.filter((point) => point.state === 'soft-deleted').length,
    logicalBytes: stats.vault.logicalBytes,
    storedBytes: stats.vault.storedBytes,
    chunks: stats.vault.chunkCount,
    perItem: Object.entries(stats.items).map(([itemId, item]) => ({
      itemId, name: names.get(itemId) ?? itemId, points: item.points, logicalBytes: item.logicalBytes,
      storedBytes: item.referencedBytes,
    })),
  };
}
