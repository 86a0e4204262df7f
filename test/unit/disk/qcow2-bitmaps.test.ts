/**
 * qcow2 persistent dirty bitmaps (disk/qcow2/qcow2-bitmaps.ts) and the host cluster map
 * (qcow2-host-map.ts), on images qemu-img and qemu-io make: the directory, flags and bits
 * read as qemu wrote them; in_use and a cleared autoclear bit are seen; the host map holds
 * every data cluster and no metadata. Then a bounded fuzz of damaged extensions,
 * directories and tables: every case parses or ends in a typed BAD_IMAGE error.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, qemuImg, removeDir, requireQemuImg } from '../../support/disk-fixtures.ts';
import { ImageFile } from '../../../electron/engine/disk/image-file.ts';
import { readQcow2Header } from '../../../electron/engine/disk/qcow2/qcow2-header.ts';
import {
  Qcow2DirtyBitmap, readQcow2BitmapTable, readQcow2Bitmaps, type Qcow2Bitmaps,
} from '../../../electron/engine/disk/qcow2/qcow2-bitmaps.ts';
import { chunkFingerprints, readQcow2HostMap } from '../../../electron/engine/disk/qcow2/qcow2-host-map.ts';
import { isLabvaultError } from '../../../shared/errors.ts';
import { Xorshift } from './image-fuzzer.ts';

const hasQemu = requireQemuImg();
const KIB = 1024;
const MIB = 1024 * KIB;
const FUZZ_CASES = 600;
const BITMAPS_EXTENSION = 0x23852875;

let dir: string;

function qemuIo(path: string, ...commands: string[]): void {
  execFileSync('qemu-io', ['-f', 'qcow2', ...commands.flatMap((command) => ['-c', command]), path], { stdio: 'ignore' });
}

async function withImage<T>(path: string, use: (file: ImageFile) => Promise<T>): Promise<T> {
  const file = await ImageFile.open(path);
  try {
    return await use(file);
  } finally {
    await file.close();
  }
}

/** The same reads over bytes in memory (the fuzz mutates a copy in place, no file per case). */
async function withBytes<T>(bytes: Buffer, path: string, use: (file: ImageFile) => Promise<T>): Promise<T> {
  const file = ImageFile.over({
    readInto: async (buffer, bufferOffset, position, length) => { bytes.copy(buffer, bufferOffset, position, position + length); },
  }, bytes.length, path);
  try {
    return await use(file);
  } finally {
    await file.close();
  }
}

async function bitmapsOf(path: string): Promise<Qcow2Bitmaps | null> {
  return withImage(path, async (file) => readQcow2Bitmaps(file, await readQcow2Header(file)));
}

/** Offset of the bitmaps extension's data in the header cluster (the extension list starts at 104 here). */
function extensionDataOffset(bytes: Buffer): number {
  let at = bytes.readUInt32BE(100);
  for (let guard = 0; guard < 64 && at + 8 <= 65536; guard += 1) {
    const type = bytes.readUInt32BE(at);
    const length = bytes.readUInt32BE(at + 4);
    if (type === 0) break;
    if (type === BITMAPS_EXTENSION) return at + 8;
    at += 8 + Math.ceil(length / 8) * 8;
  }
  throw new Error('no bitmaps extension');
}

let image: string;

beforeAll(() => {
  if (!hasQemu) return;
  dir = makeTempDir('labvault-qcow2-bitmaps-');
  image = join(dir, 'disk.qcow2');
  qemuImg(['create', '-q', '-f', 'qcow2', image, '32M']);
  qemuIo(image, 'write -P 0x22 0 8M', 'write -P 0x44 16M 1M');
  qemuImg(['bitmap', '--add', '--enable', image, 'first']);
  qemuImg(['bitmap', '--add', '--enable', '-g', '1M', image, 'coarse']);
  qemuImg(['bitmap', '--add', image, 'off']);
  qemuImg(['bitmap', '--disable', image, 'off']);
  qemuIo(image, 'write -P 0x11 1M 64k', 'write -P 0x33 20M 4k', 'discard 16M 64k');
});

