/**
 * Holes are not read (fs/file-data-ranges.ts): a sparse file backs up reading only its data,
 * and after every kind of change (scattered writes into holes and data, holes punched,
 * truncation and growth, preallocated extents, same size and mtime put back with touch -r)
 * the index is identical to the one a full read of the file gives. A restore of the point
 * is byte-identical and keeps the holes.
 */
import { execFileSync } from 'node:child_process';
import { openSync, closeSync, writeSync, ftruncateSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeVault, type TestVault } from '../../unit/vault-store/store-test-kit.ts';
import { findFileDataRanges, parseFilefragOutput, parseSeekOutput } from '../../../electron/engine/fs/file-data-ranges.ts';
import { seededBytes as pseudoRandom, writeAt } from '../../support/seeded-bytes.ts';

const MIB = 1024 * 1024;
const SIZE = 96 * MIB;

function toolPresent(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const mapTool = process.platform === 'linux' && (toolPresent('xfs_io') || toolPresent('filefrag'));

describe('backup of sparse files reads only the data ranges', () => {
  let vault: TestVault;
  let disk: string;

  beforeEach(async () => {
    vault = await makeVault({ settings: { chunkSize: MIB } });
    disk = join(vault.dir, 'disk.raw');
    const fd = openSync(disk, 'w');
    ftruncateSync(fd, SIZE);
    closeSync(fd);
    writeAt(disk, 5 * MIB + 123, pseudoRandom('a', 70 * 1024));
    writeAt(disk, 40 * MIB, pseudoRandom('b', 3 * MIB));
  });
  afterEach(() => vault.cleanup());

  /** Backs the file up with the hole map and with a full read; both must give the same index. */
  async function backupBothWays(): Promise<{ skipped: number; holeMap: string; indexId: string }> {
    const writer = await vault.store.beginWrite('test');
    try {
      const mapped = await vault.store.backupFile({ sourcePath: disk });
      const full = await vault.store.backupFile({ sourcePath: disk, skipHoles: false });
      expect(full.holeMap).toBe('none');
      expect(full.bytesSkipped).toBe(0);
      expect(mapped.indexId).toBe(full.indexId);
      expect(mapped.bytesRead).toBe(statSync(disk).size);
      return { skipped: mapped.bytesSkipped, holeMap: mapped.holeMap, indexId: mapped.indexId };
    } finally {
      await writer.release();
    }
  }

  it('skips the holes and catches every change a full read sees', async (context) => {
    if (!mapTool) context.skip('neither xfs_io nor filefrag is installed: every backup reads the whole file');
    const first = await backupBothWays();
    expect(first.holeMap).not.toBe('none');
    expect(first.skipped).toBeGreaterThanOrEqual(SIZE - 8 * MIB);

    // Scattered 4 KiB writes, in holes and in data, at offsets that are not chunk-aligned.
    for (let i = 0; i < 24; i += 1) {
      const offset = (createHash('sha256').update(`w${i}`).digest().readUInt32LE(0) % (SIZE - 8192)) & ~511;
      writeAt(disk, offset, pseudoRandom(`w${i}`, 4096));
    }
    const scattered = await backupBothWays();
    expect(scattered.indexId).not.toBe(first.indexId);

    // A hole punched in the middle of data.
    execFileSync('fallocate', ['--punch-hole', '--offset', String(41 * MIB), '--length', String(MIB), disk]);
    const punched = await backupBothWays();
    expect(punched.indexId).not.toBe(scattered.indexId);

    // Truncated inside a chunk, then grown again (the tail is a hole now).
    execFileSync('truncate', ['--size', String(40 * MIB + 777), disk]);
    const shrunk = await backupBothWays();
    execFileSync('truncate', ['--size', String(SIZE), disk]);
    const grown = await backupBothWays();
    expect(grown.indexId).not.toBe(shrunk.indexId);

    // Preallocated (unwritten) extents read as zeros: either mapped as holes or the map is refused.
    execFileSync('fallocate', ['--offset', String(60 * MIB), '--length', String(8 * MIB), '--keep-size', disk]);
    await backupBothWays();

    // Same size and mtime put back after a write into a hole.
    const reference = join(vault.dir, 'reference');
    execFileSync('touch', ['-r', disk, reference]);
    writeAt(disk, 80 * MIB + 4096, pseudoRandom('late', 4096));
    execFileSync('touch', ['-r', reference, disk]);
    const sameTimes = await backupBothWays();
    expect(sameTimes.indexId).not.toBe(grown.indexId);

    // The last byte of the file.
    writeAt(disk, SIZE - 1, Buffer.from([7]));
    const last = await backupBothWays();
    expect(last.indexId).not.toBe(sameTimes.indexId);

    const index = await vault.store.readIndex(last.indexId);
    const out = join(vault.dir, 'restored.raw');
    await vault.store.restoreFile({ index, outPath: out, expectedDigest: last.indexId });
    expect(readFileSync(out).equals(readFileSync(disk))).toBe(true);
    expect(statSync(out).blocks * 512).toBeLessThan(16 * MIB);
  });
  it('preallocated (unwritten) extents: SEEK_DATA calls them holes while st_blocks counts them; FIEMAP maps them, no full read', async (context) => {
    if (!toolPresent('filefrag') || !toolPresent('fallocate')) context.skip('filefrag or fallocate missing');
    const fd = openSync(disk, 'w');
    ftruncateSync(fd, SIZE);
    closeSync(fd);
    // 32 MiB preallocated (reads as zeros), and 1 MiB of data elsewhere.
    execFileSync('fallocate', ['-o', String(8 * MIB), '-l', String(32 * MIB), disk]);
    writeAt(disk, 64 * MIB, pseudoRandom('data', MIB));
    const allocated = statSync(disk).blocks * 512;
    if (allocated < 32 * MIB) context.skip('this filesystem does not preallocate (fallocate made no blocks)');
    const map = await (async () => {
      const { open } = await import('node:fs/promises');
      const handle = await open(disk, 'r');
      try { return await findFileDataRanges(handle, disk); } finally { await handle.close(); }
    })();
    expect(map, 'a map is found (no whole-file read)').not.toBeNull();
    const mapped = map!.ranges.reduce((sum, range) => sum + range.length, 0);
    expect(mapped).toBeGreaterThanOrEqual(MIB);
    expect(mapped).toBeLessThan(SIZE / 2);
    const result = await backupBothWays();
    expect(result.skipped).toBeGreaterThan(SIZE / 2);
  });
});

describe('hole map output is parsed strictly', () => {
  it('reads SEEK_DATA/SEEK_HOLE output and refuses anything malformed', () => {
    const ok = 'Whence\tResult\nHOLE\t0\nDATA\t4096\nHOLE\t8192\nDATA\t65536\nHOLE\t70000\n';
    expect(parseSeekOutput(ok, 70000)).toEqual([{ offset: 4096, length: 4096 }, { offset: 65536, length: 4464 }]);
    expect(parseSeekOutput('Whence\tResult\nDATA\t0\n', 100)).toBeNull();
    expect(parseSeekOutput('Whence\tResult\nDATA\t0\nHOLE\t200\n', 100)).toBeNull();
    expect(parseSeekOutput('Whence\tResult\nDATA\t10\nHOLE\t5\n', 100)).toBeNull();
    expect(parseSeekOutput('seek: Invalid argument\n', 100)).toBeNull();
  });

  it('reads filefrag -v extents (delalloc included) and refuses a count that does not match', () => {
    const output = [
      'Filesystem type is: ef53',
      'File size of x is 1073741824 (262144 blocks of 4096 bytes)',
      ' ext:     logical_offset:        physical_offset: length:   expected: flags:',
      '   0:    25600..   26367:          0..         0:      0:             unknown_loc,delalloc',
      '   1:    50000..   50000:          0..         0:      0:             last,unknown_loc,delalloc',
      'x: 2 extents found',
    ].join('\n');
    expect(parseFilefragOutput(output, 1073741824)).toEqual([
      { offset: 25600 * 4096, length: 768 * 4096 }, { offset: 50000 * 4096, length: 4096 },
    ]);
    expect(parseFilefragOutput(output.replace('2 extents found', '3 extents found'), 1073741824)).toBeNull();
    expect(parseFilefragOutput('filefrag: FIBMAP/FIEMAP unsupported', 100)).toBeNull();
    // filefrag counts physically contiguous neighbours as one extent: more lines than the count is fine.
    expect(parseFilefragOutput(output.replace('2 extents found', '1 extent found'), 1073741824)).toHaveLength(2);
  });

});
