import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { requireQemuImg, makeTempDir, qemuImg, qemuInfo, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { checkVhd } from '../../../electron/engine/disk/vhd/vhd-check.ts';
import { VhdDisk } from '../../../electron/engine/disk/vhd/vhd-disk.ts';
import { vhdChecksum } from '../../../electron/engine/disk/vhd/vhd-layout.ts';
import { checkDiskImage, diskImageInfo, openDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { readWholeDisk } from './vhd-open-context.ts';

const run = requireQemuImg() ? describe : describe.skip;

run('VHD check findings and footer variants', () => {
  let dir = '';
  let base = Buffer.alloc(0);
  let batOffset = 0;
  beforeAll(() => {
    dir = makeTempDir('labvault-vhd-check-');
    const raw = writePatternRaw(join(dir, 'base.raw'), { size: 6 * 1024 * 1024, seed: 4 });
    qemuImg(['convert', '-f', 'raw', '-O', 'vpc', raw, join(dir, 'base.vhd')]);
    base = readFileSync(join(dir, 'base.vhd'));
    batOffset = Number(base.readBigUInt64BE(512 + 16));
  });
  afterAll(() => removeDir(dir));

  async function kinds(name: string, bytes: Buffer): Promise<string[]> {
    writeFileSync(join(dir, name), bytes);
    const result = await checkVhd(join(dir, name));
    if (result.findings.length > 0) expect(result.clean).toBe(false);
    return result.findings.map((finding) => finding.kind);
  }

  it('is clean for a qemu-made image, also through the registry', async () => {
    expect(await kinds('ok.vhd', base)).toEqual([]);
    expect(await checkDiskImage(join(dir, 'ok.vhd'))).toMatchObject({ format: 'vpc', clean: true });
  });

  it('finds bad magic, bad checksums, blocks past the end, overlapping blocks and truncation', async () => {
    const noMagic = Buffer.from(base);
    noMagic.write('xxxxxxxx', 0, 'latin1');
    noMagic.write('xxxxxxxx', noMagic.length - 512, 'latin1');
    expect(await kinds('magic.vhd', noMagic)).toContain('bad-magic');

    const badFooter = Buffer.from(base);
    badFooter[50] = badFooter[50]! ^ 4;
    expect(await kinds('footer.vhd', badFooter)).toContain('bad-checksum');

    const badHeader = Buffer.from(base);
    badHeader[512 + 40] = badHeader[512 + 40]! ^ 4;
    expect(await kinds('header.vhd', badHeader)).toContain('bad-checksum');
    await expect(VhdDisk.open(join(dir, 'header.vhd'))).rejects.toMatchObject({ code: 'BAD_IMAGE', field: 'vhd.dynamic_header.checksum' });

    const pastEnd = Buffer.from(base);
    pastEnd.writeUInt32BE(0x00ffffff, batOffset);
    expect(await kinds('past.vhd', pastEnd)).toContain('offset-past-eof');
    await expect(VhdDisk.open(join(dir, 'past.vhd'))).rejects.toMatchObject({ code: 'BAD_IMAGE', details: { reason: 'truncated' } });

    const overlap = Buffer.from(base);
    overlap.writeUInt32BE(base.readUInt32BE(batOffset), batOffset + 4);
    expect(await kinds('overlap.vhd', overlap)).toContain('overlapping-blocks');

    const intoBat = Buffer.from(base);
    intoBat.writeUInt32BE(batOffset / 512, batOffset);
    expect(await kinds('into-bat.vhd', intoBat)).toContain('overlapping-blocks');

    expect(await kinds('trunc.vhd', base.subarray(0, base.length - 700_000))).toContain('truncated');
    expect(await kinds('tiny.vhd', base.subarray(0, 100))).toContain('truncated');
  });

  it('reads a fixed VHD whose footer is 511 bytes (old tools)', async () => {
    const raw = writePatternRaw(join(dir, 'fixed.raw'), { size: 2 * 1024 * 1024, seed: 8 });
    qemuImg(['convert', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=fixed,force_size=on', raw, join(dir, 'fixed.vhd')]);
    const fixed = readFileSync(join(dir, 'fixed.vhd'));
    writeFileSync(join(dir, 'short.vhd'), fixed.subarray(0, fixed.length - 1));
    const disk = await openDiskImage(join(dir, 'short.vhd'));
    expect(disk.format).toBe('vpc');
    expect((await readWholeDisk(disk)).equals(readFileSync(raw))).toBe(true);
    await disk.close();
    expect((await diskImageInfo(join(dir, 'short.vhd'))).subformat).toBe('fixed');
  });

  it('reads a fixed VHD whose content is itself a VHD as the outer fixed disk', async () => {
    const inner = Buffer.concat([base, Buffer.alloc((4096 - (base.length % 4096)) % 4096)]);
    writeFileSync(join(dir, 'inner.raw'), inner);
    qemuImg(['convert', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=fixed,force_size=on', join(dir, 'inner.raw'), join(dir, 'outer.vhd')]);
    const disk = await VhdDisk.open(join(dir, 'outer.vhd'));
    expect(disk.type).toBe('fixed');
    expect((await readWholeDisk(disk)).subarray(0, inner.length).equals(inner)).toBe(true);
    await disk.close();
    expect(await checkVhd(join(dir, 'outer.vhd'))).toMatchObject({ clean: true, findings: [] });
  });

  it('sizes a Hyper-V ("win ") image by current size even when its geometry says less', async () => {
    const raw = writePatternRaw(join(dir, 'hv.raw'), { size: 3 * 1024 * 1024, seed: 12 });
    qemuImg(['convert', '-f', 'raw', '-O', 'vpc', '-o', 'force_size=on', raw, join(dir, 'hv.vhd')]);
    const bytes = readFileSync(join(dir, 'hv.vhd'));
    for (const at of [0, bytes.length - 512]) {
      bytes.write('win ', at + 28, 'latin1');
      bytes.writeUInt16BE(1, at + 56);
      bytes.writeUInt32BE(vhdChecksum(bytes.subarray(at, at + 512), 64), at + 64);
    }
    writeFileSync(join(dir, 'hv.vhd'), bytes);
    const asWin = await VhdDisk.open(join(dir, 'hv.vhd'));
    expect(asWin.virtualSize).toBe(3 * 1024 * 1024);
    expect(asWin.virtualSize).toBe(qemuInfo(join(dir, 'hv.vhd'), ['-f', 'vpc'])['virtual-size']);
    await asWin.close();
    for (const at of [0, bytes.length - 512]) {
      bytes.write('vpc ', at + 28, 'latin1');
      bytes.writeUInt32BE(vhdChecksum(bytes.subarray(at, at + 512), 64), at + 64);
    }
    writeFileSync(join(dir, 'vpc.vhd'), bytes);
    const asVpc = await VhdDisk.open(join(dir, 'vpc.vhd'));
    expect(asVpc.virtualSize).toBe(bytes[58]! * bytes[59]! * 512);
    expect(asVpc.virtualSize).toBeLessThan(3 * 1024 * 1024);
    expect(asVpc.virtualSize).toBe(qemuInfo(join(dir, 'vpc.vhd'), ['-f', 'vpc'])['virtual-size']);
    await asVpc.close();
  });
});
