import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSync, ftruncateSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { deterministicBytes, requireQemuImg, makeTempDir, qemuImg, qemuInfo, removeDir } from '../../support/disk-fixtures.ts';
import { checkDiskImage, diskImageInfo, exportDiskImage, openDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';

const GIB = 1024 * 1024 * 1024;
const SIZE = 5 * GIB;
/** Data written into a sparse 5 GiB raw file, two of them across 2 GiB extent boundaries. */
const MARKERS = [0, 2 * GIB - 3000, 3 * GIB + 12345, 4 * GIB - 65536, SIZE - 7000];
const MARKER_LENGTH = 6000;

describe.skipIf(!requireQemuImg())('VMDK multi-extent 5 GiB disks (sparse files, never fully read)', () => {
  let dir: string;
  let raw: string;
  beforeAll(() => {
    dir = makeTempDir('labvault-vmdk-large-');
    raw = join(dir, 'big.raw');
    const fd = openSync(raw, 'w');
    try {
      ftruncateSync(fd, SIZE);
      for (const [index, offset] of MARKERS.entries()) writeSync(fd, deterministicBytes(MARKER_LENGTH, index + 1), 0, Math.min(MARKER_LENGTH, SIZE - offset), offset);
    } finally {
      closeSync(fd);
    }
  });
  afterAll(() => removeDir(dir));

  for (const subformat of ['twoGbMaxExtentSparse', 'twoGbMaxExtentFlat'] as const) {
    it(`${subformat}: three extents, reads across extent boundaries, info and check`, async () => {
      const image = join(dir, `${subformat}.vmdk`);
      qemuImg(['convert', '-O', 'vmdk', '-o', `subformat=${subformat}`, raw, image]);
      const info = await diskImageInfo(image);
      expect(info.virtualSize).toBe(qemuInfo(image)['virtual-size']);
      expect(info.files).toHaveLength(4);
      const disk = await openDiskImage(image);
      try {
        for (const [index, offset] of MARKERS.entries()) {
          const length = Math.min(MARKER_LENGTH, SIZE - offset);
          const bytes = Buffer.alloc(length + 512);
          const start = Math.max(0, offset - 256);
          const readLength = Math.min(bytes.length, SIZE - start);
          await disk.read(bytes, start, readLength);
          const inside = bytes.subarray(offset - start, offset - start + length);
          expect(inside.equals(deterministicBytes(MARKER_LENGTH, index + 1).subarray(0, length))).toBe(true);
        }
        const map = await disk.allocationMap();
        const dataBytes = map.filter((range) => !range.zero).reduce((sum, range) => sum + range.length, 0);
        if (subformat === 'twoGbMaxExtentSparse') {
          expect(dataBytes).toBeLessThanOrEqual(MARKERS.length * 2 * 65536);
          expect(info.allocatedBytes).toBe(dataBytes);
        } else {
          expect(dataBytes).toBe(SIZE);
        }
      } finally {
        await disk.close();
      }
      expect((await checkDiskImage(image)).clean).toBe(true);
    });
  }

  it('exports the sparse 5 GiB disk to streamOptimized writing only the allocated grains', async () => {
    const source = join(dir, 'twoGbMaxExtentSparse.vmdk');
    const out = join(dir, 'exported.vmdk');
    await exportDiskImage(source, out, { format: 'vmdk', subformat: 'streamOptimized' });
    expect(statSync(out).size).toBeLessThan(2 * 1024 * 1024);
    qemuImg(['compare', source, out]);
    expect(qemuImg(['check', out])).toContain('No errors');
  });
});
