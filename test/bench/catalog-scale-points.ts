/**
 * The catalog-scale bench's simulated history: recovery points added to a vault through the
 * store's own API, as the engine opens it (an Engine on the bench's LABVAULT_HOME, its
 * keyring's VaultStore), without a backup job per point. Each point rewrites one or two of
 * the disk's data regions with fresh bytes, streams the file with backupFile (the previous
 * index given, holes skipped as in a real backup) and commits a manifest shaped like the
 * vault's real first point (same fields, same `extra` keys), marked scheduled, with
 * createdAt on the policy's 6-hour slots, oldest first.
 */
import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Engine } from '../../electron/engine/index.ts';
import { newPointId } from '../../electron/engine/backup/point-record.ts';
import type { FixedIndex, Manifest, VaultStore } from '../../electron/engine/vault/store/index.ts';

export const REGION = 1024 * 1024;

export interface SimulatedHistory {
  appHome: string;
  vault: string;
  itemId: string;
  disk: string;
  /** Offsets of the disk's 1 MiB data regions (the ones rewritten). */
  regions: number[];
  /** createdAt of each point to add, oldest first. */
  times: Date[];
  /** Days a scheduled point's stored expiry lies after its createdAt (the policy's daily rule). */
  dailyDays: number;
  onProgress?: (done: number, total: number) => void;
}

/** Rewrites `count` of the data regions (picked at random) with fresh random bytes. */
async function rewriteRegions(disk: string, regions: number[], count: number): Promise<void> {
  const handle = await open(disk, 'r+');
  const data = Buffer.alloc(REGION);
  try {
    for (let i = 0; i < count; i += 1) {
      const offset = regions[randomBytes(4).readUInt32LE(0) % regions.length]!;
      randomFillSync(data);
      await handle.write(data, 0, REGION, offset);
    }
  } finally {
    await handle.close();
  }
}

function slotOf(time: Date): string {
  return `${time.toISOString().slice(0, 16)}@UTC`;
}

/** A manifest for `time` shaped like `first` (the vault's real point): same fields and extra keys. */
function simulatedManifest(first: Manifest, time: Date, file: Manifest['files'][number], dailyDays: number): Parameters<VaultStore['commitPoint']>[0] {
  const { formatVersion: _version, ...shape } = first;
  const extra = { ...(first.extra ?? {}), jobId: randomUUID(), scheduled: true, slot: slotOf(time) };
  return {
    ...shape,
    pointId: newPointId(time, randomBytes(3).toString('hex')),
    createdAt: time.toISOString(),
    files: [file],
    tiers: ['vault'],
    expiresAt: new Date(time.getTime() + dailyDays * 86_400_000).toISOString(),
    onDemand: false,
    extra,
  };
}

/** Adds one point per entry of `times`; returns the seconds spent. */
export async function addSimulatedPoints(history: SimulatedHistory): Promise<number> {
  const started = performance.now();
  const engine = new Engine({ face: 'cli', appHome: history.appHome, env: { ...process.env, LABVAULT_HOME: history.appHome } });
  try {
    const session = await engine.vaults.session(history.vault);
    const store = await engine.keyring.store(session);
    const refs = await store.listManifests({ itemId: history.itemId });
    const manifests = await Promise.all(refs.map((ref) => store.readManifest(ref.itemId, ref.pointId)));
    const newest = manifests.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1);
    if (!newest) throw new Error(`item ${history.itemId} has no point to copy the shape of`);
    const first = newest;
    let previous: FixedIndex = await store.readIndex(first.files[0]!.indexId, first.files[0]!.size);
    const writer = await store.beginWrite('catalog-scale bench: simulated points');
    try {
      for (const [n, time] of history.times.entries()) {
        await rewriteRegions(history.disk, history.regions, 1 + (n % 2));
        const result = await store.backupFile({ sourcePath: history.disk, previousIndex: previous });
        const template = first.files[0]!;
        const file = {
          ...template,
          size: result.stat.size,
          mode: result.stat.mode,
          mtimeMs: result.stat.mtimeMs,
          ino: result.stat.ino,
          dev: result.stat.dev,
          indexId: result.indexId,
          digest: result.indexId,
          storedBytesNew: result.bytesWritten,
        };
        await store.commitPoint(simulatedManifest(first, time, file, history.dailyDays));
        previous = result.index;
        history.onProgress?.(n + 1, history.times.length);
      }
    } finally {
      await writer.release();
    }
  } finally {
    await engine.close();
  }
  return (performance.now() - started) / 1000;
}
