import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { requireQemuImg, makeTempDir, qemuImg, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { checkVhdx } from '../../../electron/engine/disk/vhdx/vhdx-check.ts';
import { VhdxDisk } from '../../../electron/engine/disk/vhdx/vhdx-disk.ts';
import { crc32cWithZeroedField } from '../../../electron/engine/disk/vhdx/crc32c.ts';
import { checkDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { readWholeDisk } from './vhd-open-context.ts';

const run = requireQemuImg() ? describe : describe.skip;
const KiB = 1024;
const MiB = 1024 * KiB;

run('VHDX check findings', () => {
  let dir = '';
  let base = Buffer.alloc(0);
  let batOffset = 0;
  let metadataOffset = 0;
  beforeAll(() => {
    dir = makeTempDir('labvault-vhdx-check-');
    const raw = writePatternRaw(join(dir, 'base.raw'), { size: 4 * MiB, seed: 14, region: 256 * KiB });
    qemuImg(['convert', '-f', 'raw', '-O', 'vhdx', '-o', 'block_size=1M', raw, join(dir, 'base.vhdx')]);
    base = readFileSync(join(dir, 'base.vhdx'));
    for (let i = 0; i < base.readUInt32LE(192 * KiB + 8); i += 1) {
      const at = 192 * KiB + 16 + i * 32;
      const offset = Number(base.readBigUInt64LE(at + 16));
      if (base.readUInt32LE(at) === 0x2dc27766) batOffset = offset; else metadataOffset = offset;
    }
  });
  afterAll(() => removeDir(dir));

  async function kinds(name: string, bytes: Buffer): Promise<string[]> {
    writeFileSync(join(dir, name), bytes);
    const result = await checkVhdx(join(dir, name));
    return result.findings.map((finding) => finding.kind);
  }

  /** Index of the first FULLY_PRESENT BAT entry and its raw 8 bytes. */
  function presentEntries(): number[] {
    const found: number[] = [];
    for (let i = 0; i < 8; i += 1) if ((base.readUInt32LE(batOffset + i * 8) & 7) === 6) found.push(i);
    return found;
  }

  it('is clean for a qemu-made image, also through the registry', async () => {
    expect(await kinds('ok.vhdx', base)).toEqual([]);
    expect(await checkDiskImage(join(dir, 'ok.vhdx'))).toMatchObject({ format: 'vhdx', clean: true });
  });

  it('finds bad signatures and CRCs, and reads through one damaged region table', async () => {
    const noMagic = Buffer.from(base);
    noMagic.write('vhdxfilX', 0, 'latin1');
    expect(await kinds('magic.vhdx', noMagic)).toEqual(['bad-magic']);

    const header = Buffer.from(base);
    header[64 * KiB + 300] = header[64 * KiB + 300]! ^ 1;
    expect(await kinds('header.vhdx', header)).toContain('bad-checksum');

    const region = Buffer.from(base);
    region[192 * KiB + 1000] = region[192 * KiB + 1000]! ^ 1;
    expect(await kinds('region.vhdx', region)).toContain('bad-checksum');
    const disk = await VhdxDisk.open(join(dir, 'region.vhdx'));
    const good = await VhdxDisk.open(join(dir, 'ok.vhdx'));
    expect((await readWholeDisk(disk)).equals(await readWholeDisk(good))).toBe(true);
    await disk.close();
    await good.close();

    const both = Buffer.from(region);
    both[256 * KiB + 1000] = both[256 * KiB + 1000]! ^ 1;
    expect(await kinds('regions.vhdx', both)).toContain('bad-metadata');
    await expect(VhdxDisk.open(join(dir, 'regions.vhdx'))).rejects.toMatchObject({ code: 'BAD_IMAGE', field: 'vhdx.region_table' });

    const metadata = Buffer.from(base);
    metadata.write('metadatX', metadataOffset, 'latin1');
    expect(await kinds('metadata.vhdx', metadata)).toContain('bad-metadata');
  });

  it('finds blocks past the end, overlapping blocks, unknown states and truncation', async () => {
    const [first, second] = presentEntries();
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    const pastEnd = Buffer.from(base);
    pastEnd.writeUInt32LE(((4000 << 20) | 6) >>> 0, batOffset + first! * 8);
    expect(await kinds('past.vhdx', pastEnd)).toContain('offset-past-eof');
    await expect(VhdxDisk.open(join(dir, 'past.vhdx'))).rejects.toMatchObject({ code: 'BAD_IMAGE', details: { reason: 'truncated' } });

    const overlap = Buffer.from(base);
    overlap.writeUInt32LE(base.readUInt32LE(batOffset + first! * 8), batOffset + second! * 8);
    expect(await kinds('overlap.vhdx', overlap)).toContain('overlapping-blocks');

    const intoMetadata = Buffer.from(base);
    intoMetadata.writeUInt32LE((((metadataOffset / MiB) << 20) | 6) >>> 0, batOffset + first! * 8);
    expect(await kinds('into-metadata.vhdx', intoMetadata)).toContain('overlapping-blocks');

    const unknown = Buffer.from(base);
    unknown.writeUInt32LE((base.readUInt32LE(batOffset + first! * 8) & ~7) | 4, batOffset + first! * 8);
    expect(await kinds('state.vhdx', unknown)).toContain('bad-field');
    const disk = await VhdxDisk.open(join(dir, 'state.vhdx'));
    await expect(disk.read(Buffer.alloc(4 * MiB), 0, 4 * MiB)).rejects.toMatchObject({ code: 'BAD_IMAGE' });
    await disk.close();

    expect(await kinds('trunc.vhdx', base.subarray(0, base.length - 2 * MiB))).toContain('offset-past-eof');
    expect(await kinds('tiny.vhdx', base.subarray(0, 100 * KiB))).toEqual(expect.arrayContaining(['truncated']));
  });

  it('reports a header claiming a huge log or a log past the end without reading it', async () => {
    const bytes = Buffer.from(base);
    for (const offset of [64 * KiB, 128 * KiB]) {
      bytes.fill(0x77, offset + 48, offset + 64);
      bytes.writeBigUInt64LE(1n << 40n, offset + 72);
      bytes.writeUInt32LE(crc32cWithZeroedField(bytes.subarray(offset, offset + 4 * KiB), 4), offset + 4);
    }
    writeFileSync(join(dir, 'log.vhdx'), bytes);
    await expect(VhdxDisk.open(join(dir, 'log.vhdx'))).rejects.toMatchObject({ code: 'BAD_IMAGE', field: 'vhdx.log' });
    const kindsFound = (await checkVhdx(join(dir, 'log.vhdx'))).findings.map((f) => f.kind);
    expect(kindsFound).toContain('dirty-log');
    expect(kindsFound).toContain('bad-log');
  });
});
