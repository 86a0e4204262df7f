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
  // Per file number, its point's and item's figures: a chunk's users are file numbers in
  // order and a point's files are numbered together, so its distinct points are the changes
  // along the list (no key string or set per user: users add up to points x chunks).
  const pointOfFile = refs.files.map((f) => points.get(pointKey(f.itemId, f.pointId))!);
  const itemOfFile = refs.files.map((f) => items[f.itemId]!);
  const sizes = new Map<string, number>();
  for (const [hex, users] of refs.chunkUsers) {
    const size = (await store.chunks.storedSize(hex)) ?? 0;
    sizes.set(hex, size);
    let distinctPoints = 0;
    let last: PointStats | undefined;
    for (const n of users) {
      const point = pointOfFile[n]!;
      if (point === last) continue;
      last = point;
      distinctPoints += 1;
      point.referencedBytes += size;
    }
    if (distinctPoints === 1) last!.uniqueBytes += size;
    const userItems = new Set<ItemStats>();
    let lastItem: ItemStats | undefined;
    for (const n of users) {
      const item = itemOfFile[n]!;
      if (item !== lastItem) userItems.add(lastItem = item);
    }
    for (const item of userItems) {
      item.referencedBytes += size;
      if (userItems.size === 1) item.uniqueBytes += size;
    }
  }
  for await (const hex of store.chunks.listIds()) {
    chunkCount += 1;
    chunkBytes += sizes.get(hex) ?? (await store.chunks.storedSize(hex)) ?? 0;
  }
  sizes.clear();
  const logicalBytes = [...points.values()].reduce((sum, p) => sum + p.logicalBytes, 0);
  const storedBytes = await treeBytes(store.layout.dataDir);
  return { vault: { logicalBytes, storedBytes, chunkCount, chunkBytes }, items, points: [...points.values()] };
}
