/**
 * Where a file holds data, as its filesystem reports it, so a sparse disk image is read
 * only where it has data and its holes are never read as zeros.
 *
 * Node has no lseek(SEEK_DATA/SEEK_HOLE) and Labvault takes no native addon, so the map
 * comes from a subprocess: `xfs_io -r -c "seek -a -r 0"` (xfsprogs; SEEK_DATA/SEEK_HOLE
 * on any filesystem, tmpfs included), else `filefrag -v` (e2fsprogs; FIEMAP). The answer
 * is used only with evidence that it is whole; otherwise `null` (the caller reads all):
 *  - the output parses completely: sorted, non-overlapping ranges inside the file, and
 *    for filefrag as many extents as it says it found;
 *  - size, mtime, ctime and allocated blocks are the same before and after the query;
 *  - the data ranges account for the blocks the file has allocated (st_blocks) with
 *    room only for extent metadata: a filesystem that hides allocated blocks as holes
 *    (preallocated, unwritten extents) falls back to a full read;
 *  - up to SPOT_CHECKS blocks picked across the holes are read and must be zero.
 * The returned ranges may cover more than the data (whole filesystem blocks); never less.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { createHash } from 'node:crypto';

export interface DataRange {
  offset: number;
  length: number;
}

export interface FileDataMap {
  /** Sorted, non-overlapping ranges that hold every non-zero byte of the file. */
  ranges: DataRange[];
  /** Which tool reported them. */
  source: 'seek' | 'fiemap';
}

/** Output larger than this (a file in millions of fragments) is not parsed: full read. */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
const QUERY_TIMEOUT_MS = 30_000;
/** Files smaller than this are read whole (the query costs more than the read). */
const MIN_SIZE = 64 * 1024 * 1024;
const SPOT_CHECKS = 16;
const SPOT_BLOCK = 4096;

function run(command: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(command, args, {
      timeout: QUERY_TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES, env: { ...process.env, LC_ALL: 'C' },
    }, (error, stdout) => resolve(error ? null : stdout));
  });
}

/** Parses `xfs_io -c "seek -a -r 0"`: a header, then alternating "DATA\t<offset>" / "HOLE\t<offset>" lines. */
export function parseSeekOutput(output: string, size: number): DataRange[] | null {
  const lines = output.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  if (lines[0] !== 'Whence\tResult' && !/^Whence\s+Result$/.test(lines[0] ?? '')) return null;
  const ranges: DataRange[] = [];
  let dataStart: number | null = null;
  let last = -1;
  for (const line of lines.slice(1)) {
    const match = /^(DATA|HOLE)\s+(\d+)$/.exec(line);
    if (!match) return null;
    const offset = Number(match[2]);
    if (!Number.isSafeInteger(offset) || offset <= last || offset > size) return null;
    last = offset;
    if (match[1] === 'DATA') {
      if (dataStart !== null) return null;
      dataStart = offset;
    } else if (dataStart !== null) {
      ranges.push({ offset: dataStart, length: offset - dataStart });
      dataStart = null;
    }
  }
  // SEEK_HOLE always finds the implicit hole at end of file, so a DATA line is always closed.
  if (dataStart !== null) return null;
  return ranges;
}

/** Parses `filefrag -v`: extents in filesystem blocks ("N: a.. b: ..."), checked against "K extents found". */
export function parseFilefragOutput(output: string, size: number): DataRange[] | null {
  const blockMatch = /\(\d+ blocks? of (\d+) bytes\)/.exec(output);
  const foundMatch = /: (\d+) extents? found/.exec(output);
  if (!blockMatch || !foundMatch) return null;
  const blockSize = Number(blockMatch[1]);
  if (!(blockSize >= 512) || (blockSize & (blockSize - 1)) !== 0) return null;
  const ranges: DataRange[] = [];
  let end = 0;
  for (const match of output.matchAll(/^\s*\d+:\s*(\d+)\.\.\s*(\d+):/gm)) {
    const first = Number(match[1]) * blockSize;
    const next = (Number(match[2]) + 1) * blockSize;
    if (!Number.isSafeInteger(next) || first < end || next <= first) return null;
    const last = ranges.at(-1);
    if (last !== undefined && last.offset + last.length === first) last.length += next - first;
    else ranges.push({ offset: first, length: next - first });
    end = next;
  }
  // filefrag counts merged neighbours as one extent; a count above the lines parsed means lines were missed.
  const lines = [...output.matchAll(/^\s*\d+:\s*\d+\.\.\s*\d+:/gm)].length;
  if (lines < Number(foundMatch[1])) return null;
  return ranges
    .map((range) => ({ offset: range.offset, length: Math.min(range.offset + range.length, size) - range.offset }))
    .filter((range) => range.length > 0);
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.blocks === b.blocks
    && a.ino === b.ino && a.dev === b.dev;
}

