import { describe, it, expect, afterEach } from 'vitest';
import { writeFileSync, openSync, writeSync, closeSync, statSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { deterministicBytes, writePatternRaw } from '../../support/disk-fixtures.ts';
import { VaultStore } from '../../../electron/engine/vault/store/index.ts';
import { makeVault, backupPoint, restoreAndCompare, TEST_CHUNK } from './store-test-kit.ts';
import type { TestVault } from './store-test-kit.ts';

let vault: TestVault | undefined;
afterEach(() => vault?.cleanup());

describe('VaultStore backup and restore', () => {
  it('round-trips sparse, random, zero, odd-sized and empty files bit-exact', async () => {
    vault = await makeVault();
    const { dir, store } = vault;
    const files: Record<string, string> = {
      'sparse.raw': writePatternRaw(join(dir, 'sparse.raw'), { size: 3 * 1024 * 1024, region: 64 * 1024 }),
      'random.bin': join(dir, 'random.bin'),
      'zero.bin': join(dir, 'zero.bin'),
      'odd.bin': join(dir, 'odd.bin'),
      'empty.bin': join(dir, 'empty.bin'),
    };
    writeFileSync(files['random.bin']!, deterministicBytes(1024 * 1024 + 12345, 7));
    writeFileSync(files['zero.bin']!, Buffer.alloc(2 * 1024 * 1024));
    writeFileSync(files['odd.bin']!, deterministicBytes(1024 * 1024 + 3, 9));
    writeFileSync(files['empty.bin']!, Buffer.alloc(0));
    const point = await backupPoint(store, 'vm1', 'p1', Object.values(files));
    const zero = point.results[2]!;
    expect(zero.zeroBytes).toBe(2 * 1024 * 1024);
    expect(zero.chunksNew).toBe(0);
    expect(point.results[4]!.bytesRead).toBe(0);
    await restoreAndCompare(store, 'vm1', 'p1', dir, files);
    const report = await store.verify({ readData: true });
    expect(report.ok).toBe(true);
  });

  it.each([false, true])('reading around the page cache (directRead, encrypted %s) makes the same index as buffered reads', async (encrypted) => {
    vault = await makeVault({ encrypted });
    const { dir, store } = vault;
    const files = {
      'sparse.raw': writePatternRaw(join(dir, 'sparse.raw'), { size: 3 * 1024 * 1024, region: 64 * 1024 }),
      'odd.bin': join(dir, 'odd.bin'),
    };
    writeFileSync(files['odd.bin'], deterministicBytes(1024 * 1024 + 4099, 11));
    const writer = await store.beginWrite('direct and buffered reads');
    try {
      for (const path of Object.values(files)) {
        const buffered = await store.backupFile({ sourcePath: path, readBufferSize: TEST_CHUNK * 4 });
        const direct = await store.backupFile({ sourcePath: path, readBufferSize: TEST_CHUNK * 4, directRead: true });
        expect(direct.indexId).toBe(buffered.indexId);
        expect(direct.bytesRead).toBe(buffered.bytesRead);
        expect(direct.index.chunkCount).toBe(Math.ceil(statSync(path).size / TEST_CHUNK));
      }
    } finally {
      await writer.release();
    }
  });

  it('restores zero chunks as holes and never overwrites an existing file', async () => {
    vault = await makeVault();
    const { dir, store } = vault;
    const src = join(dir, 'holes.raw');
    const fd = openSync(src, 'w');
    ftruncateSync(fd, 16 * 1024 * 1024);
    writeSync(fd, deterministicBytes(TEST_CHUNK, 3), 0, TEST_CHUNK, 8 * 1024 * 1024);
    closeSync(fd);
    const { files } = await backupPoint(store, 'vm1', 'p1', [src]);
    const out = join(dir, 'out.raw');
    const index = await store.readIndex(files[0]!.indexId);
    await store.restoreFile({ index, outPath: out });
    expect(statSync(out).blocks * 512).toBeLessThan(1024 * 1024);
    await expect(store.restoreFile({ index, outPath: out })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('deduplicates across files and points, and an incremental writes only changed chunks', async () => {
    vault = await makeVault();
    const { dir, store } = vault;
    const a = join(dir, 'a.bin');
    const b = join(dir, 'b.bin');
    const data = deterministicBytes(100 * TEST_CHUNK, 11);
    writeFileSync(a, data);
    writeFileSync(b, data);
    const first = await backupPoint(store, 'vm1', 'p1', [a, b]);
    expect(first.results[0]!.chunksNew).toBe(100);
    expect(first.results[1]!.chunksNew).toBe(0);
    expect(first.results[1]!.chunksReused).toBe(100);
    // 2% of chunks change.
    const fd = openSync(a, 'r+');
    for (const chunk of [5, 77]) writeSync(fd, deterministicBytes(100, chunk + 1000), 0, 100, chunk * TEST_CHUNK + 10);
    closeSync(fd);
    const second = await backupPoint(store, 'vm1', 'p2', [a], first.files);
    expect(second.results[0]!.chunksNew).toBe(2);
    expect(second.results[0]!.chunksReused).toBe(98);
    expect(second.results[0]!.chunksChanged).toBe(2);
    await restoreAndCompare(store, 'vm1', 'p2', dir, { 'a.bin': a });
    const other = await backupPoint(store, 'vm2', 'p1', [b]);
    expect(other.results[0]!.chunksNew).toBe(0);
    const stats = await store.stats();
    expect(stats.items.vm1!.points).toBe(2);
    expect(stats.vault.chunkCount).toBe(102);
    expect(stats.points.find((p) => p.itemId === 'vm1' && p.pointId === 'p2')!.uniqueBytes).toBeGreaterThan(0);
  });

  it('runs backups of different items concurrently in one process', async () => {
    vault = await makeVault();
    const { dir, store } = vault;
    const shared = deterministicBytes(40 * TEST_CHUNK, 21);
    const a = join(dir, 'a.bin');
    const b = join(dir, 'b.bin');
    writeFileSync(a, Buffer.concat([shared, deterministicBytes(30 * TEST_CHUNK, 22)]));
    writeFileSync(b, Buffer.concat([deterministicBytes(30 * TEST_CHUNK, 23), shared]));
    await Promise.all([backupPoint(store, 'vm1', 'p1', [a]), backupPoint(store, 'vm2', 'p1', [b])]);
    await restoreAndCompare(store, 'vm1', 'p1', dir, { 'a.bin': a });
    await restoreAndCompare(store, 'vm2', 'p1', dir, { 'b.bin': b });
    expect((await store.stats()).vault.chunkCount).toBe(100);
    expect((await store.verify({ readData: true })).ok).toBe(true);
  });

  it('reuses an unchanged file index without reading it (stat fast path)', async () => {
    vault = await makeVault();
    const { dir, store } = vault;
    const a = join(dir, 'a.bin');
    writeFileSync(a, deterministicBytes(5 * TEST_CHUNK, 2));
    const first = await backupPoint(store, 'vm1', 'p1', [a]);
    const prev = first.files[0]!;
    expect(VaultStore.fileUnchanged(prev, statSync(a))).toBe(true);
    const writer = await store.beginWrite('reuse');
    await store.commitPoint({ itemId: 'vm1', pointId: 'p2', createdAt: new Date().toISOString(), files: [prev] });
    await writer.release();
    await restoreAndCompare(store, 'vm1', 'p2', dir, { 'a.bin': a });
    expect((await store.listManifests()).map((m) => m.pointId)).toEqual(['p1', 'p2']);
  });

  it('refuses a duplicate point and a commit naming a missing index', async () => {
    vault = await makeVault();
    const { dir, store } = vault;
    const a = join(dir, 'a.bin');
    writeFileSync(a, deterministicBytes(TEST_CHUNK, 2));
    const first = await backupPoint(store, 'vm1', 'p1', [a]);
    const writer = await store.beginWrite('dup');
    try {
      await expect(store.commitPoint({ itemId: 'vm1', pointId: 'p1', createdAt: new Date().toISOString(), files: first.files })).rejects.toMatchObject({ code: 'CONFLICT' });
      const missing = { ...first.files[0]!, indexId: 'ab'.repeat(32) };
      await expect(store.commitPoint({ itemId: 'vm1', pointId: 'p9', createdAt: new Date().toISOString(), files: [missing] })).rejects.toMatchObject({ code: 'CORRUPT' });
      await expect(store.commitPoint({ itemId: '../x', pointId: 'p9', createdAt: new Date().toISOString(), files: [] })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    } finally {
      await writer.release();
    }
  });

  it('cancels a backup through an AbortSignal without writing an index', async () => {
    vault = await makeVault();
    const { dir, store } = vault;
    const a = join(dir, 'a.bin');
    writeFileSync(a, deterministicBytes(400 * TEST_CHUNK, 5));
    const controller = new AbortController();
    const writer = await store.beginWrite('cancel');
    try {
      const run = store.backupFile({ sourcePath: a, signal: controller.signal, readBufferSize: TEST_CHUNK * 4, onProgress: (p) => { if (p.bytesDone > 40 * TEST_CHUNK) controller.abort(); } });
      await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    } finally {
      await writer.release();
    }
    expect(await store.listManifests()).toEqual([]);
    const gc = await store.gc();
    expect(gc.indexesRemoved).toBe(0);
    expect(gc.chunksRemoved).toBeGreaterThan(0);
  });

  it('soft-deletes, lists, restores and hard-deletes manifests', async () => {
    vault = await makeVault();
    const { dir, store } = vault;
    const a = join(dir, 'a.bin');
    writeFileSync(a, deterministicBytes(3 * TEST_CHUNK, 2));
    await backupPoint(store, 'vm1', 'p1', [a]);
    await store.softDeleteManifest('vm1', 'p1', { deletedAt: '2026-01-01T00:00:00Z', purgeAt: '2026-01-15T00:00:00Z' });
    expect(await store.listManifests()).toEqual([]);
    expect(await store.listManifests({ includeDeleted: true })).toEqual([{ itemId: 'vm1', pointId: 'p1', state: 'soft-deleted', deletedAt: '2026-01-01T00:00:00Z', purgeAt: '2026-01-15T00:00:00Z' }]);
    expect((await store.gc()).chunksRemoved).toBe(0);
    expect((await store.verify({ readData: true })).ok).toBe(true);
    await store.undeleteManifest('vm1', 'p1');
    expect((await store.listManifests())[0]).toMatchObject({ pointId: 'p1', state: 'live' });
    await store.deleteManifest('vm1', 'p1');
    expect(await store.listManifests({ includeDeleted: true })).toEqual([]);
    expect((await store.gc()).chunksRemoved).toBe(3);
    await expect(store.readManifest('vm1', 'p1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
