/**
 * What garbage collection would free now: chunks and indexes no manifest (live or
 * soft-deleted) references, e.g. the chunks a cancelled or failed backup wrote. The same
 * mark as gcStore, without the lock and without deleting anything.
 * Cost: reads every manifest and every index they name, and stats every chunk file (about
 * one stat per chunk-size of stored data). vault-usage.ts runs it only when the vault changed.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { collectReferences } from './point-references.ts';
import { isHexId } from './store-layout.ts';
import type { StoreContext } from './store-context.ts';

export interface ReclaimableScan {
  /** Stored bytes of unreferenced chunks and indexes. */
  reclaimableBytes: number;
  reclaimableChunks: number;
  /** Stored bytes of the chunks some point references. */
  referencedBytes: number;
  /** Every file under data/ (chunks, indexes, manifests, records), but locks and half-written files. */
  storedBytes: number;
  /** The part of storedBytes in chunks/ and indexes/ (only jobs and gc change it; the rest is recordBytes). */
  bulkBytes: number;
  /** False when a manifest or index could not be read: then nothing counts as reclaimable. */
  complete: boolean;
}

async function treeBytes(dir: string, skip: ReadonlySet<string> = new Set()): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (skip.has(path)) continue;
    if (entry.isDirectory()) total += await treeBytes(path, skip);
    else if (entry.isFile()) total += (await stat(path).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

async function unreferencedIndexBytes(store: StoreContext, live: Set<string>): Promise<number> {
  let total = 0;
  for (const prefix of await readdir(store.layout.indexesDir).catch(() => [] as string[])) {
    const dir = join(store.layout.indexesDir, prefix);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!isHexId(name) || live.has(name)) continue;
      total += (await stat(join(dir, name)).catch(() => ({ size: 0 }))).size;
    }
  }
  return total;
}

export async function scanReclaimable(store: StoreContext): Promise<ReclaimableScan> {
  const refs = await collectReferences(store);
  const complete = refs.problems.length === 0;
  let reclaimableBytes = 0;
  let reclaimableChunks = 0;
  let referencedBytes = 0;
  for await (const hex of store.chunks.listIds()) {
    const size = (await store.chunks.storedSize(hex)) ?? 0;
    if (refs.chunkUsers.has(hex)) {
      referencedBytes += size;
    } else if (complete) {
      reclaimableBytes += size;
      reclaimableChunks += 1;
    }
  }
  if (complete) reclaimableBytes += await unreferencedIndexBytes(store, refs.indexIds);
  const bulkBytes = await treeBytes(store.layout.chunksDir) + await treeBytes(store.layout.indexesDir);
  const storedBytes = bulkBytes + await recordBytes(store);
  return { reclaimableBytes, reclaimableChunks, referencedBytes, storedBytes, bulkBytes, complete };
}

/**
 * Bytes of every file under data/ outside chunks/ and indexes/: manifests and records (jobs,
 * items, policies...), which change without a job (a policy saved, an item protected). One stat
 * per file, about one per point, job, item and policy: cheap enough to count on every ask.
 * Locks, cancel requests and half-written files are not stored data: they come and go with the
 * processes using the vault (the scheduler's lock is rewritten while it runs), and counting them
 * would make two processes report different sizes for the same data.
 */
export function recordBytes(store: StoreContext): Promise<number> {
  const { dataDir, chunksDir, indexesDir, locksDir, tmpDir, exclusiveLockPath } = store.layout;
  return treeBytes(dataDir, new Set([
    chunksDir, indexesDir, locksDir, tmpDir, exclusiveLockPath,
    join(dataDir, 'phase-locks'), join(dataDir, 'cancel-requests'), join(dataDir, 'schedule', 'scheduler.lock'),
  ]));
}