afterAll(() => {
  if (dir) removeDir(dir);
});

describe.skipIf(!hasQemu)('qcow2 dirty bitmaps as qemu writes them', () => {
  it('lists the directory with flags and granularity, and the bits of the writes and the discard', async () => {
    const bitmaps = await bitmapsOf(image);
    expect(bitmaps?.consistent).toBe(true);
    const byName = new Map(bitmaps!.bitmaps.map((bitmap) => [bitmap.name, bitmap]));
    expect([...byName.keys()].sort()).toEqual(['coarse', 'first', 'off']);
    expect(byName.get('first')).toMatchObject({ auto: true, inUse: false, granularityBits: 16, usable: true });
    expect(byName.get('coarse')).toMatchObject({ auto: true, granularityBits: 20 });
    expect(byName.get('off')).toMatchObject({ auto: false });
    await withImage(image, async (file) => {
      const header = await readQcow2Header(file);
      const first = byName.get('first')!;
      const dirty = await Qcow2DirtyBitmap.load(file, header, first, await readQcow2BitmapTable(file, header, first));
      const dirtyClusters: number[] = [];
      for (let cluster = 0; cluster < 512; cluster += 1) if (!dirty.isClean(cluster * 64 * KIB, 64 * KIB)) dirtyClusters.push(cluster);
      // 1M/64k = 16, 20M/64k = 320 (a 4 KiB write dirties its cluster), 16M/64k = 256 (discard).
      expect(dirtyClusters).toEqual([16, 256, 320]);
      const coarse = byName.get('coarse')!;
      const big = await Qcow2DirtyBitmap.load(file, header, coarse, await readQcow2BitmapTable(file, header, coarse));
      expect(big.isClean(0, MIB)).toBe(true);
      expect(big.isClean(MIB, 1)).toBe(false);
      expect(big.isClean(MIB - 1, 2)).toBe(false);
      expect(big.isClean(2 * MIB, 14 * MIB)).toBe(true);
      expect(big.isClean(31 * MIB, 2 * MIB)).toBe(false);
    });
  });

  it('sees in_use and a cleared autoclear bit, and an image without bitmaps', async () => {
    const bytes = readFileSync(image);
    const inUse = Buffer.from(bytes);
    const directory = Number(inUse.readBigUInt64BE(extensionDataOffset(inUse) + 16));
    inUse.writeUInt32BE(inUse.readUInt32BE(directory + 12) | 1, directory + 12);
    writeFileSync(join(dir, 'in-use.qcow2'), inUse);
    expect((await bitmapsOf(join(dir, 'in-use.qcow2')))!.bitmaps[0]!.inUse).toBe(true);
    const cleared = Buffer.from(bytes);
    cleared.writeBigUInt64BE(cleared.readBigUInt64BE(88) & ~1n, 88);
    writeFileSync(join(dir, 'cleared.qcow2'), cleared);
    expect((await bitmapsOf(join(dir, 'cleared.qcow2')))!.consistent).toBe(false);
    const plain = join(dir, 'plain.qcow2');
    qemuImg(['create', '-q', '-f', 'qcow2', plain, '4M']);
    expect(await bitmapsOf(plain)).toBeNull();
  });

  it('maps every plain data cluster to its guest cluster and no metadata', async () => {
    await withImage(image, async (file) => {
      const header = await readQcow2Header(file);
      const answer = await readQcow2HostMap(file, header, await readQcow2Bitmaps(file, header));
      expect(answer.why).toBeUndefined();
      const map = answer.map!;
      const guests = [...map.hostToGuest].filter((guest) => guest >= 0).sort((a, b) => a - b);
      // 8 MiB at 0 (clusters 0..127), 1 MiB at 16 MiB minus the discarded 64 KiB (257..271), 4 KiB at 20 MiB (320).
      const expected = [...Array.from({ length: 128 }, (_, i) => i), ...Array.from({ length: 15 }, (_, i) => 257 + i), 320];
      expect(guests).toEqual(expected);
      expect(map.hostToGuest[0]).toBeLessThan(0);
      expect(map.hostToGuest[header.l1TableOffset / header.clusterSize]).toBeLessThan(0);
      expect(map.hostToGuest[header.refcountTableOffset / header.clusterSize]).toBeLessThan(0);
      // Every chunk holding the header or other metadata has no fingerprint.
      const fingerprints = chunkFingerprints(map, MIB);
      expect(fingerprints.subarray(0, 16).every((byte) => byte === 0)).toBe(true);
    });
  });

  it('refuses images that map nothing: dirty, extended L2', async () => {
    const extended = join(dir, 'extended.qcow2');
    qemuImg(['create', '-q', '-f', 'qcow2', '-o', 'extended_l2=on', extended, '4M']);
    await withImage(extended, async (file) => {
      const answer = await readQcow2HostMap(file, await readQcow2Header(file), null);
      expect(answer.map).toBeNull();
      expect(answer.why).toMatch(/extended L2/);
    });
  });
});

