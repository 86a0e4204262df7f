import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { requireQemuImg, makeTempDir, qemuImg, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { checkDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { vdiFormat } from '../../../electron/engine/disk/vdi/vdi-format.ts';
import { topChainContext } from '../../../electron/engine/disk/chain-opener.ts';
import { readWholeImage } from './image-read-back.ts';

const MAP_OFFSET = 0x154;
const BLOCKS_ALLOCATED = 0x184;

async function readAll(path: string): Promise<void> {
  const disk = await vdiFormat.open(path, topChainContext());
  try {
    await readWholeImage(disk);
    await disk.allocationMap();
  } finally {
    await disk.close();
  }
}

function qemuCheckFails(path: string): boolean {
  try {
    execFileSync('qemu-img', ['check', path], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
}

describe.skipIf(!requireQemuImg())('VDI check and damaged images', () => {
  let dir: string;
  let source: string;
  let counter = 0;
  const damaged = (change: (bytes: Buffer, map: number) => Buffer | void): string => {
    counter += 1;
    const path = join(dir, `damaged-${counter}.vdi`);
    const bytes = readFileSync(source);
    writeFileSync(path, change(bytes, bytes.readUInt32LE(MAP_OFFSET)) ?? bytes);
    return path;
  };
  beforeAll(() => {
    dir = makeTempDir('labvault-vdi-check-');
    const raw = writePatternRaw(join(dir, 'src.raw'), { size: 4 * 1024 * 1024, seed: 41, region: 256 * 1024 });
    source = join(dir, 'src.vdi');
    qemuImg(['convert', '-O', 'vdi', raw, source]);
  });
  afterAll(() => removeDir(dir));

  it('bad signature: bad-magic, open BAD_IMAGE', async () => {
    const path = damaged((bytes) => { bytes.writeUInt32LE(0x12345678, 0x40); });
    expect((await checkDiskImage(path, { format: 'vdi' })).findings[0]?.kind).toBe('bad-magic');
    await expect(readAll(path)).rejects.toMatchObject({ code: 'BAD_IMAGE', field: 'vdi.header.signature' });
  });

  it('a block index beyond the image: bad-block-index (qemu agrees) and a typed read error', async () => {
    const path = damaged((bytes, map) => { bytes.writeUInt32LE(4000, map); });
    const check = await checkDiskImage(path);
    expect(check.clean).toBe(false);
    expect(check.findings.map((finding) => finding.kind)).toContain('bad-block-index');
    expect(qemuCheckFails(path)).toBe(true);
    await expect(readAll(path)).rejects.toMatchObject({ code: 'BAD_IMAGE', details: expect.objectContaining({ reason: 'truncated' }) });
  });

  it('two entries naming one block: overlapping-clusters (qemu agrees)', async () => {
    const path = damaged((bytes, map) => { bytes.writeUInt32LE(bytes.readUInt32LE(map), map + 4); });
    const kinds = (await checkDiskImage(path)).findings.map((finding) => finding.kind);
    expect(kinds).toContain('overlapping-clusters');
    expect(qemuCheckFails(path)).toBe(true);
  });

  it('a wrong allocated count is found', async () => {
    const path = damaged((bytes) => { bytes.writeUInt32LE(99, BLOCKS_ALLOCATED); });
    expect((await checkDiskImage(path)).findings.map((finding) => finding.kind)).toEqual(['allocated-count-mismatch']);
  });

  it('truncated files: offset-past-eof findings, typed read errors', async () => {
    const half = damaged((bytes) => bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect((await checkDiskImage(half)).findings.map((finding) => finding.kind)).toContain('offset-past-eof');
    await expect(readAll(half)).rejects.toMatchObject({ code: 'BAD_IMAGE' });
    const headerOnly = damaged((bytes) => bytes.subarray(0, 0x1c0));
    const check = await checkDiskImage(headerOnly, { format: 'vdi' });
    expect(check.clean).toBe(false);
    expect(check.findings[0]?.kind).toBe('truncated');
    await expect(readAll(headerOnly)).rejects.toMatchObject({ code: 'BAD_IMAGE' });
  });

  it('a header claiming billions of blocks is refused without allocating the map', async () => {
    const path = damaged((bytes) => { bytes.writeUInt32LE(0xfffffff0, 0x180); bytes.writeBigUInt64LE(2n ** 60n, 0x170); });
    await expect(readAll(path)).rejects.toMatchObject({ code: 'BAD_IMAGE', field: 'vdi.header.blocksInImage' });
    const map = damaged((bytes) => { bytes.writeUInt32LE(0x800000, 0x180); });
    await expect(readAll(map)).rejects.toMatchObject({ code: 'BAD_IMAGE', details: expect.objectContaining({ reason: 'truncated' }) });
    const blockSize = damaged((bytes) => { bytes.writeUInt32LE(3000, 0x178); });
    await expect(readAll(blockSize)).rejects.toMatchObject({ code: 'BAD_IMAGE', field: 'vdi.header.blockSize' });
    expect((await checkDiskImage(blockSize)).findings[0]?.kind).toBe('bad-header');
    const version = damaged((bytes) => { bytes.writeUInt32LE(0x00020000, 0x44); });
    await expect(readAll(version)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
