import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireQemuImg, makeTempDir, qemuImg, qemuRawBytes, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { checkDiskImage, openDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { vmdkFormat } from '../../../electron/engine/disk/vmdk/vmdk-format.ts';
import { topChainContext } from '../../../electron/engine/disk/chain-opener.ts';
import { openAndRead, readWholeImage } from './image-read-back.ts';

const SECTOR = 512;

/** Sector of grain table 0 and the file offset of its first entries. */
function firstTable(bytes: Buffer): { gtPosition: number } {
  const gdSector = Number(bytes.readBigUInt64LE(56));
  return { gtPosition: bytes.readUInt32LE(gdSector * SECTOR) * SECTOR };
}

async function readAll(path: string): Promise<void> {
  const disk = await vmdkFormat.open(path, topChainContext());
  try {
    await readWholeImage(disk);
    await disk.allocationMap();
  } finally {
    await disk.close();
  }
}

describe.skipIf(!requireQemuImg())('VMDK check and damaged images', () => {
  let dir: string;
  let sparse: string;
  let stream: string;
  let counter = 0;
  const damaged = (source: string, change: (bytes: Buffer) => Buffer | void): string => {
    counter += 1;
    const path = join(dir, `damaged-${counter}.vmdk`);
    const bytes = readFileSync(source);
    writeFileSync(path, change(bytes) ?? bytes);
    return path;
  };
  beforeAll(() => {
    dir = makeTempDir('labvault-vmdk-check-');
    const raw = writePatternRaw(join(dir, 'src.raw'), { size: 2 * 1024 * 1024, seed: 21, region: 64 * 1024 });
    sparse = join(dir, 'sparse.vmdk');
    stream = join(dir, 'stream.vmdk');
    qemuImg(['convert', '-O', 'vmdk', raw, sparse]);
    qemuImg(['convert', '-O', 'vmdk', '-o', 'subformat=streamOptimized', raw, stream]);
  });
  afterAll(() => removeDir(dir));

  it('bad magic: check reports bad-magic, open is BAD_IMAGE', async () => {
    const path = damaged(sparse, (bytes) => { bytes.write('XXXX', 0, 'latin1'); });
    const check = await checkDiskImage(path, { format: 'vmdk' });
    expect(check.clean).toBe(false);
    expect(check.findings[0]?.kind).toBe('bad-magic');
    await expect(vmdkFormat.open(path, topChainContext())).rejects.toMatchObject({ code: 'BAD_IMAGE' });
  });

  it('a grain past the end of the file: offset-past-eof, and the read fails as truncated', async () => {
    const path = damaged(sparse, (bytes) => { bytes.writeUInt32LE(0x00ffffff, firstTable(bytes).gtPosition); });
    const check = await checkDiskImage(path);
    expect(check.clean).toBe(false);
    expect(check.findings.map((finding) => finding.kind)).toContain('offset-past-eof');
    await expect(readAll(path)).rejects.toMatchObject({ code: 'BAD_IMAGE', details: expect.objectContaining({ reason: 'truncated' }) });
  });

  it('two grain table entries naming the same grain: overlapping-clusters', async () => {
    const path = damaged(sparse, (bytes) => {
      const { gtPosition } = firstTable(bytes);
      bytes.writeUInt32LE(bytes.readUInt32LE(gtPosition), gtPosition + 4);
    });
    const check = await checkDiskImage(path);
    expect(check.clean).toBe(false);
    expect(check.findings.map((finding) => finding.kind).sort()).toEqual(['overlapping-clusters', 'redundant-table-mismatch']);
  });

  it('a redundant grain table that differs from the primary is a warning; reads use the primary', async () => {
    const path = damaged(sparse, (bytes) => {
      const rgdSector = Number(bytes.readBigUInt64LE(48));
      const redundantTable = bytes.readUInt32LE(rgdSector * SECTOR) * SECTOR;
      bytes.writeUInt32LE(0, redundantTable);
    });
    const check = await checkDiskImage(path);
    expect(check.clean).toBe(true);
    expect(check.findings.map((finding) => finding.kind)).toEqual(['redundant-table-mismatch']);
    await readAll(path);
  });

  // qemu opens a sparse file whose embedded createType is damaged, but refuses a bad CID;
  // we read both (the grains do not depend on the descriptor) and check warns.
  it('a damaged embedded descriptor is a warning; the data still reads', async () => {
    const path = damaged(sparse, (bytes) => {
      const text = bytes.subarray(512, 1024).toString('latin1');
      bytes.write('XXXXXXXXXX', 512 + text.indexOf('createType'), 'latin1');
      bytes.write('zz', 512 + text.indexOf('CID=') + 4, 'latin1');
    });
    const check = await checkDiskImage(path);
    expect(check.clean).toBe(true);
    expect(check.findings.map((finding) => finding.kind)).toEqual(['bad-descriptor']);
    const { bytes } = await openAndRead(path);
    expect(bytes.equals(qemuRawBytes(sparse, dir))).toBe(true);
  });

  it('a truncated file: findings, typed read errors, no hang', async () => {
    for (const source of [sparse, stream]) {
      const path = join(dir, `truncated-${counter += 1}.vmdk`);
      copyFileSync(source, path);
      truncateSync(path, Math.floor(readFileSync(source).length / 2));
      const check = await checkDiskImage(path);
      expect(check.clean).toBe(false);
      await expect(readAll(path)).rejects.toMatchObject({ code: 'BAD_IMAGE' });
    }
    const tiny = damaged(sparse, (bytes) => bytes.subarray(0, 100));
    expect((await checkDiskImage(tiny, { format: 'vmdk' })).clean).toBe(false);
    await expect(readAll(tiny)).rejects.toMatchObject({ code: 'BAD_IMAGE' });
  });

  it('a header claiming a huge disk is refused before any table is allocated', async () => {
    const path = damaged(sparse, (bytes) => { bytes.writeBigUInt64LE(2n ** 43n, 12); });
    await expect(readAll(path)).rejects.toMatchObject({ code: 'BAD_IMAGE' });
    const grain = damaged(sparse, (bytes) => { bytes.writeBigUInt64LE(0n, 20); });
    await expect(readAll(grain)).rejects.toMatchObject({ code: 'BAD_IMAGE', field: 'vmdk.header.grainSize' });
    expect((await checkDiskImage(grain)).findings[0]?.kind).toBe('bad-header');
  });

  it('streamOptimized: damaged compressed data and a missing footer are BAD_IMAGE', async () => {
    const bytes = readFileSync(stream);
    const { gtPosition } = firstTable(bytes);
    const grainPosition = bytes.readUInt32LE(gtPosition) * SECTOR;
    const garbled = damaged(stream, (copy) => { copy.fill(0xab, grainPosition + 12, grainPosition + 40); });
    await expect(readAll(garbled)).rejects.toMatchObject({ code: 'BAD_IMAGE', message: expect.stringContaining('inflate') });
    const badMarker = damaged(stream, (copy) => { copy.writeUInt32LE(0x7fffffff, grainPosition + 8); });
    expect((await checkDiskImage(badMarker)).findings.map((finding) => finding.kind)).toContain('bad-grain-marker');
    await expect(readAll(badMarker)).rejects.toMatchObject({ code: 'BAD_IMAGE' });
    const noFooter = damaged(stream, (copy) => { copy.writeBigUInt64LE(0xffffffffffffffffn, 56); });
    await expect(readAll(noFooter)).rejects.toMatchObject({ code: 'BAD_IMAGE', field: 'vmdk.footer' });
  });

  it('a healthy image opened through the registry is clean', async () => {
    for (const path of [sparse, stream]) {
      expect(await checkDiskImage(path)).toMatchObject({ format: 'vmdk', clean: true });
      const disk = await openDiskImage(path);
      await disk.close();
    }
  });
});
