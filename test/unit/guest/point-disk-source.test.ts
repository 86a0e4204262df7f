import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChunkCache } from '../../../electron/engine/guest/chunk-cache.ts';
import { PointDiskSource } from '../../../electron/engine/guest/point-disk-source.ts';
import { backupPoint, makeVault, TEST_CHUNK } from '../vault-store/store-test-kit.ts';
import type { TestVault } from '../vault-store/store-test-kit.ts';

let vault: TestVault | undefined;
afterEach(() => vault?.cleanup());

/** 16 chunks: data in chunks 1, 2 and 9 (9 repeats 1), zeros elsewhere, a short last chunk. */
function diskBytes(): Buffer {
  const bytes = Buffer.alloc(15 * TEST_CHUNK + 1000);
  randomBytes(2 * TEST_CHUNK).copy(bytes, TEST_CHUNK);
  bytes.copy(bytes, 9 * TEST_CHUNK, TEST_CHUNK, 2 * TEST_CHUNK);
  randomBytes(1000).copy(bytes, 15 * TEST_CHUNK);
  return bytes;
}

describe('PointDiskSource', () => {
  it('reads any range of a point\'s disk through the chunk store, holes without the store, within the cache budget', async () => {
    vault = await makeVault({ encrypted: true });
    const bytes = diskBytes();
    const path = join(vault.dir, 'disk.raw');
    writeFileSync(path, bytes);
    const { files } = await backupPoint(vault.store, 'item1', 'p1', [path]);
    const index = await vault.store.readIndex(files[0]?.indexId as string);
    const cache = new ChunkCache(2 * TEST_CHUNK);
    const source = new PointDiskSource(index, vault.store.chunks, cache, 'disk.raw of p1');
    expect(source.size).toBe(bytes.length);
    for (const [offset, length] of [[0, 10], [TEST_CHUNK - 5, 20], [3 * TEST_CHUNK, 4 * TEST_CHUNK], [15 * TEST_CHUNK + 990, 10],
      [TEST_CHUNK + 7, 9 * TEST_CHUNK]] as const) {
      expect((await source.read(offset, length)).equals(bytes.subarray(offset, offset + length))).toBe(true);
    }
    const chunksAfterReads = source.counters.chunksRead;
    // Chunks 1 and 9 are the same chunk (one id): the last read met it in the cache.
    expect(chunksAfterReads).toBeLessThanOrEqual(4);
    await source.read(5 * TEST_CHUNK, TEST_CHUNK);
    expect(source.counters.chunksRead).toBe(chunksAfterReads);
    expect(cache.stats().bytes).toBeLessThanOrEqual(2 * TEST_CHUNK);
    await expect(source.read(bytes.length - 5, 10)).rejects.toMatchObject({ code: 'GUEST_UNREADABLE' });
    await expect(source.read(-1, 1)).rejects.toMatchObject({ code: 'GUEST_UNREADABLE' });
  });

  it('reports a damaged chunk as CORRUPT naming the chunk', async () => {
    vault = await makeVault();
    const path = join(vault.dir, 'disk.raw');
    writeFileSync(path, diskBytes());
    const { files } = await backupPoint(vault.store, 'item1', 'p1', [path]);
    const index = await vault.store.readIndex(files[0]?.indexId as string);
    const id = index.idAt(1).toString('hex');
    writeFileSync(vault.store.layout.chunkPath(id), Buffer.from('garbage'));
    const source = new PointDiskSource(index, vault.store.chunks, new ChunkCache(1 << 20), 'disk.raw of p1');
    await expect(source.read(TEST_CHUNK, 10)).rejects.toMatchObject({ code: 'CORRUPT' });
    expect((await source.read(4 * TEST_CHUNK, 10)).equals(Buffer.alloc(10))).toBe(true);
  });
});
