import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireQemuImg, makeTempDir, qemuImg, qemuInfo, qemuRawBytes, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { checkDiskImage, exportDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { openAndRead } from './image-read-back.ts';

const SUBFORMATS = ['monolithicSparse', 'streamOptimized'] as const;

describe.skipIf(!requireQemuImg())('VMDK writers read back by qemu-img', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeTempDir('labvault-vmdk-write-');
  });
  afterAll(() => removeDir(dir));

  for (const subformat of SUBFORMATS) {
    for (const size of [5 * 1024 * 1024, 3_333_333, 40 * 1024 * 1024]) {
      it(`writes ${subformat} from a ${size}-byte raw: qemu-img check clean, compare equal`, async () => {
        const region = size > 10 * 1024 * 1024 ? 1024 * 1024 : 128 * 1024;
        const raw = writePatternRaw(join(dir, `src-${subformat}-${size}.raw`), { size, seed: 3, region });
        const out = join(dir, `out-${subformat}-${size}.vmdk`);
        const progress: number[] = [];
        await exportDiskImage(raw, out, { format: 'vmdk', subformat, onProgress: (done) => progress.push(done) });
        expect(qemuImg(['check', out])).toContain('No errors');
        qemuImg(['compare', '-f', 'raw', '-F', 'vmdk', raw, out]);
        const info = qemuInfo(out);
        expect((info['format-specific'] as { data: { 'create-type': string } }).data['create-type']).toBe(subformat);
        expect(info['virtual-size']).toBe(Math.ceil(size / 512) * 512);
        expect(progress.at(-1)).toBe(size);
        // Only allocated data is written: holes and written zeros (half the pattern) take no grains.
        expect(statSync(out).size).toBeLessThan(size * 0.75);
        const { bytes } = await openAndRead(out);
        expect(bytes.equals(qemuRawBytes(out, dir))).toBe(true);
        expect((await checkDiskImage(out)).clean).toBe(true);
      });
    }
  }

  it('writes the merged view of a VMDK chain, and an empty disk', async () => {
    const raw = writePatternRaw(join(dir, 'chain-base.raw'), { size: 2 * 1024 * 1024, seed: 4 });
    const base = join(dir, 'chain-base.vmdk');
    qemuImg(['convert', '-O', 'vmdk', raw, base]);
    const child = join(dir, 'chain-child.vmdk');
    qemuImg(['create', '-q', '-f', 'vmdk', '-b', 'chain-base.vmdk', '-F', 'vmdk', child]);
    for (const subformat of SUBFORMATS) {
      const out = join(dir, `chain-out-${subformat}.vmdk`);
      await exportDiskImage(child, out, { format: 'vmdk', subformat });
      qemuImg(['compare', child, out]);
      expect(qemuInfo(out)['backing-filename']).toBeUndefined();
    }
    const empty = join(dir, 'empty.raw');
    writeFileSync(empty, Buffer.alloc(0));
    qemuImg(['create', '-q', '-f', 'raw', empty, '1M']);
    for (const subformat of SUBFORMATS) {
      const out = join(dir, `empty-${subformat}.vmdk`);
      await exportDiskImage(empty, out, { format: 'vmdk', subformat });
      expect(qemuImg(['check', out])).toContain('No errors');
      qemuImg(['compare', empty, out]);
    }
  });

  it('a cancelled write stops with CANCELLED and leaves no file', async () => {
    const raw = writePatternRaw(join(dir, 'cancel.raw'), { size: 4 * 1024 * 1024, region: 256 * 1024 });
    for (const subformat of SUBFORMATS) {
      const controller = new AbortController();
      const out = join(dir, `cancelled-${subformat}.vmdk`);
      const write = exportDiskImage(raw, out, { format: 'vmdk', subformat, signal: controller.signal, onProgress: (done) => { if (done > 0) controller.abort(); } });
      await expect(write).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(existsSync(out)).toBe(false);
    }
  });

  it('refuses a disk larger than a sparse extent can address, before writing anything', async () => {
    const huge = join(dir, 'huge.raw');
    writeFileSync(huge, Buffer.alloc(0));
    qemuImg(['create', '-q', '-f', 'raw', huge, '3T']);
    for (const subformat of SUBFORMATS) {
      const out = join(dir, `huge-${subformat}.vmdk`);
      await expect(exportDiskImage(huge, out, { format: 'vmdk', subformat })).rejects.toMatchObject({ code: 'UNSUPPORTED', field: 'vmdk.header.capacity' });
      expect(existsSync(out)).toBe(false);
    }
  });

  it('refuses an unknown subformat and an existing output file', async () => {
    const raw = writePatternRaw(join(dir, 'small.raw'), { size: 65536 });
    await expect(exportDiskImage(raw, join(dir, 'x.vmdk'), { format: 'vmdk', subformat: 'twoGbMaxExtentFlat' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await exportDiskImage(raw, join(dir, 'y.vmdk'), { format: 'vmdk' });
    await expect(exportDiskImage(raw, join(dir, 'y.vmdk'), { format: 'vmdk' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
