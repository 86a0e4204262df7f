import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { requireQemuImg, makeTempDir, qemuImg, qemuInfo, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { VhdxDisk } from '../../../electron/engine/disk/vhdx/vhdx-disk.ts';
import { vhdxFormat } from '../../../electron/engine/disk/vhdx/vhdx-format.ts';
import { crc32c } from '../../../electron/engine/disk/vhdx/crc32c.ts';
import { checkDiskImage, openDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { testOpenContext, readWholeDisk } from './vhd-open-context.ts';

const run = requireQemuImg() ? describe : describe.skip;

function qemuRaw(path: string, dir: string): Buffer {
  const out = join(dir, `ref-${Math.random().toString(36).slice(2)}.raw`);
  qemuImg(['convert', '-f', 'vhdx', '-O', 'raw', path, out]);
  const bytes = readFileSync(out);
  rmSync(out);
  return bytes;
}

describe('CRC-32C', () => {
  it('matches the check value of the Castagnoli polynomial', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32))).toBe(0x8a9136aa);
  });
});

run('VHDX reader against qemu-img', () => {
  let dir = '';
  beforeAll(() => { dir = makeTempDir('labvault-vhdx-'); });
  afterAll(() => removeDir(dir));

  const cases: { name: string; size: number; options: string[]; subformat: string }[] = [
    { name: 'dynamic', size: 5 * 1024 * 1024, options: [], subformat: 'dynamic' },
    { name: 'dynamic-odd', size: 3 * 1024 * 1024 + 12345, options: [], subformat: 'dynamic' },
    { name: 'fixed', size: 4 * 1024 * 1024 + 777, options: ['-o', 'subformat=fixed'], subformat: 'fixed' },
    { name: 'block-1m', size: 6 * 1024 * 1024 + 512, options: ['-o', 'block_size=1M'], subformat: 'dynamic' },
    { name: 'block-32m', size: 7 * 1024 * 1024, options: ['-o', 'block_size=32M'], subformat: 'dynamic' },
    { name: 'log-4m', size: 2 * 1024 * 1024 + 4096, options: ['-o', 'log_size=4M'], subformat: 'dynamic' },
    { name: 'no-zero-state', size: 3 * 1024 * 1024, options: ['-o', 'block_state_zero=off'], subformat: 'dynamic' },
  ];

  for (const testCase of cases) {
    it(`reads ${testCase.name} byte-identical to qemu-img convert`, async () => {
      const raw = writePatternRaw(join(dir, `${testCase.name}.raw`), { size: testCase.size, seed: testCase.size % 89, region: 96 * 1024 });
      const image = join(dir, `${testCase.name}.vhdx`);
      qemuImg(['convert', '-f', 'raw', '-O', 'vhdx', ...testCase.options, raw, image]);
      const info = qemuInfo(image);
      const expected = qemuRaw(image, dir);
      const disk = await vhdxFormat.open(image, testOpenContext());
      try {
        expect(disk.format).toBe('vhdx');
        expect(disk.virtualSize).toBe(info['virtual-size']);
        expect((await readWholeDisk(disk)).equals(expected)).toBe(true);
        const map = await disk.allocationMap();
        expect(map.reduce((sum, range) => sum + range.length, 0)).toBe(disk.virtualSize);
        for (const range of map.filter((r) => r.zero)) {
          expect(expected.subarray(range.offset, range.offset + range.length).every((b) => b === 0)).toBe(true);
        }
      } finally {
        await disk.close();
      }
      const ourInfo = await vhdxFormat.info(image, testOpenContext());
      expect(ourInfo.format).toBe(info['format']);
      expect(ourInfo.virtualSize).toBe(info['virtual-size']);
      expect(ourInfo.clusterSize).toBe(info['cluster-size']);
      expect(ourInfo.subformat).toBe(testCase.subformat);
      expect(await vhdxFormat.check(image)).toMatchObject({ clean: true, findings: [] });
    });
  }

  it('reads empty (0-byte) VHD and VHDX images like qemu-img', async () => {
    qemuImg(['create', '-q', '-f', 'vhdx', join(dir, 'empty.vhdx'), '0']);
    qemuImg(['create', '-q', '-f', 'vpc', join(dir, 'empty.vhd'), '0']);
    for (const path of [join(dir, 'empty.vhdx'), join(dir, 'empty.vhd')]) {
      const disk = await openDiskImage(path);
      expect(disk.virtualSize).toBe(0);
      expect(await disk.allocationMap()).toEqual([]);
      await disk.read(Buffer.alloc(0), 0, 0);
      await disk.close();
      expect((await checkDiskImage(path)).clean).toBe(true);
    }
    const source = await openDiskImage(join(dir, 'empty.vhdx'));
    await vhdxFormat.write!(source, join(dir, 'empty-out.vhdx'), {});
    await source.close();
    expect(qemuInfo(join(dir, 'empty-out.vhdx'))['virtual-size']).toBe(0);
    expect(qemuImg(['check', '-f', 'vhdx', join(dir, 'empty-out.vhdx')])).toContain('No errors were found');
  });

  it('uses the header with the higher sequence number and survives one damaged header', async () => {
    const raw = writePatternRaw(join(dir, 'hdr.raw'), { size: 2 * 1024 * 1024 });
    const image = join(dir, 'hdr.vhdx');
    qemuImg(['convert', '-f', 'raw', '-O', 'vhdx', raw, image]);
    const expected = qemuRaw(image, dir);
    const bytes = readFileSync(image);
    const damaged = Buffer.from(bytes);
    damaged[64 * 1024 + 100] = damaged[64 * 1024 + 100]! ^ 0xff;
    writeFileSync(join(dir, 'hdr1.vhdx'), damaged);
    const disk = await VhdxDisk.open(join(dir, 'hdr1.vhdx'));
    expect((await readWholeDisk(disk)).equals(expected)).toBe(true);
    await disk.close();
    expect((await vhdxFormat.check(join(dir, 'hdr1.vhdx'))).findings.map((f) => f.kind)).toContain('bad-checksum');
    damaged[128 * 1024 + 100] = damaged[128 * 1024 + 100]! ^ 0xff;
    writeFileSync(join(dir, 'hdr2.vhdx'), damaged);
    await expect(VhdxDisk.open(join(dir, 'hdr2.vhdx'))).rejects.toMatchObject({ code: 'BAD_IMAGE', field: 'vhdx.header' });
    writeFileSync(join(dir, 'trunc.vhdx'), bytes.subarray(0, bytes.length - 1024 * 1024));
    await expect(VhdxDisk.open(join(dir, 'trunc.vhdx'))).rejects.toMatchObject({ code: 'BAD_IMAGE' });
    expect((await vhdxFormat.check(join(dir, 'trunc.vhdx'))).clean).toBe(false);
  });
});