describe.skipIf(!hasQemu)('damaged bitmap structures end in typed errors (bounded fuzz)', () => {
  it(`${FUZZ_CASES} mutants of the extension, directory and tables parse or fail with BAD_IMAGE`, async () => {
    const bytes = readFileSync(image);
    const extension = extensionDataOffset(bytes);
    const directory = Number(bytes.readBigUInt64BE(extension + 16));
    const directorySize = Number(bytes.readBigUInt64BE(extension + 8));
    const table = Number(bytes.readBigUInt64BE(directory));
    const windows = [
      { start: extension, end: extension + 24 },
      { start: directory, end: directory + directorySize },
      { start: table, end: table + 64 },
      { start: 88, end: 96 },
    ];
    const random = new Xorshift(0x5eed15);
    const path = join(dir, 'mutant.qcow2');
    const edges = [0n, 1n, 7n, 8n, 9n, 31n, 32n, 64n, 0x1ffn, 0x10000n, 0xffffn, 0xffffffffn, 2n ** 40n, 2n ** 63n, 2n ** 64n - 1n];
    let parsed = 0;
    let failed = 0;
    const mutant = Buffer.from(bytes);
    for (let index = 0; index < FUZZ_CASES; index += 1) {
      for (const each of windows) bytes.copy(mutant, each.start, each.start, each.end);
      const window = random.pick(windows);
      const flips = 1 + random.int(4);
      for (let flip = 0; flip < flips; flip += 1) {
        const at = window.start + random.int(window.end - window.start);
        if (random.next() < 0.5) mutant[at] = mutant[at]! ^ (1 << random.int(8));
        else {
          const wide = random.next() < 0.5 && at + 8 <= window.end;
          const value = random.pick(edges);
          if (wide) mutant.writeBigUInt64BE(value & (2n ** 64n - 1n), at);
          else if (at + 4 <= window.end) mutant.writeUInt32BE(Number(value & 0xffffffffn), at);
        }
      }
      try {
        await withBytes(mutant, path, async (file) => {
          const header = await readQcow2Header(file);
          const found = await readQcow2Bitmaps(file, header);
          for (const bitmap of found?.bitmaps ?? []) {
            if (bitmap.inUse || !bitmap.usable) continue;
            const loaded = await Qcow2DirtyBitmap.load(file, header, bitmap, await readQcow2BitmapTable(file, header, bitmap));
            loaded.isClean(0, header.virtualSize);
          }
          await readQcow2HostMap(file, header, found);
        });
        parsed += 1;
      } catch (error) {
        if (!isLabvaultError(error)) throw error;
        expect(['BAD_IMAGE', 'UNSUPPORTED']).toContain(error.code);
        failed += 1;
      }
    }
    expect(parsed + failed).toBe(FUZZ_CASES);
    expect(failed).toBeGreaterThan(FUZZ_CASES / 10);
  });
});