/** Offsets (SPOT_BLOCK-aligned) spread over the holes between `ranges`, chosen by a hash of the map. */
function holeSpots(ranges: DataRange[], size: number): number[] {
  const holes: DataRange[] = [];
  let at = 0;
  for (const range of [...ranges, { offset: size, length: 0 }]) {
    if (range.offset > at) holes.push({ offset: at, length: range.offset - at });
    at = range.offset + range.length;
  }
  const blocks = holes.map((hole) => ({
    first: Math.ceil(hole.offset / SPOT_BLOCK), end: Math.floor((hole.offset + hole.length) / SPOT_BLOCK),
  })).filter((hole) => hole.end > hole.first);
  const total = blocks.reduce((sum, hole) => sum + hole.end - hole.first, 0);
  if (total === 0) return [];
  const seed = createHash('sha256').update(JSON.stringify(ranges)).digest();
  const spots: number[] = [];
  for (let i = 0; i < Math.min(SPOT_CHECKS, total); i += 1) {
    let pick = Math.floor((seed.readUInt16LE(i * 2) / 65536 + i) / Math.min(SPOT_CHECKS, total) * total);
    for (const hole of blocks) {
      if (pick < hole.end - hole.first) {
        spots.push((hole.first + pick) * SPOT_BLOCK);
        break;
      }
      pick -= hole.end - hole.first;
    }
  }
  return spots;
}

async function holesReadZero(handle: FileHandle, ranges: DataRange[], size: number): Promise<boolean> {
  const block = Buffer.alloc(SPOT_BLOCK);
  for (const offset of holeSpots(ranges, size)) {
    const { bytesRead } = await handle.read(block, 0, SPOT_BLOCK, offset);
    if (bytesRead !== SPOT_BLOCK || block.some((byte) => byte !== 0)) return false;
  }
  return true;
}

async function seekMap(path: string, size: number): Promise<FileDataMap | null> {
  const seek = await run('xfs_io', ['-r', '-c', 'seek -a -r 0', path]);
  const ranges = seek === null ? null : parseSeekOutput(seek, size);
  return ranges === null ? null : { ranges, source: 'seek' };
}

async function fiemapMap(path: string, size: number): Promise<FileDataMap | null> {
  const fiemap = await run('filefrag', ['-v', path]);
  const ranges = fiemap === null ? null : parseFilefragOutput(fiemap, size);
  return ranges === null ? null : { ranges, source: 'fiemap' };
}

/**
 * Whether `map` may be trusted for the open file: the file did not change while it was
 * asked, `path` still names it, the filesystem allocates no more than the map holds, and
 * sampled holes read as zeros.
 */
async function mapHolds(handle: FileHandle, path: string, before: Stats, map: FileDataMap): Promise<boolean> {
  const after = await handle.stat();
  if (!sameFile(before, after)) return false;
  // `path` must still name the file that is open (nothing renamed over it during the query).
  const named = await stat(path).catch(() => null);
  if (named === null || named.ino !== after.ino || named.dev !== after.dev) return false;
  const dataBytes = map.ranges.reduce((sum, range) => sum + range.length, 0);
  const allocated = after.blocks * 512;
  if (allocated > dataBytes + 64 * 1024 + dataBytes / 64) return false;
  return holesReadZero(handle, map.ranges, after.size);
}

/**
 * The data ranges of the open file `handle` (at `path`), or null when the filesystem gave
 * no answer that passes every check above (read the whole file then).
 */
export async function findFileDataRanges(handle: FileHandle, path: string): Promise<FileDataMap | null> {
  if (process.platform !== 'linux' || process.env.LABVAULT_NO_SPARSE_MAP === '1') return null;
  const before = await handle.stat();
  if (!before.isFile() || before.size < MIN_SIZE) return null;
  // SEEK_DATA first; FIEMAP when SEEK_DATA's answer does not hold: right after a file is
  // written, ext4 reports its unwritten (preallocated, zero-reading) extents as holes to
  // SEEK_DATA while st_blocks counts them, and FIEMAP lists them as extents.
  for (const query of [seekMap, fiemapMap]) {
    const map = await query(path, before.size);
    if (map !== null && (await mapHolds(handle, path, before, map))) return map;
  }
  return null;
}
