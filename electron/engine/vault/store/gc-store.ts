/**
 * gcStore: removes chunks and indexes no point references.
 *
 * 1. Take the exclusive vault lock (no backup writer can run; see vault-lock.ts).
 * 2. Write a new data/gc-epoch, so other processes drop their cached chunk-id sets.
 * 3. Mark: read every manifest (live and soft-deleted) and every index they name. If any
 *    of them cannot be read, stop: without complete references nothing may be swept.
 * 4. Sweep: unlink chunk files that are not marked and older than the grace period, then
 *    unreferenced indexes, orphan tombstones and leftover temp files.
 * Only unreferenced files are ever deleted, so a kill -9 at any moment leaves a vault
 * that verifies clean; the next GC finishes the sweep.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import { fsyncDir, writeFileDurable } from './durable-fs.ts';
import { KnownChunkSet } from './known-chunk-set.ts';
import { collectReferences } from './point-references.ts';
import { isHexId, TMP_PREFIX, TOMBSTONE_SUFFIX } from './store-layout.ts';
import type { StoreContext } from './store-context.ts';

export interface GcOptions {
  /** "Now" for the grace period (default Date.now()). */
  now?: number;
  /** Keep unreferenced chunks and indexes younger than this (default 0). */
  graceMs?: number;
  /** Wait this long for running writers to finish instead of refusing (default 0). */
  waitMs?: number;
}

export interface GcResult {
  chunksRemoved: number;
  bytesFreed: number;
  chunksKept: number;
  indexesRemoved: number;
  tmpFilesRemoved: number;
}

const LOCK_TMP_MIN_AGE_MS = 60_000;

export async function gcStore(store: StoreContext, options: GcOptions = {}): Promise<GcResult> {
  const lock = await store.lock.acquireExclusive({ purpose: 'garbage collection', waitMs: options.waitMs ?? 0, log: store.log });
  try {
    const now = options.now ?? Date.now();
    const cutoff = now - (options.graceMs ?? 0);
    await writeFileDurable(store.layout.gcEpochPath, Buffer.from(randomBytes(16).toString('hex')), { tmpDir: store.layout.tmpDir });
    store.chunks.invalidateKnown();
    const refs = await collectReferences(store, { users: false });
    if (refs.problems.length > 0) {
      const first = refs.problems[0]!;
      throw new LabvaultError(ErrorCodes.CORRUPT, `Garbage collection stopped before deleting anything: ${first.message} Run a vault verify and repair first.`, { details: { problems: refs.problems.length } });
    }
    const marked = new KnownChunkSet(refs.chunkUsers.size);
    for (const hex of refs.chunkUsers.keys()) marked.add(Buffer.from(hex, 'hex'));
    refs.chunkUsers.clear();
    const result: GcResult = { chunksRemoved: 0, bytesFreed: 0, chunksKept: 0, indexesRemoved: 0, tmpFilesRemoved: 0 };
    const touchedDirs = new Set<string>();
    for await (const hex of store.chunks.listIds()) {
      if (marked.has(Buffer.from(hex, 'hex'))) {
        result.chunksKept += 1;
        continue;
      }
      const path = store.layout.chunkPath(hex);
      const info = await stat(path).catch(() => undefined);
      if (info === undefined) continue;
      if (info.mtimeMs > cutoff) {
        result.chunksKept += 1;
        continue;
      }
      await rm(path, { force: true });
      touchedDirs.add(store.layout.chunkDir(hex));
      result.chunksRemoved += 1;
      result.bytesFreed += info.size;
    }
    for (const dir of touchedDirs) await fsyncDir(dir);
    result.indexesRemoved = await sweepIndexes(store, refs.indexIds, cutoff);
    result.tmpFilesRemoved = await sweepTmp(store, now);
    await sweepTombstones(store);
    return result;
  } finally {
    store.chunks.invalidateKnown();
    await lock.release();
  }
}

async function sweepIndexes(store: StoreContext, live: Set<string>, cutoff: number): Promise<number> {
  let removed = 0;
  for (const prefix of await readdir(store.layout.indexesDir).catch(() => [] as string[])) {
    const dir = join(store.layout.indexesDir, prefix);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!isHexId(name) || live.has(name)) continue;
      const info = await stat(join(dir, name)).catch(() => undefined);
      if (info === undefined || info.mtimeMs > cutoff) continue;
      await rm(join(dir, name), { force: true });
      removed += 1;
    }
  }
  return removed;
}

async function sweepTmp(store: StoreContext, now: number): Promise<number> {
  let removed = 0;
  for (const name of await readdir(store.layout.tmpDir).catch(() => [] as string[])) {
    if (!name.startsWith(TMP_PREFIX)) continue;
    const path = join(store.layout.tmpDir, name);
    if (name.startsWith(`${TMP_PREFIX}lock-`)) {
      const info = await stat(path).catch(() => undefined);
      if (info === undefined || now - info.mtimeMs < LOCK_TMP_MIN_AGE_MS) continue;
    }
    await rm(path, { force: true });
    removed += 1;
  }
  return removed;
}

async function sweepTombstones(store: StoreContext): Promise<void> {
  for (const itemId of await readdir(store.layout.deletedManifestsDir).catch(() => [] as string[])) {
    const dir = join(store.layout.deletedManifestsDir, itemId);
    const names = new Set(await readdir(dir).catch(() => [] as string[]));
    for (const name of names) {
      if (name.endsWith(TOMBSTONE_SUFFIX) && !names.has(name.slice(0, -TOMBSTONE_SUFFIX.length))) {
        await rm(join(dir, name), { force: true });
      }
    }
  }
}
