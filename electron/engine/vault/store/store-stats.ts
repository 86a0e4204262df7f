/**
 * storeStats: logical and stored bytes for the vault, each item and each point.
 *  - logicalBytes: sum of file sizes as backed up;
 *  - referencedBytes: stored size of the distinct chunks a point (or item) references;
 *  - uniqueBytes: stored size of chunks referenced by that point (item) only, which is
 *    about what deleting it and running GC would free.
 * Vault storedBytes counts every file under data/ (chunks, indexes, manifests).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { collectReferences, pointKey } from './point-references.ts';
import type { StoreContext } from './store-context.ts';

export interface PointStats {
  itemId: string;
  pointId: string;
  state: 'live' | 'soft-deleted';
  logicalBytes: number;
  referencedBytes: number;
  uniqueBytes: number;
}

export interface ItemStats {
  points: number;
  logicalBytes: number;
  referencedBytes: number;
  uniqueBytes: number;
}

export interface StoreStats {
  vault: { logicalBytes: number; storedBytes: number; chunkCount: number; chunkBytes: number };
  items: Record<string, ItemStats>;
  points: PointStats[];
}

async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await treeBytes(path);
    else if (entry.isFile()) total += (await stat(path).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

export async function storeStats(store: StoreContext): Promise<StoreStats> {
  const refs = await collectReferences(store);
  const points = new Map<string, PointStats>();
  const items: Record<string, ItemStats> = {};
  for (const ref of refs.refs) {
    const manifest = refs.manifests.get(pointKey(ref.itemId, ref.pointId));
    const logicalBytes = manifest?.files.reduce((sum, file) => sum + file.size, 0) ?? 0;
    points.set(pointKey(ref.itemId, ref.pointId), {
      itemId: ref.itemId, pointId: ref.pointId, state: ref.state, logicalBytes, referencedBytes: 0, uniqueBytes: 0,
    });
    const item = items[ref.itemId] ??= { points: 0, logicalBytes: 0, referencedBytes: 0, uniqueBytes: 0 };
    item.points += 1;
    item.logicalBytes += logicalBytes;
  }
  let chunkBytes = 0;
  let chunkCount = 0;
  for (const [hex, users] of refs.chunkUsers) {
    const size = (await store.chunks.storedSize(hex)) ?? 0;
    const userPoints = new Set(users.map((n) => { const f = refs.files[n]!; return pointKey(f.itemId, f.pointId); }));
    const userItems = new Set(users.map((n) => refs.files[n]!.itemId));
    for (const key of userPoints) {
      const point = points.get(key)!;
      point.referencedBytes += size;
      if (userPoints.size === 1) point.uniqueBytes += size;
    }
    for (const itemId of userItems) {
      const item = items[itemId]!;
      item.referencedBytes += size;
      if (userItems.size === 1) item.uniqueBytes += size;
    }
  }
  for await (const hex of store.chunks.listIds()) {
    chunkCount += 1;
    chunkBytes += (await store.chunks.storedSize(hex)) ?? 0;
  }
  const logicalBytes = [...points.values()].reduce((sum, p) => sum + p.logicalBytes, 0);
  const storedBytes = await treeBytes(store.layout.dataDir);
  return { vault: { logicalBytes, storedBytes, chunkCount, chunkBytes }, items, points: [...points.values()] };
}
