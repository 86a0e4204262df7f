import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { closeSync, ftruncateSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { requireQemuImg, makeTempDir, qemuImg, qemuInfo, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { RawDisk } from '../../../electron/engine/disk/raw/raw-disk.ts';
import { VhdDisk } from '../../../electron/engine/disk/vhd/vhd-disk.ts';
import { vpcFormat } from '../../../electron/engine/disk/vhd/vhd-format.ts';
import { planVhdSize } from '../../../electron/engine/disk/vhd/vhd-geometry.ts';
import { readWholeDisk } from './vhd-open-context.ts';

const run = requireQemuImg() ? describe : describe.skip;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

run('VHD writer and geometry against qemu-img', () => {
  let dir = '';
  beforeAll(() => { dir = makeTempDir('labvault-vhd-write-'); });
  afterAll(() => removeDir(dir));

  it('rounds sizes to the same CHS geometry as qemu-img create', () => {
    for (const size of [MiB, 5_000_000, 3 * MiB + 12345, 100 * MiB, GiB + 1, 127 * GiB, 200 * GiB]) {
      const path = join(dir, `geo-${size}.vhd`);
      qemuImg(['create', '-q', '-f', 'vpc', path, String(size)]);
      const footer = readFileSync(path).subarray(0, 512);
      const plan = planVhdSize(size);
      expect(plan.virtualSize, `size ${size}`).toBe(qemuInfo(path)['virtual-size']);
      expect([plan.geometry.cylinders, plan.geometry.heads, plan.geometry.sectorsPerTrack]).toEqual([footer.readUInt16BE(56), footer[58], footer[59]]);
    }
  });

  for (const subformat of ['dynamic', 'fixed']) {
    it(`writes a ${subformat} VHD that qemu-img reads identically`, async () => {
      const raw = writePatternRaw(join(dir, `${subformat}.raw`), { size: 7 * MiB + 4321, seed: 17, region: 384 * 1024 });
      const source = await RawDisk.open(raw);
      const out = join(dir, `${subformat}.vhd`);
      await vpcFormat.write!(source, out, { subformat });
      await source.close();
      const info = qemuInfo(out, ['-f', 'vpc']);
      expect(info['virtual-size']).toBe(planVhdSize(7 * MiB + 4321).virtualSize);
      expect(qemuImg(['compare', '-f', 'raw', '-F', 'vpc', raw, out])).toContain('Images are identical');
      const back = await VhdDisk.open(out);
      expect(back.type).toBe(subformat);
      const bytes = await readWholeDisk(back);
      await back.close();
      const original = readFileSync(raw);
      expect(bytes.subarray(0, original.length).equals(original)).toBe(true);
      expect(bytes.subarray(original.length).every((b) => b === 0)).toBe(true);
      expect((await vpcFormat.check(out)).clean).toBe(true);
    });
  }

  it('writes only non-zero blocks of a sparse disk', async () => {
    const raw = join(dir, 'sparse.raw');
    const fd = openSync(raw, 'w');
    ftruncateSync(fd, 64 * MiB);
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 40 * MiB + 512);
    closeSync(fd);
    const source = await RawDisk.open(raw);
    const out = join(dir, 'sparse.vhd');
    await vpcFormat.write!(source, out, {});
    await source.close();
    expect(statSync(out).size).toBeLessThan(3 * MiB);
    expect(qemuImg(['compare', '-f', 'raw', '-F', 'vpc', raw, out])).toContain('Images are identical');
  });

  it('refuses an unknown subformat', async () => {
    const source = await RawDisk.open(writePatternRaw(join(dir, 's.raw'), { size: MiB }));
    await expect(vpcFormat.write!(source, join(dir, 's.vhd'), { subformat: 'differencing' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await source.close();
  });
});
