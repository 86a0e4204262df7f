/**
 * The FIEMAP parser (xfs_io -c "fiemap -v") takes only complete, consistent output, and
 * sharedExtentRanges proves equality only where both maps put the same physical block with
 * trustworthy flags, or both have a hole.
 */
import { describe, expect, it } from 'vitest';
import {
  FIEMAP_FLAGS, extentsAccountFor, parseXfsIoFiemap, sameExtents, splitXfsIoOutputs, type FileExtent,
} from '../../../electron/engine/fs/file-extent-map.ts';
import { sharedExtentRanges } from '../../../electron/engine/fs/shared-extent-ranges.ts';

const HEADER = ' EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS';
const SIZE = 200 * 1024 * 1024;

function output(...lines: string[]): string {
  return ['/vm/disk.raw:', HEADER, ...lines, ''].join('\n');
}

const GOOD = output(
  '   0: [0..7]:          192..199             8 0x2000',
  '   1: [8..15]:         200..207             8   0x0',
  '   2: [16..6143]:      208..6335         6128 0x2000',
  '   3: [6144..204799]:  hole             198656',
  '   4: [204800..206847]: 6336..8383        2048 0x2001',
  '   5: [206848..409599]: hole             202752',
);

describe('parseXfsIoFiemap', () => {
  it('reads extents, holes and flags in 512-byte units', () => {
    const extents = parseXfsIoFiemap(GOOD, SIZE);
    expect(extents).toHaveLength(6);
    expect(extents?.[0]).toEqual({ offset: 0, length: 4096, physical: 192 * 512, flags: FIEMAP_FLAGS.SHARED });
    expect(extents?.[1]).toEqual({ offset: 4096, length: 4096, physical: 200 * 512, flags: 0 });
    expect(extents?.[3]).toEqual({ offset: 6144 * 512, length: 198656 * 512, physical: null, flags: 0 });
    expect(extents?.[4]?.flags).toBe(FIEMAP_FLAGS.SHARED | FIEMAP_FLAGS.LAST);
  });

  it('takes a name line alone as a file without extents', () => {
    expect(parseXfsIoFiemap('/vm/disk.raw:\n', 10)).toEqual([{ offset: 0, length: 10, physical: null, flags: 0 }]);
    expect(parseXfsIoFiemap('/vm/disk.raw:\n', 0)).toEqual([]);
  });

  it.each([
    ['empty output', ''],
    ['no name line', [HEADER, '   0: [0..7]: 192..199 8 0x0'].join('\n')],
    ['another header', ['/f:', ' EXT: FILE-OFFSET BLOCK-RANGE AG AG-OFFSET TOTAL', '   0: [0..7]: 192..199 8 0x0'].join('\n')],
    ['flags by name', output('   0: [0..409599]: 8..409607 409600 shared')],
    ['a gap between lines', output('   0: [0..7]: 192..199 8 0x0', '   1: [16..409599]: hole 409584')],
    ['an overlap', output('   0: [0..15]: 192..207 16 0x0', '   1: [8..409599]: hole 409592')],
    ['numbering skips', output('   0: [0..7]: 192..199 8 0x0', '   2: [8..409599]: hole 409592')],
    ['total disagrees', output('   0: [0..409599]: 8..409607 409601 0x1')],
    ['physical length disagrees', output('   0: [0..409599]: 8..409600 409600 0x1')],
    ['ends before the file does', output('   0: [0..7]: 192..199 8 0x1')],
    ['a truncated line', output('   0: [0..7]: 192..199 8 0x0', '   1: [8..409599]:')],
    ['a warning line', output('   0: [0..409599]: 8..409607 409600 0x1', 'xfs_io: something odd')],
    ['an offset beyond 2^53', output('   0: [0..99999999999999999]: 0..99999999999999999 100000000000000000 0x1')],
  ])('refuses %s', (_what, text) => {
    expect(parseXfsIoFiemap(text, SIZE)).toBeNull();
  });

  it('checks that extents account for the allocated blocks', () => {
    const extents = parseXfsIoFiemap(GOOD, SIZE) as FileExtent[];
    const mapped = (8 + 8 + 6128 + 2048) * 512;
    expect(extentsAccountFor(extents, mapped)).toBe(true);
    expect(extentsAccountFor(extents, mapped + 4 * 1024 * 1024)).toBe(false);
  });
});

describe('sameExtents (a map taken again, to see that nothing moved)', () => {
  it('is true only for the same offsets, lengths, addresses and flags', () => {
    const map = parseXfsIoFiemap(GOOD, SIZE) as FileExtent[];
    expect(sameExtents(map, parseXfsIoFiemap(GOOD, SIZE) as FileExtent[])).toBe(true);
    expect(sameExtents(map, map.slice(1))).toBe(false);
    for (const change of [{ physical: 4096 }, { flags: 0 }, { length: 512 }, { offset: 512 }]) {
      const moved = map.map((extent, i) => (i === 0 ? { ...extent, ...change } : extent));
      expect(sameExtents(map, moved)).toBe(false);
    }
  });
});

