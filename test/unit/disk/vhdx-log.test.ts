import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { deterministicBytes, requireQemuImg, makeTempDir, qemuImg, removeDir } from '../../support/disk-fixtures.ts';
import { VhdxDisk } from '../../../electron/engine/disk/vhdx/vhdx-disk.ts';
import { vhdxFormat } from '../../../electron/engine/disk/vhdx/vhdx-format.ts';
import { encodeBatEntry } from '../../../electron/engine/disk/vhdx/vhdx-layout.ts';
import { readWholeDisk } from './vhd-open-context.ts';
import { buildLogEntry, buildTestVhdx } from './vhdx-test-images.ts';
import type { TestBlock } from './vhdx-test-images.ts';

const run = requireQemuImg() ? describe : describe.skip;
const MiB = 1024 * 1024;

/**
 * A 4 MiB disk, blocks 0 and 1 present at 4 and 5 MiB, with a dirty log of two entries
 * (sequence 7 and 8) that: point block 2 at 6 MiB (past the end: the log grows the file),
 * make block 1 ZERO, write 4 KiB into the new block, zero 8 KiB of block 0, write 4 KiB
 * into block 0. A stale older entry (sequence 3) elsewhere in the log must be ignored.
 */
function dirtyImage(logGuid: Buffer): Buffer {
  const blocks = new Map<number, TestBlock>([
    [0, { kind: 'full', data: deterministicBytes(MiB, 31) }],
    [1, { kind: 'full', data: deterministicBytes(MiB, 32) }],
  ]);
  const file = buildTestVhdx({ virtualSize: 4 * MiB, blockSize: MiB, blocks, logGuid });
  const batSector = Buffer.from(file.subarray(3 * MiB, 3 * MiB + 4096));
  encodeBatEntry(batSector, 2 * 8, 6, 6 * MiB);
  encodeBatEntry(batSector, 1 * 8, 2, 0);
  const first = buildLogEntry({
    sequence: 7n, tail: 0, logGuid, flushedFileOffset: file.length, lastFileOffset: 7 * MiB - 4096,
    operations: [{ kind: 'data', offset: 3 * MiB, data: batSector }, { kind: 'data', offset: 6 * MiB + 8192, data: deterministicBytes(4096, 33) }],
  });
  const second = buildLogEntry({
    sequence: 8n, tail: 0, logGuid, flushedFileOffset: file.length, lastFileOffset: 7 * MiB - 4096,
    operations: [{ kind: 'zero', offset: 4 * MiB + 4096, length: 8192 }, { kind: 'data', offset: 4 * MiB + 65536, data: deterministicBytes(4096, 34) }],
  });
  const stale = buildLogEntry({
    sequence: 3n, tail: 512 * 1024, logGuid, flushedFileOffset: file.length, lastFileOffset: file.length,
    operations: [{ kind: 'data', offset: 4 * MiB, data: Buffer.alloc(4096, 0xee) }],
  });
  first.copy(file, MiB);
  second.copy(file, MiB + first.length);
  stale.copy(file, MiB + 512 * 1024);
  return file;
}

run('VHDX log replay in memory', () => {
  let dir = '';
  beforeAll(() => { dir = makeTempDir('labvault-vhdx-log-'); });
  afterAll(() => removeDir(dir));

  it('reads a dirty image as qemu-img does after replaying its log, without modifying the file', async () => {
    const image = join(dir, 'dirty.vhdx');
    const original = dirtyImage(Buffer.alloc(16, 0x5a));
    writeFileSync(image, original);
    await expect(vhdxFormat.check(image)).resolves.toMatchObject({ clean: true });
    expect((await vhdxFormat.check(image)).findings.map((f) => f.kind)).toEqual(['dirty-log']);

    const replayed = join(dir, 'replayed.vhdx');
    copyFileSync(image, replayed);
    qemuImg(['check', '-r', 'all', '-f', 'vhdx', replayed]);
    const reference = join(dir, 'reference.raw');
    qemuImg(['convert', '-f', 'vhdx', '-O', 'raw', replayed, reference]);
    const expected = readFileSync(reference);
    rmSync(reference);

    const disk = await VhdxDisk.open(image);
    expect(disk.structure.logReplayed).toBe(true);
    const ours = await readWholeDisk(disk);
    await disk.close();
    expect(ours.equals(expected)).toBe(true);
    expect(ours.subarray(2 * MiB + 8192, 2 * MiB + 12288).equals(deterministicBytes(4096, 33))).toBe(true);
    expect(ours.subarray(MiB, 2 * MiB).every((b) => b === 0)).toBe(true);
    expect(readFileSync(image).equals(original)).toBe(true);
  });

  it('replays up to the last complete entry when the newest entry is torn, like qemu-img', async () => {
    const image = join(dir, 'torn.vhdx');
    const bytes = dirtyImage(Buffer.alloc(16, 0x5b));
    const secondEntry = MiB + 3 * 4096;
    bytes[secondEntry + 64 + 40] = bytes[secondEntry + 64 + 40]! ^ 1;
    writeFileSync(image, bytes);
    const replayed = join(dir, 'torn-replayed.vhdx');
    copyFileSync(image, replayed);
    qemuImg(['check', '-r', 'all', '-f', 'vhdx', replayed]);
    const reference = join(dir, 'torn.raw');
    qemuImg(['convert', '-f', 'vhdx', '-O', 'raw', replayed, reference]);
    const disk = await VhdxDisk.open(image);
    const ours = await readWholeDisk(disk);
    await disk.close();
    expect(ours.equals(readFileSync(reference))).toBe(true);
    expect(ours.subarray(4096, 8192).equals(deterministicBytes(MiB, 31).subarray(4096, 8192))).toBe(true);
  });

  it('refuses a log whose active sequence has a damaged entry', async () => {
    const image = join(dir, 'badcrc.vhdx');
    const bytes = dirtyImage(Buffer.alloc(16, 0x5d));
    bytes[MiB + 64 + 40] = bytes[MiB + 64 + 40]! ^ 1;
    writeFileSync(image, bytes);
    await expect(VhdxDisk.open(image)).rejects.toMatchObject({ code: 'BAD_IMAGE', field: 'vhdx.log' });
  });

  it('refuses a log too large to replay in memory with UNSUPPORTED naming the file', async () => {
    const image = join(dir, 'hugelog.vhdx');
    const bytes = dirtyImage(Buffer.alloc(16, 0x5c));
    for (const offset of [64 * 1024, 128 * 1024]) {
      bytes.writeUInt32LE(64 * MiB, offset + 68);
      const { crc32cWithZeroedField } = await import('../../../electron/engine/disk/vhdx/crc32c.ts');
      bytes.writeUInt32LE(crc32cWithZeroedField(bytes.subarray(offset, offset + 4096), 4), offset + 4);
    }
    writeFileSync(image, bytes);
    const error = await VhdxDisk.open(image).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNSUPPORTED', field: 'vhdx.log' });
    expect((error as Error).message).toContain(image);
    expect((error as Error).message).toContain('replay');
  });
});
