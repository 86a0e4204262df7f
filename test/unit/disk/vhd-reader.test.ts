import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { requireQemuImg, makeTempDir, qemuImg, qemuInfo, removeDir, writePatternRaw, deterministicBytes } from '../../support/disk-fixtures.ts';
import { VhdDisk } from '../../../electron/engine/disk/vhd/vhd-disk.ts';
import { vpcFormat, probeVhd } from '../../../electron/engine/disk/vhd/vhd-format.ts';
import { isLabvaultError } from '../../../shared/errors.ts';
import { diskImageInfo, openDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { testOpenContext, readWholeDisk } from './vhd-open-context.ts';
import { applyWrites, buildDifferencingVhd } from './vhd-test-images.ts';

const run = requireQemuImg() ? describe : describe.skip;

function qemuRaw(path: string, dir: string, format: string): Buffer {
  const out = join(dir, `ref-${Math.random().toString(36).slice(2)}.raw`);
  qemuImg(['convert', '-f', format, '-O', 'raw', path, out]);
  const bytes = readFileSync(out);
  rmSync(out);
  return bytes;
}

run('VHD reader against qemu-img', () => {
  let dir = '';
  beforeAll(() => { dir = makeTempDir('labvault-vhd-'); });
  afterAll(() => removeDir(dir));

  const cases: { name: string; size: number; options: string[]; subformat: string }[] = [
    { name: 'dynamic', size: 5 * 1024 * 1024, options: [], subformat: 'dynamic' },
    { name: 'dynamic-odd', size: 3 * 1024 * 1024 + 12345, options: [], subformat: 'dynamic' },
    { name: 'fixed', size: 4 * 1024 * 1024 + 777, options: ['-o', 'subformat=fixed'], subformat: 'fixed' },
    { name: 'force-size', size: 5_000_000, options: ['-o', 'force_size=on'], subformat: 'dynamic' },
    { name: 'fixed-force-size', size: 3_000_001, options: ['-o', 'subformat=fixed,force_size=on'], subformat: 'fixed' },
  ];

  for (const testCase of cases) {
    it(`reads ${testCase.name} byte-identical to qemu-img convert`, async () => {
      const raw = writePatternRaw(join(dir, `${testCase.name}.raw`), { size: testCase.size, seed: testCase.size % 97 });
      const image = join(dir, `${testCase.name}.vhd`);
      qemuImg(['convert', '-f', 'raw', '-O', 'vpc', ...testCase.options, raw, image]);
      const info = qemuInfo(image, ['-f', 'vpc']);
      const expected = qemuRaw(image, dir, 'vpc');
      const disk = await vpcFormat.open(image, testOpenContext());
      try {
        expect(disk.format).toBe('vpc');
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
      const ourInfo = await vpcFormat.info(image, testOpenContext());
      expect(ourInfo.virtualSize).toBe(info['virtual-size']);
      expect(ourInfo.subformat).toBe(testCase.subformat);
      if (testCase.subformat === 'dynamic') expect(ourInfo.clusterSize).toBe(info['cluster-size']);
      expect((await vpcFormat.check(image)).clean).toBe(true);
      const bytes = readFileSync(image);
      expect(probeVhd(bytes.subarray(0, 4096), bytes.subarray(bytes.length - 512), bytes.length)).toBe(true);
    });
  }

  it('uses CHS geometry for qemu-created images and current size with force_size', async () => {
    const raw = writePatternRaw(join(dir, 'geo.raw'), { size: 5_000_000 });
    qemuImg(['convert', '-f', 'raw', '-O', 'vpc', raw, join(dir, 'geo.vhd')]);
    qemuImg(['convert', '-f', 'raw', '-O', 'vpc', '-o', 'force_size=on', raw, join(dir, 'geo2.vhd')]);
    const chs = await VhdDisk.open(join(dir, 'geo.vhd'));
    const current = await VhdDisk.open(join(dir, 'geo2.vhd'));
    expect(chs.footer.creatorApp).toBe('qemu');
    expect(current.footer.creatorApp).toBe('qem2');
    expect(chs.virtualSize).toBe(qemuInfo(join(dir, 'geo.vhd'))['virtual-size']);
    expect(current.virtualSize).toBe(qemuInfo(join(dir, 'geo2.vhd'))['virtual-size']);
    expect(chs.virtualSize).not.toBe(current.virtualSize);
    await chs.close();
    await current.close();
  });

  it('reads a hand-built differencing VHD over its parent (qemu-img cannot create one)', async () => {
    const raw = writePatternRaw(join(dir, 'base.raw'), { size: 6 * 1024 * 1024, seed: 5 });
    const parentPath = join(dir, 'base.vhd');
    qemuImg(['convert', '-f', 'raw', '-O', 'vpc', '-o', 'force_size=on', raw, parentPath]);
    const parent = await VhdDisk.open(parentPath);
    const parentBytes = await readWholeDisk(parent);
    const parentId = parent.footer.uniqueId;
    await parent.close();
    const writes = [
      { offset: 512, data: deterministicBytes(1024, 3) },
      { offset: 2 * 1024 * 1024 - 512, data: deterministicBytes(4096, 4) },
      { offset: 4 * 1024 * 1024 + 65536, data: Buffer.alloc(8192) },
    ];
    const childPath = join(dir, 'child.vhd');
    buildDifferencingVhd(childPath, { virtualSize: parentBytes.length, parentPath, parentUniqueId: parentId, writes });
    const child = await vpcFormat.open(childPath, testOpenContext());
    try {
      expect((await readWholeDisk(child, 100_000)).equals(applyWrites(parentBytes, writes))).toBe(true);
    } finally {
      await child.close();
    }
    const viaRegistry = await openDiskImage(childPath);
    expect((await readWholeDisk(viaRegistry)).equals(applyWrites(parentBytes, writes))).toBe(true);
    await viaRegistry.close();
    expect((await diskImageInfo(childPath)).chain.map((link) => link.format)).toEqual(['vpc', 'vpc']);
    const info = await vpcFormat.info(childPath, testOpenContext());
    expect(info.subformat).toBe('differencing');
    expect(info.backing).toMatchObject({ path: parentPath, format: 'vpc', recordedPath: '.\\base.vhd' });
    expect((await vpcFormat.check(childPath)).clean).toBe(true);

    const onlyAbsolute = join(dir, 'child-abs.vhd');
    buildDifferencingVhd(onlyAbsolute, { virtualSize: parentBytes.length, parentPath, parentUniqueId: parentId, writes, locators: ['W2ku'] });
    const viaName = await vpcFormat.open(onlyAbsolute, testOpenContext());
    expect((await readWholeDisk(viaName)).equals(applyWrites(parentBytes, writes))).toBe(true);
    await viaName.close();

    const wrongParent = join(dir, 'child-wrong.vhd');
    buildDifferencingVhd(wrongParent, { virtualSize: parentBytes.length, parentPath, parentUniqueId: Buffer.alloc(16, 9), writes });
    await expect(vpcFormat.open(wrongParent, testOpenContext())).rejects.toMatchObject({ code: 'BAD_IMAGE', field: 'vhd.dynamic_header.parent_unique_id' });
  });

  it('reports a bad footer checksum, a truncated file and a missing parent clearly', async () => {
    const raw = writePatternRaw(join(dir, 'dmg.raw'), { size: 3 * 1024 * 1024 });
    const image = join(dir, 'dmg.vhd');
    qemuImg(['convert', '-f', 'raw', '-O', 'vpc', raw, image]);
    const good = readFileSync(image);

    const badSum = Buffer.from(good);
    badSum[40] = badSum[40]! ^ 1;
    badSum[good.length - 512 + 40] = badSum[good.length - 512 + 40]! ^ 1;
    writeFileSync(join(dir, 'badsum.vhd'), badSum);
    await expect(VhdDisk.open(join(dir, 'badsum.vhd'))).rejects.toMatchObject({ code: 'BAD_IMAGE', field: 'vhd.footer.checksum' });
    const findings = (await vpcFormat.check(join(dir, 'badsum.vhd'))).findings;
    expect(findings.map((f) => f.kind)).toContain('bad-checksum');

    writeFileSync(join(dir, 'trunc.vhd'), good.subarray(0, good.length - 300_000));
    const error = await VhdDisk.open(join(dir, 'trunc.vhd')).catch((e: unknown) => e);
    expect(isLabvaultError(error) && error.code === 'BAD_IMAGE').toBe(true);
    expect((await vpcFormat.check(join(dir, 'trunc.vhd'))).clean).toBe(false);

    buildDifferencingVhd(join(dir, 'orphan.vhd'), { virtualSize: 1024 * 1024, parentPath: join(dir, 'nope.vhd'), parentUniqueId: Buffer.alloc(16), writes: [] });
    const orphanError = await vpcFormat.open(join(dir, 'orphan.vhd'), testOpenContext()).catch((e: unknown) => e);
    expect(isLabvaultError(orphanError)).toBe(true);
    expect(String((orphanError as Error).message)).toContain('nope.vhd');
  });
});
