import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, qemuImg, qemuInfo, qemuRawBytes, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { diskImageInfo, exportDiskImage, openDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { LabvaultError } from '../../../shared/errors.ts';

const MiB = 1024 * 1024;
let dir: string;
let raw: string;
let oddRaw: string;

beforeAll(() => {
  dir = makeTempDir('labvault-qcow2-read-');
  raw = writePatternRaw(join(dir, 'pattern.raw'), { size: 5 * MiB, seed: 3 });
  oddRaw = writePatternRaw(join(dir, 'odd.raw'), { size: 3 * MiB + 12345, region: 40_000, seed: 9 });
});
afterAll(() => removeDir(dir));

const variants: { name: string; options: string[]; odd?: boolean }[] = [
  { name: 'v2-compat-0.10', options: ['-o', 'compat=0.10'] },
  { name: 'v3', options: ['-o', 'compat=1.1'] },
  { name: 'v3-odd-size', options: [], odd: true },
  { name: 'deflate-compressed', options: ['-c'] },
  { name: 'zstd-compressed', options: ['-c', '-o', 'compression_type=zstd'] },
  { name: 'cluster-512', options: ['-o', 'cluster_size=512'] },
  { name: 'cluster-2M', options: ['-o', 'cluster_size=2M'] },
  { name: 'extended-l2', options: ['-o', 'extended_l2=on'] },
  { name: 'extended-l2-compressed', options: ['-c', '-o', 'extended_l2=on'] },
  { name: 'v2-compressed-odd', options: ['-c', '-o', 'compat=0.10'], odd: true },
];

describe('qcow2 reader against qemu-img', () => {
  for (const variant of variants) {
    it(`exports ${variant.name} byte-identical to qemu-img convert -O raw`, async () => {
      const image = join(dir, `${variant.name}.qcow2`);
      qemuImg(['convert', '-f', 'raw', '-O', 'qcow2', ...variant.options, variant.odd ? oddRaw : raw, image]);
      const out = join(dir, `${variant.name}.out.raw`);
      await exportDiskImage(image, out);
      expect(readFileSync(out).equals(qemuRawBytes(image, dir))).toBe(true);

      const reference = qemuInfo(image);
      const info = await diskImageInfo(image);
      expect(info.format).toBe(reference.format);
      expect(info.virtualSize).toBe(reference['virtual-size']);
      expect(info.clusterSize).toBe(reference['cluster-size']);
      expect(info.fileSize).toBe(readFileSync(image).length);
      expect(info.chain).toEqual([{ path: image, format: 'qcow2' }]);
    });
  }

  it('reads unaligned ranges across cluster boundaries like the raw bytes', async () => {
    const image = join(dir, 'ranges.qcow2');
    qemuImg(['convert', '-f', 'raw', '-O', 'qcow2', '-o', 'cluster_size=4096', raw, image]);
    const expected = readFileSync(raw);
    const disk = await openDiskImage(image);
    try {
      for (const [offset, length] of [[0, 1], [4095, 2], [65_000, 200_000], [5 * MiB - 7, 7], [1_234_567, 1]] as const) {
        const buffer = Buffer.alloc(length);
        await disk.read(buffer, offset, length);
        expect(buffer.equals(expected.subarray(offset, offset + length))).toBe(true);
      }
      await expect(disk.read(Buffer.alloc(2), 5 * MiB - 1, 2)).rejects.toMatchObject({ code: 'BAD_IMAGE' });
    } finally {
      await disk.close();
    }
  });

  it('lists internal snapshots and reads the active layer', async () => {
    const image = join(dir, 'snap.qcow2');
    qemuImg(['convert', '-f', 'raw', '-O', 'qcow2', raw, image]);
    qemuImg(['snapshot', '-c', 'before-upgrade', image]);
    qemuImg(['snapshot', '-c', 'second', image]);
    const info = await diskImageInfo(image);
    const reference = qemuInfo(image) as { snapshots: { id: string; name: string; 'vm-state-size': number; 'date-sec': number }[] };
    expect(info.snapshots?.map((snapshot) => snapshot.name)).toEqual(reference.snapshots.map((snapshot) => snapshot.name));
    expect(info.snapshots?.map((snapshot) => snapshot.id)).toEqual(reference.snapshots.map((snapshot) => snapshot.id));
    expect(info.snapshots?.[0]?.date).toBe(new Date(reference.snapshots[0]!['date-sec'] * 1000).toISOString());
    const out = join(dir, 'snap.out.raw');
    await exportDiskImage(image, out);
    expect(readFileSync(out).equals(readFileSync(raw))).toBe(true);
  });

  it('reports the allocation map of a qcow2 like qemu-img map (data ranges)', async () => {
    const image = join(dir, 'map.qcow2');
    qemuImg(['convert', '-f', 'raw', '-O', 'qcow2', raw, image]);
    const disk = await openDiskImage(image);
    const ranges = await disk.allocationMap();
    await disk.close();
    const reference = JSON.parse(qemuImg(['map', '--output=json', image])) as { start: number; length: number; data: boolean; zero: boolean }[];
    const refData = reference.filter((range) => range.data).map((range) => [range.start, range.length]);
    const ourData = ranges.filter((range) => !range.zero).map((range) => [range.offset, range.length]);
    expect(ourData).toEqual(refData);
    expect(ranges.reduce((sum, range) => sum + range.length, 0)).toBe(5 * MiB);
  });

  it('reads an image with an external data file', async () => {
    const image = join(dir, 'external.qcow2');
    const data = join(dir, 'external.data');
    qemuImg(['create', '-f', 'qcow2', '-o', `data_file=${data}`, image, '5M']);
    qemuImg(['convert', '-n', '-f', 'raw', '-O', 'qcow2', raw, image]);
    const out = join(dir, 'external.out.raw');
    await exportDiskImage(image, out);
    expect(readFileSync(out).equals(qemuRawBytes(image, dir))).toBe(true);
    expect((await diskImageInfo(image)).files).toEqual([image, data]);
  });

  it('reads header-mutated images exactly like qemu-img whenever both accept them', async () => {
    const source = join(dir, 'mutation-source.qcow2');
    qemuImg(['convert', '-f', 'raw', '-O', 'qcow2', '-o', 'cluster_size=4096', oddRaw, source]);
    const original = readFileSync(source);
    let state = 0x1234567;
    const random = (limit: number): number => {
      state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
      return (state >>> 0) % limit;
    };
    const image = join(dir, 'mutated.qcow2');
    const ours = join(dir, 'mutated.ours.raw');
    const theirs = join(dir, 'mutated.qemu.raw');
    let bothRead = 0;
    for (let index = 0; index < 60; index += 1) {
      const bytes = Buffer.from(original);
      for (let flips = 1 + random(3); flips > 0; flips -= 1) bytes[random(200)]! ^= 1 << random(8);
      writeFileSync(image, bytes);
      rmSync(ours, { force: true });
      rmSync(theirs, { force: true });
      const qemuOk = spawnSync('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', image, theirs], { stdio: 'ignore' }).status === 0;
      const oursOk = await exportDiskImage(image, ours, { sourceFormat: 'qcow2' }).then(() => true, (error: unknown) => {
        expect(error).toBeInstanceOf(LabvaultError);
        return false;
      });
      if (qemuOk && oursOk) {
        bothRead += 1;
        expect(readFileSync(ours).equals(readFileSync(theirs)), `mutation ${index}`).toBe(true);
      }
    }
    expect(bothRead).toBeGreaterThan(10);
  });
});
