/**
 * Many points of one big sparse file (the catalog-scale case): GC marks the chunks of each
 * index by comparing it with the same file's index in the point before (only differing
 * blocks of ids are taken), and stats counts a chunk's points along its users. Both must
 * give exactly what a plain walk of every index gives: GC removes only chunks no remaining
 * point references (blocks unchanged since the previous point, a file that grew, a second
 * item with the same file name, soft-deleted points), and stats splits bytes per point and
 * item as the definitions say.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { openSync, writeSync, closeSync, ftruncateSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { collectReferences } from '../../../electron/engine/vault/store/point-references.ts';
import type { ManifestFile, VaultStore } from '../../../electron/engine/vault/store/index.ts';
import { TEST_CHUNK, backupPoint, makeVault, restoreAndCompare } from './store-test-kit.ts';
import type { TestVault } from './store-test-kit.ts';

let vault: TestVault | undefined;
afterEach(() => {
  vault?.cleanup();
  vault = undefined;
});

/** Writes fresh random bytes into the given chunks of `path` (a sparse file of `chunks` chunks). */
function writeChunks(path: string, chunks: number, changed: number[]): void {
  const fd = openSync(path, 'a+');
  try {
    ftruncateSync(fd, chunks * TEST_CHUNK);
  } finally {
    closeSync(fd);
  }
  const rw = openSync(path, 'r+');
  try {
    for (const chunk of changed) writeSync(rw, randomBytes(TEST_CHUNK), 0, TEST_CHUNK, chunk * TEST_CHUNK);
  } finally {
    closeSync(rw);
  }
}

function storedChunkIds(store: VaultStore): Set<string> {
  const out = new Set<string>();
  for (const prefix of readdirSync(store.layout.chunksDir)) for (const name of readdirSync(join(store.layout.chunksDir, prefix))) out.add(name);
  return out;
}

/** Every non-zero chunk id of every point left (live and soft-deleted), by walking each index in full. */
async function referencedIds(store: VaultStore): Promise<Set<string>> {
  const out = new Set<string>();
  for (const ref of await store.listManifests({ includeDeleted: true })) {
    for (const file of (await store.readManifest(ref.itemId, ref.pointId)).files) {
      for (const id of (await store.readIndex(file.indexId)).distinctIds()) out.add(id);
    }
  }
  return out;
}

describe('many points of one big sparse file', () => {
  it('GC keeps exactly the chunks the remaining points reference, blocks unchanged between points included', async () => {
    vault = await makeVault();
    const { store } = vault;
    // 400 chunks of 64 KiB: four blocks of 128 ids and a short one; a few data chunks in each.
    const disk = join(vault.dir, 'disk.raw');
    const other = join(vault.dir, 'other');
    mkdirSync(other);
    const otherDisk = join(other, 'disk.raw');
    writeChunks(disk, 400, [3, 140, 260, 390]);
    writeChunks(otherDisk, 400, [3, 141]);
    const points: Array<{ item: string; id: string; files: ManifestFile[] }> = [];
    const take = async (item: string, id: string, path: string): Promise<void> => {
      const previous = points.filter((p) => p.item === item).at(-1)?.files;
      points.push({ item, id, files: (await backupPoint(store, item, id, [path], previous)).files });
    };
    await take('vm1', 'p01', disk);
    await take('vm2', 'p01', otherDisk);
    writeChunks(disk, 400, [3]); // block 0 changes, blocks 1-3 are the same as in p01
    await take('vm1', 'p02', disk);
    writeChunks(disk, 400, [260, 200]);
    await take('vm1', 'p03', disk);
    writeChunks(disk, 400, [140]);
    await take('vm1', 'p04', disk);
    writeChunks(disk, 520, [450]); // the file grew: another chunk count, compared with nothing
    await take('vm1', 'p05', disk);
    writeChunks(disk, 520, [3, 390]);
    await take('vm1', 'p06', disk);
    writeChunks(otherDisk, 400, [3]);
    await take('vm2', 'p02', otherDisk);

    await store.deleteManifest('vm1', 'p01');
    await store.deleteManifest('vm1', 'p03');
    await store.softDeleteManifest('vm1', 'p04', { deletedAt: new Date().toISOString(), purgeAt: null });
    await store.deleteManifest('vm2', 'p01');

    const expected = await referencedIds(store);
    const before = storedChunkIds(store);
    const gone = [...before].filter((id) => !expected.has(id));
    expect(gone.length).toBeGreaterThan(0);
    const result = await store.gc();
    expect(storedChunkIds(store)).toEqual(expected);
    expect(result.chunksRemoved).toBe(gone.length);
    expect(result.chunksKept).toBe(expected.size);
    const marked = await collectReferences(store, { users: false });
    expect(new Set(marked.chunkUsers.keys())).toEqual(expected);
    expect((await store.verify()).ok).toBe(true);
    // The last points restore bit-exact after the sweep.
    await restoreAndCompare(store, 'vm1', 'p06', vault.dir, { 'disk.raw': disk });
    await restoreAndCompare(store, 'vm2', 'p02', vault.dir, { 'disk.raw': otherDisk });
  });

  it('stats split referenced and unique bytes per point and item as a full walk does', async () => {
    vault = await makeVault();
    const { store } = vault;
    const disk = join(vault.dir, 'disk.raw');
    const files: Record<string, ManifestFile[]> = {};
    writeChunks(disk, 300, [1, 150, 299]);
    files.p1 = (await backupPoint(store, 'vm1', 'p1', [disk])).files;
    writeChunks(disk, 300, [150]);
    files.p2 = (await backupPoint(store, 'vm1', 'p2', [disk], files.p1)).files;
    writeChunks(disk, 300, [2]);
    files.p3 = (await backupPoint(store, 'vm1', 'p3', [disk], files.p2)).files;
    files.q1 = (await backupPoint(store, 'vm2', 'q1', [disk])).files;

    const users = new Map<string, Set<string>>();
    const refsOf = new Map<string, Set<string>>();
    for (const [point, entries] of Object.entries(files)) {
      const ids = new Set<string>();
      for (const file of entries) for (const id of (await store.readIndex(file.indexId)).distinctIds()) ids.add(id);
      refsOf.set(point, ids);
      for (const id of ids) (users.get(id) ?? users.set(id, new Set()).get(id)!).add(point);
    }
    const size = async (id: string): Promise<number> => (await store.chunks.storedSize(id)) ?? 0;
    const stats = await store.stats();
    for (const [point, ids] of refsOf) {
      let referenced = 0;
      let unique = 0;
      for (const id of ids) {
        referenced += await size(id);
        if (users.get(id)!.size === 1) unique += await size(id);
      }
      const figures = stats.points.find((p) => p.pointId === point)!;
      expect({ point, referenced: figures.referencedBytes, unique: figures.uniqueBytes }).toEqual({ point, referenced, unique });
    }
    const itemOf = (point: string): string => (point.startsWith('q') ? 'vm2' : 'vm1');
    for (const item of ['vm1', 'vm2']) {
      let referenced = 0;
      let unique = 0;
      for (const [id, points] of users) {
        const items = new Set([...points].map(itemOf));
        if (!items.has(item)) continue;
        referenced += await size(id);
        if (items.size === 1) unique += await size(id);
      }
      expect({ item, referenced: stats.items[item]!.referencedBytes, unique: stats.items[item]!.uniqueBytes }).toEqual({ item, referenced, unique });
    }
    expect(stats.items.vm1!.uniqueBytes).toBeGreaterThan(0);
    expect(stats.points.find((p) => p.pointId === 'p1')!.uniqueBytes).toBeGreaterThan(0);
  });
});