describe('splitXfsIoOutputs (one xfs_io for several files)', () => {
  const second = ['/vm/clone.raw:', HEADER, '   0: [0..7]:          192..199             8 0x2001', ''].join('\n');

  it('gives each file its own map, in the order asked', () => {
    const parts = splitXfsIoOutputs(`${GOOD}${second}`, ['/vm/disk.raw', '/vm/clone.raw']);
    expect(parts).toHaveLength(2);
    expect(parseXfsIoFiemap(parts?.[0] as string, SIZE)).toEqual(parseXfsIoFiemap(GOOD, SIZE));
    expect(parseXfsIoFiemap(parts?.[1] as string, 4096)).toEqual([{ offset: 0, length: 4096, physical: 192 * 512, flags: 0x2001 }]);
    // A file without extents: its name line alone, then the next file's.
    const empty = splitXfsIoOutputs(`/vm/disk.raw:\n${second}`, ['/vm/disk.raw', '/vm/clone.raw']);
    expect(parseXfsIoFiemap(empty?.[0] as string, 10)).toEqual([{ offset: 0, length: 10, physical: null, flags: 0 }]);
  });

  it('refuses output whose name lines are missing, out of order or not first', () => {
    expect(splitXfsIoOutputs(`${second}${GOOD}`, ['/vm/disk.raw', '/vm/clone.raw'])).toBeNull();
    expect(splitXfsIoOutputs(GOOD, ['/vm/disk.raw', '/vm/clone.raw'])).toBeNull();
    expect(splitXfsIoOutputs(`warning\n${GOOD}${second}`, ['/vm/disk.raw', '/vm/clone.raw'])).toBeNull();
    // A map cut short at the next name line no longer covers its file.
    const cut = splitXfsIoOutputs(`${GOOD.split('\n').slice(0, 4).join('\n')}\n${second}`, ['/vm/disk.raw', '/vm/clone.raw']);
    expect(parseXfsIoFiemap(cut?.[0] as string, SIZE)).toBeNull();
  });
});

describe('sharedExtentRanges', () => {
  const MIB = 1024 * 1024;
  const shared: number = FIEMAP_FLAGS.SHARED;
  const extent = (offset: number, length: number, physical: number | null, flags = shared): FileExtent => ({
    offset, length, physical, flags: physical === null ? 0 : flags,
  });

  it('keeps ranges at the same physical address, shared in both, and holes in both', () => {
    const current = [extent(0, 2 * MIB, 100 * MIB), extent(2 * MIB, MIB, 500 * MIB, 0), extent(3 * MIB, MIB, null)];
    const previous = [extent(0, MIB, 100 * MIB), extent(MIB, 2 * MIB, 101 * MIB), extent(3 * MIB, MIB, null)];
    // [0, 2 MiB) same; [2, 3) current moved (not shared); [3, 4) a hole in both.
    expect(sharedExtentRanges(current, previous, 4 * MIB)).toEqual([
      { offset: 0, length: 2 * MIB }, { offset: 3 * MIB, length: MIB },
    ]);
  });

  it('proves nothing at a shifted address, with doubtful flags, or a hole in one file', () => {
    const previous = [extent(0, 4 * MIB, 100 * MIB)];
    expect(sharedExtentRanges([extent(0, 4 * MIB, 100 * MIB + 4096)], previous, 4 * MIB)).toEqual([]);
    for (const flag of [FIEMAP_FLAGS.UNKNOWN, FIEMAP_FLAGS.DELALLOC, FIEMAP_FLAGS.ENCODED, FIEMAP_FLAGS.DATA_ENCRYPTED,
      FIEMAP_FLAGS.NOT_ALIGNED, FIEMAP_FLAGS.DATA_INLINE, FIEMAP_FLAGS.DATA_TAIL]) {
      expect(sharedExtentRanges([extent(0, 4 * MIB, 100 * MIB, shared | flag)], previous, 4 * MIB)).toEqual([]);
    }
    expect(sharedExtentRanges([extent(0, 4 * MIB, 100 * MIB, 0)], [extent(0, 4 * MIB, 100 * MIB, 0)], 4 * MIB)).toEqual([]);
    expect(sharedExtentRanges([extent(0, 4 * MIB, 100 * MIB, shared | FIEMAP_FLAGS.UNWRITTEN)], previous, 4 * MIB)).toEqual([]);
    expect(sharedExtentRanges([extent(0, 4 * MIB, null)], previous, 4 * MIB)).toEqual([]);
  });

  it('never proves btrfs compressed or inline extents, as xfs_io prints them', () => {
    // btrfs with compress-force=zstd: 128 KiB extents compressed into 4 KiB each, so the printed block ranges
    // overlap (an address names a compressed extent, not the block at that offset), then a plain shared extent.
    const compressed = (first: number) => [
      `   0: [0..255]:        ${first}..${first + 255}       256 0x2008`,
      `   1: [256..511]:      ${first + 8}..${first + 263}       256 0x2008`,
      '   2: [512..2559]:     164224..166271      2048 0x2001',
    ];
    const size = 2560 * 512;
    const previous = parseXfsIoFiemap(output(...compressed(26624)), size);
    // The current clone's first extent at the previous one's second address: different data, same number.
    const current = parseXfsIoFiemap(output(...compressed(26632)), size);
    expect(previous && current).toBeTruthy();
    expect(sharedExtentRanges(current as FileExtent[], previous as FileExtent[], size)).toEqual([{ offset: 512 * 512, length: 2048 * 512 }]);
    expect(sharedExtentRanges(previous as FileExtent[], previous as FileExtent[], size)).toEqual([{ offset: 512 * 512, length: 2048 * 512 }]);
    // A small file's inline extent (LAST | ENCODED | NOT_ALIGNED | DATA_INLINE).
    const inline = parseXfsIoFiemap(output('   0: [0..7]:          0..7                 8 0x309'), 100) as FileExtent[];
    expect(sharedExtentRanges(inline, inline, 100)).toEqual([]);
  });

  it('stops at the limit (the smaller file) and merges neighbours', () => {
    const current = [extent(0, MIB, 10 * MIB, shared | FIEMAP_FLAGS.LAST), extent(MIB, 3 * MIB, 11 * MIB)];
    const previous = [extent(0, 4 * MIB, 10 * MIB)];
    expect(sharedExtentRanges(current, previous, 2 * MIB + 5)).toEqual([{ offset: 0, length: 2 * MIB + 5 }]);
  });
});
