/**
 * A point's disk images opened in place over the vault (point-files.ts, file-set-opener.ts,
 * point-disk-images.ts; here on the test's thread, in the app inside the guest worker):
 * a qcow2 reads byte for byte as qemu-img converts it while a small read fetches only the
 * chunks it needs (header, L1, one L2 table, the data cluster), a chain is one disk, and a
 * bounded count of damaged qcow2 images each ends in a typed error, never another throw.
 * Points made by the store kit record no source paths: the files sit flat, and a relative
 * backing name resolves among them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isLabvaultError } from '../../../shared/errors.ts';
import { ChunkCache } from '../../../electron/engine/guest/chunk-cache.ts';
import { FileSetOpener } from '../../../electron/engine/guest/file-set-opener.ts';
import { openPointDiskImages } from '../../../electron/engine/guest/point-disk-images.ts';
import type { PointDiskImages } from '../../../electron/engine/guest/point-disk-images.ts';
import { pointFilesOf } from '../../../electron/engine/guest/point-files.ts';
import type { ReadCounters } from '../../../electron/engine/guest/point-disk-source.ts';
import { makeTempDir, qemuImg, qemuRawBytes, removeDir, requireQemuImg, writePatternRaw } from '../../support/disk-fixtures.ts';
import { backupPoint, makeVault, TEST_CHUNK } from '../vault-store/store-test-kit.ts';
import type { TestVault } from '../vault-store/store-test-kit.ts';

const MIB = 1024 * 1024;
const dir = makeTempDir('labvault-point-disks-');
let vault: TestVault | undefined;
let disks: (PointDiskImages & { counters: ReadCounters }) | undefined;
afterEach(async () => {
  await disks?.close();
  disks = undefined;
  await vault?.cleanup();
  vault = undefined;
});
afterAll(() => removeDir(dir));

/** Backs `paths` up as a new point (in a new vault unless one is open) and opens its disks. */
async function openPoint(paths: string[], pointId = 'p1'): Promise<PointDiskImages & { counters: ReadCounters }> {
  vault ??= await makeVault();
  await backupPoint(vault.store, 'item1', pointId, paths);
  const manifest = await vault.store.readManifest('item1', pointId);
  const files = pointFilesOf(vault.store, manifest, new ChunkCache(64 * MIB));
  const images = await openPointDiskImages(new FileSetOpener(files.files, (index) => files.sources[index]!));
  disks = { ...images, counters: files.counters };
  return disks;
}

async function readAll(source: PointDiskImages['disks'][number]['source'], piece = 3 * MIB + 4097): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let at = 0; at < source.size; at += piece) parts.push(await source.read(at, Math.min(piece, source.size - at)));
  return Buffer.concat(parts);
}

/** A small deterministic generator (mulberry32) for the damage positions. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.skipIf(!requireQemuImg())('a point\'s disk images read in place', () => {
  it('reads a qcow2 as qemu-img does, and a small read fetches only the chunks it needs', async () => {
    const raw = writePatternRaw(join(dir, 'pattern.raw'), { size: 48 * MIB, seed: 5 });
    const image = join(dir, 'disk.qcow2');
    qemuImg(['convert', '-O', 'qcow2', raw, image]);
    const opened = await openPoint([image]);
    expect(opened.skipped).toEqual([]);
    expect(opened.disks.map((disk) => [disk.name, disk.image])).toEqual([['disk.qcow2', { format: 'qcow2', files: ['disk.qcow2'] }]]);
    const source = opened.disks[0]!.source;
    const before = opened.counters.chunksRead;
    const expected = readFileSync(raw);
    const at = 40 * MIB + 12345;
    expect((await source.read(at, 4096)).equals(expected.subarray(at, at + 4096))).toBe(true);
    // One L2 table and one data cluster at most (the header and L1 were read when the disk was opened).
    expect(opened.counters.chunksRead - before).toBeLessThanOrEqual(2);
    expect(before).toBeLessThanOrEqual(3);
    expect(readFileSync(image).length / TEST_CHUNK).toBeGreaterThan(200);
    expect((await readAll(source)).equals(expected)).toBe(true);
  });

  it('opens a chain as one disk over its base, the base named by its relative file name', async () => {
    const raw = writePatternRaw(join(dir, 'chain.raw'), { size: 8 * MIB, seed: 9 });
    const base = join(dir, 'base.qcow2');
    const top = join(dir, 'top.qcow2');
    qemuImg(['convert', '-O', 'qcow2', raw, base]);
    qemuImg(['create', '-q', '-f', 'qcow2', '-b', 'base.qcow2', '-F', 'qcow2', top]);
    const overlay = Buffer.alloc(MIB, 0x5a);
    writeFileSync(join(dir, 'overlay.bin'), overlay);
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', `write -q -s ${join(dir, 'overlay.bin')} ${2 * MIB + 4096} ${MIB}`, top]);
    const expected = qemuRawBytes(top, dir);
    expect(expected.subarray(2 * MIB + 4096, 3 * MIB + 4096).equals(overlay)).toBe(true);
    const opened = await openPoint([base, top]);
    expect(opened.disks.map((disk) => [disk.name, disk.image])).toEqual([['top.qcow2', { format: 'qcow2', files: ['top.qcow2', 'base.qcow2'] }]]);
    expect((await readAll(opened.disks[0]!.source)).equals(expected)).toBe(true);
  });

  it('a damaged qcow2 ends in a typed error on open or on read, whatever the damage (bounded count)', async () => {
    const raw = writePatternRaw(join(dir, 'small.raw'), { size: 4 * MIB, seed: 3 });
    const clean = join(dir, 'small.qcow2');
    qemuImg(['convert', '-O', 'qcow2', '-o', 'cluster_size=4096', raw, clean]);
    const pristine = readFileSync(clean);
    const random = prng(77);
    const outcomes = { opened: 0, refused: 0, readFailed: 0 };
    for (let round = 0; round < 24; round += 1) {
      const damaged = Buffer.from(pristine);
      // Damage the header fields, or the L1, refcount and L2 tables (the first clusters), a few bytes each time.
      for (let hit = 0; hit < 3; hit += 1) {
        const at = random() < 0.5 ? Math.floor(random() * 112) : Math.floor(random() * 5 * 4096);
        damaged[at] = Math.floor(random() * 256);
      }
      const path = join(dir, `damaged-${round}.qcow2`);
      writeFileSync(path, damaged);
      const opened = await openPoint([path], `p${round}`);
      if (opened.skipped.length > 0) {
        outcomes.refused += 1;
        expect(opened.skipped[0]?.code, opened.skipped[0]?.reason).toMatch(/^(BAD_IMAGE|UNSUPPORTED|NOT_FOUND)$/);
      } else {
        outcomes.opened += 1;
        try {
          await readAll(opened.disks[0]!.source, 512 * 1024);
        } catch (error) {
          expect(isLabvaultError(error), String(error)).toBe(true);
          outcomes.readFailed += 1;
        }
      }
      await disks?.close();
      disks = undefined;
    }
    expect(outcomes.opened + outcomes.refused).toBe(24);
    // The seed damages the header often enough that some images are refused when opened.
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
