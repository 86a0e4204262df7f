import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync, closeSync, ftruncateSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, qemuInfo, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { checkDiskImage, diskImageInfo, exportDiskImage, openDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { ZERO_SCAN_BLOCK } from '../../../electron/engine/disk/zero-scan.ts';
import { writeRawImage } from '../../../electron/engine/disk/raw/raw-writer.ts';
import { writeQcow2Image } from '../../../electron/engine/disk/qcow2/qcow2-writer.ts';
import { existsSync } from 'node:fs';
import { LabvaultError } from '../../../shared/errors.ts';
import type { VirtualDisk } from '../../../electron/engine/disk/virtual-disk.ts';

const MiB = 1024 * 1024;
let dir: string;

beforeAll(() => {
  dir = makeTempDir('labvault-raw-');
});
afterAll(() => removeDir(dir));

describe('raw images', () => {
  it('opens a raw file of odd size: virtual size = file size, reads match the bytes', async () => {
    const path = writePatternRaw(join(dir, 'odd.raw'), { size: 3 * MiB + 777, seed: 4 });
    const bytes = readFileSync(path);
    const disk = await openDiskImage(path);
    try {
      expect(disk.format).toBe('raw');
      expect(disk.virtualSize).toBe(bytes.length);
      const buffer = Buffer.alloc(5000);
      await disk.read(buffer, bytes.length - 5000, 5000);
      expect(buffer.equals(bytes.subarray(bytes.length - 5000))).toBe(true);
      await expect(disk.read(Buffer.alloc(2), bytes.length - 1, 2)).rejects.toMatchObject({ code: 'BAD_IMAGE' });
    } finally {
      await disk.close();
    }
    const info = await diskImageInfo(path);
    // Our virtual size is the file size exactly; qemu-img 7.2 reports it rounded up to 512.
    expect(info).toMatchObject({ format: 'raw', virtualSize: bytes.length, fileSize: bytes.length });
    expect(qemuInfo(path)['virtual-size']).toBe(Math.ceil(bytes.length / 512) * 512);
    expect(await checkDiskImage(path)).toMatchObject({ format: 'raw', clean: true });
  });

  it('maps all-zero 1 MiB blocks as zero, a fully sparse file without reading', async () => {
    const path = join(dir, 'blocks.raw');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, 4 * ZERO_SCAN_BLOCK + 10);
    closeSync(fd);
    const sparse = await openDiskImage(path);
    expect(await sparse.allocationMap()).toEqual([{ offset: 0, length: 4 * ZERO_SCAN_BLOCK + 10, zero: true }]);
    await sparse.close();
    const bytes = Buffer.alloc(4 * ZERO_SCAN_BLOCK + 10);
    bytes[ZERO_SCAN_BLOCK + 5] = 1;
    bytes[bytes.length - 1] = 2;
    writeFileSync(path, bytes);
    const disk = await openDiskImage(path);
    expect(await disk.allocationMap()).toEqual([
      { offset: 0, length: ZERO_SCAN_BLOCK, zero: true },
      { offset: ZERO_SCAN_BLOCK, length: ZERO_SCAN_BLOCK, zero: false },
      { offset: 2 * ZERO_SCAN_BLOCK, length: 2 * ZERO_SCAN_BLOCK, zero: true },
      { offset: 4 * ZERO_SCAN_BLOCK, length: 10, zero: false },
    ]);
    await disk.close();
  });

  it('exports raw to a sparse raw copy, byte-identical, refusing to overwrite', async () => {
    const path = join(dir, 'holes.raw');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, 16 * MiB + 3);
    closeSync(fd);
    const data = Buffer.alloc(MiB, 0x61);
    const bytes = Buffer.alloc(16 * MiB + 3);
    data.copy(bytes, 5 * MiB);
    writeFileSync(path, bytes);
    const out = join(dir, 'holes.out.raw');
    const progress: [number, number][] = [];
    await exportDiskImage(path, out, { onProgress: (done, total) => progress.push([done, total]) });
    expect(readFileSync(out).equals(bytes)).toBe(true);
    expect(statSync(out).blocks * 512).toBeLessThanOrEqual(2 * MiB);
    expect(progress[progress.length - 1]).toEqual([16 * MiB + 3, 16 * MiB + 3]);
    await expect(exportDiskImage(path, out)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('refuses an unknown target format and a missing source clearly', async () => {
    const path = writePatternRaw(join(dir, 'small.raw'), { size: MiB });
    await expect(exportDiskImage(join(dir, 'missing.raw'), join(dir, 'x.raw'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(exportDiskImage(path, join(dir, 'y.img'), { format: 'bogus' as 'raw' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('reads a block device (loop device) with its size from sysfs, when loop devices are available', async (context) => {
    const backing = join(dir, 'loop.raw');
    const bytes = Buffer.alloc(4 * MiB);
    bytes.write('block device data', 2 * MiB + 100);
    writeFileSync(backing, bytes);
    let device: string;
    try {
      device = execFileSync('losetup', ['-f', '--show', backing], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch (error) {
      context.skip(`no loop device (losetup -f failed: ${String((error as Error).message).split('\n')[0]})`);
      return;
    }
    try {
      const info = await diskImageInfo(device);
      expect(info).toMatchObject({ format: 'raw', virtualSize: 4 * MiB, fileSize: 4 * MiB });
      const out = join(dir, 'loop.out.raw');
      await exportDiskImage(device, out);
      expect(readFileSync(out).equals(bytes)).toBe(true);
    } finally {
      execFileSync('losetup', ['-d', device]);
    }
  });

  it('removes a half-written output and reports the source error when a read fails mid-way', async () => {
    let reads = 0;
    const failing: VirtualDisk = {
      format: 'raw', path: '/fake', virtualSize: 64 * MiB, concurrentReads: true,
      read: async (buffer) => {
        reads += 1;
        if (reads === 5) throw new LabvaultError('BAD_IMAGE', '/fake: damaged on purpose');
        buffer.fill(1);
      },
      allocationMap: async () => [{ offset: 0, length: 64 * MiB, zero: false }],
      close: async () => undefined,
    };
    for (const [name, write] of [['raw', writeRawImage], ['qcow2', writeQcow2Image]] as const) {
      reads = 0;
      const out = join(dir, `failing.${name}`);
      await expect(write(failing, out, {}), name).rejects.toMatchObject({ code: 'BAD_IMAGE' });
      expect(existsSync(out), name).toBe(false);
    }
    const aborted = new AbortController();
    aborted.abort();
    await expect(writeRawImage(failing, join(dir, 'aborted.raw'), { signal: aborted.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(existsSync(join(dir, 'aborted.raw'))).toBe(false);
  });
});
