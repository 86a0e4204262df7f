/**
 * Disks larger than one chunk (2^23 sectors per sector bitmap): the BAT interleaves a
 * sector bitmap entry after every `chunk ratio` payload entries, so payload entry indexes
 * shift past 4 GiB (1 MiB blocks) or 4 GiB (2 MiB blocks with the writer's chunk ratio 2048).
 * Images stay sparse; only written regions are compared (qemu-img compare would read GiBs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { requireQemuImg, makeTempDir, qemuImg, removeDir } from '../../support/disk-fixtures.ts';
import { VhdxDisk } from '../../../electron/engine/disk/vhdx/vhdx-disk.ts';
import { vhdxFormat } from '../../../electron/engine/disk/vhdx/vhdx-format.ts';
import type { DiskRange, VirtualDisk } from '../../../electron/engine/disk/virtual-disk.ts';

const run = requireQemuImg() ? describe : describe.skip;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const WRITES = [
  { offset: 1 * MiB, length: 4096, pattern: 0xcd },
  { offset: 4608 * MiB, length: 65536, pattern: 0xab },
  { offset: 6 * GiB - MiB, length: MiB, pattern: 0x11 },
];

function readRegion(path: string, offset: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try { readSync(fd, buffer, 0, length, offset); } finally { closeSync(fd); }
  return buffer;
}

/** A 6 GiB disk in memory: zeros except WRITES, with an exact allocation map. */
class PatternDisk implements VirtualDisk {
  readonly format = 'raw' as const;
  readonly path = 'memory:pattern';
  readonly virtualSize = 6 * GiB;
  async read(buffer: Buffer, offset: number, length: number): Promise<void> {
    buffer.fill(0, 0, length);
    for (const write of WRITES) {
      const from = Math.max(offset, write.offset);
      const to = Math.min(offset + length, write.offset + write.length);
      if (from < to) buffer.fill(write.pattern, from - offset, to - offset);
    }
  }
  async allocationMap(): Promise<DiskRange[]> {
    const ranges: DiskRange[] = [];
    let position = 0;
    for (const write of WRITES) {
      if (write.offset > position) ranges.push({ offset: position, length: write.offset - position, zero: true });
      ranges.push({ offset: write.offset, length: write.length, zero: false });
      position = write.offset + write.length;
    }
    if (position < this.virtualSize) ranges.push({ offset: position, length: this.virtualSize - position, zero: true });
    return ranges;
  }
  async close(): Promise<void> {}
}

async function expectPatterns(disk: VirtualDisk): Promise<void> {
  for (const write of WRITES) {
    const around = Buffer.alloc(write.length + 8192);
    const start = write.offset - 4096;
    const length = Math.min(around.length, disk.virtualSize - start);
    await disk.read(around.subarray(0, length), start, length);
    expect(around.subarray(0, 4096).every((b) => b === 0)).toBe(true);
    expect(around.subarray(4096, 4096 + write.length).every((b) => b === write.pattern)).toBe(true);
  }
}

run('VHDX beyond one sector bitmap chunk', () => {
  let dir = '';
  beforeAll(() => { dir = makeTempDir('labvault-vhdx-large-'); });
  afterAll(() => removeDir(dir));

  it('reads a 6 GiB qemu image with 1 MiB blocks (chunk ratio 4096) at the right blocks', async () => {
    const image = join(dir, 'big.vhdx');
    qemuImg(['create', '-q', '-f', 'vhdx', '-o', 'block_size=1M', image, '6G']);
    execFileSync('qemu-io', ['-f', 'vhdx', ...WRITES.flatMap((w) => ['-c', `write -P ${w.pattern} ${w.offset} ${w.length}`]), image], { stdio: 'ignore' });
    const reference = join(dir, 'big.raw');
    qemuImg(['convert', '-f', 'vhdx', '-O', 'raw', image, reference]);
    const disk = await VhdxDisk.open(image);
    expect(disk.structure.chunkRatio).toBe(4096);
    await expectPatterns(disk);
    for (const write of WRITES) {
      const ours = Buffer.alloc(2 * MiB);
      const start = Math.floor(write.offset / MiB) * MiB - (write.offset >= 2 * MiB ? MiB : 0);
      await disk.read(ours, start, Math.min(2 * MiB, disk.virtualSize - start));
      expect(ours.subarray(0, Math.min(2 * MiB, disk.virtualSize - start)).equals(readRegion(reference, start, Math.min(2 * MiB, disk.virtualSize - start)))).toBe(true);
    }
    const data = (await disk.allocationMap()).filter((range) => !range.zero);
    expect(data.map((range) => range.offset)).toEqual(WRITES.map((w) => Math.floor(w.offset / MiB) * MiB));
    await disk.close();
  });

  it('writes a 6 GiB sparse disk (2 MiB blocks, chunk ratio 2048) that qemu-img checks and reads', async () => {
    const out = join(dir, 'written.vhdx');
    await vhdxFormat.write!(new PatternDisk(), out, {});
    expect(statSync(out).size).toBeLessThan(16 * MiB);
    expect(execFileSync('qemu-img', ['check', '-f', 'vhdx', out], { encoding: 'utf8' })).toContain('No errors were found');
    const verify = execFileSync('qemu-io', ['-r', '-f', 'vhdx', ...WRITES.flatMap((w) => ['-c', `read -P ${w.pattern} ${w.offset} ${w.length}`]), out], { encoding: 'utf8' });
    expect(verify).not.toContain('Pattern verification failed');
    const zeroCheck = execFileSync('qemu-io', ['-r', '-f', 'vhdx', '-c', `read -P 0 ${4 * GiB} ${2 * MiB}`, '-c', `read -P 0 ${4608 * MiB + 65536} 4096`, out], { encoding: 'utf8' });
    expect(zeroCheck).not.toContain('Pattern verification failed');
    const back = await VhdxDisk.open(out);
    expect(back.structure.chunkRatio).toBe(2048);
    await expectPatterns(back);
    await back.close();
  });
});
