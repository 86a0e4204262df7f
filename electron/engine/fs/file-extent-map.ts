/**
 * A file's extent map with physical addresses (FIEMAP), for change tracking between two
 * reflink clones (backup/clone-change-tracking.ts): where two files map the same logical
 * range to the same physical blocks, they hold the same bytes there, because a write to a
 * shared block is copy-on-write on XFS and btrfs (on btrfs even in a no-copy-on-write file:
 * a block another file references is written to a new place). On btrfs the addresses are
 * its logical addresses (one per block whatever the RAID profile), extents up to 128 MiB
 * (FIEMAP merges adjacent ones); a compressed extent's address names the whole compressed
 * extent, not the block at that offset, and an inline one has none: btrfs flags those
 * ENCODED and DATA_INLINE, which the comparison never trusts (shared-extent-ranges.ts), so
 * they are read.
 *
 * Node has no FIEMAP ioctl and Labvault takes no native addon, so the map comes from
 * `xfs_io -r -c "fiemap -v" <file>` (xfsprogs), which prints every extent with its flags
 * in hex and every hole between them, all in 512-byte units. The answer is used only with
 * evidence that it is whole; otherwise `null`:
 *  - every line parses: a name line, the column header, then numbered lines that cover the
 *    file from offset 0 without a gap or an overlap up to its size (or only the name line:
 *    a file without extents);
 *  - size, mtime, ctime, allocated blocks, inode and device are the same before and after
 *    the query (nanosecond times);
 *  - the extents account for the blocks the file has allocated (st_blocks), with room only
 *    for extent metadata.
 */
import { execFile } from 'node:child_process';
import { lstat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';

/** FIEMAP extent flags (linux/fiemap.h). */
export const FIEMAP_FLAGS = {
  LAST: 0x1,
  UNKNOWN: 0x2,
  DELALLOC: 0x4,
  ENCODED: 0x8,
  DATA_ENCRYPTED: 0x80,
  NOT_ALIGNED: 0x100,
  DATA_INLINE: 0x200,
  DATA_TAIL: 0x400,
  UNWRITTEN: 0x800,
  MERGED: 0x1000,
  SHARED: 0x2000,
} as const;

export interface FileExtent {
  /** Logical byte offset in the file. */
  offset: number;
  length: number;
  /** Physical byte address on the device; null for a hole. */
  physical: number | null;
  /** FIEMAP flags (0 for a hole). */
  flags: number;
}

export interface FileExtentMap {
  /** Sorted, contiguous from 0, covering at least the file's size. */
  extents: FileExtent[];
  /** The file's stat taken before the query (equal to the one after it). */
  stat: BigIntStats;
}

const UNIT = 512;
/** Output larger than this (a file in hundreds of thousands of fragments) is not parsed. */
const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;
const QUERY_TIMEOUT_MS = 60_000;
const HEADER = /^\s*EXT:\s+FILE-OFFSET\s+BLOCK-RANGE\s+TOTAL\s+FLAGS\s*$/;
const EXTENT_LINE = /^\s*(\d+):\s+\[(\d+)\.\.(\d+)\]:\s+(?:(\d+)\.\.(\d+)\s+(\d+)\s+0x([0-9a-fA-F]{1,8})|hole\s+(\d+))\s*$/;

/**
 * Parses `xfs_io -c "fiemap -v"` for a file of `size` bytes; null unless every line is
 * understood and the lines cover [0, size) exactly once. Adjacent lines are kept apart.
 */
export function parseXfsIoFiemap(output: string, size: number): FileExtent[] | null {
  if (!Number.isSafeInteger(size) || size < 0) return null;
  const lines = output.split('\n');
  while (lines.length > 0 && (lines.at(-1) as string).trim() === '') lines.pop();
  if (lines.length === 0 || !(lines[0] as string).endsWith(':')) return null;
  // Only the name line: the file has no extents at all (empty, or one hole).
  if (lines.length === 1) return size === 0 ? [] : [{ offset: 0, length: size, physical: null, flags: 0 }];
  if (!HEADER.test(lines[1] as string)) return null;
  const extents: FileExtent[] = [];
  let end = 0;
  for (let i = 2; i < lines.length; i += 1) {
    const match = EXTENT_LINE.exec(lines[i] as string);
    if (!match) return null;
    if (Number(match[1]) !== i - 2) return null;
    const first = Number(match[2]);
    const last = Number(match[3]);
    const offset = first * UNIT;
    const next = (last + 1) * UNIT;
    if (!Number.isSafeInteger(next) || last < first || offset !== end) return null;
    if (match[8] !== undefined) {
      if (Number(match[8]) !== last - first + 1) return null;
      extents.push({ offset, length: next - offset, physical: null, flags: 0 });
    } else {
      const physicalFirst = Number(match[4]);
      const physicalLast = Number(match[5]);
      if (!Number.isSafeInteger(physicalLast * UNIT) || physicalLast - physicalFirst !== last - first) return null;
      if (Number(match[6]) !== last - first + 1) return null;
      const flags = Number.parseInt(match[7] as string, 16);
      extents.push({ offset, length: next - offset, physical: physicalFirst * UNIT, flags });
    }
    end = next;
  }
  // The lines must reach the end of the file (a trailing hole is printed as one).
  if (end < size) return null;
  return extents;
}

function run(command: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(command, args, {
      timeout: QUERY_TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES, env: { ...process.env, LC_ALL: 'C' },
    }, (error, stdout) => resolve(error ? null : stdout));
  });
}

/** Same file, same content and allocation: size, mtime, ctime (ns), blocks, inode, device. */
export function sameFileState(a: BigIntStats, b: BigIntStats): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.blocks === b.blocks
    && a.ino === b.ino && a.dev === b.dev;
}

/** Whether two maps list the same extents (offsets, lengths, addresses and flags). */
export function sameExtents(a: readonly FileExtent[], b: readonly FileExtent[]): boolean {
  return a.length === b.length && a.every((extent, i) => {
    const other = b[i] as FileExtent;
    return extent.offset === other.offset && extent.length === other.length
      && extent.physical === other.physical && extent.flags === other.flags;
  });
}

/** Whether the extents account for the file's allocated blocks (room for extent metadata only). */
export function extentsAccountFor(extents: FileExtent[], allocatedBytes: number): boolean {
  const mapped = extents.reduce((sum, extent) => sum + (extent.physical === null ? 0 : extent.length), 0);
  return allocatedBytes <= mapped + 64 * 1024 + mapped / 64;
}

/**
 * Splits the output of one `xfs_io -c "fiemap -v" A B ...` (each file's map after its name
 * line, in the order given) into one output per path; null when the name lines are not there
 * in that order.
 */
export function splitXfsIoOutputs(output: string, paths: readonly string[]): string[] | null {
  const lines = output.split('\n');
  const starts: number[] = [];
  let at = 0;
  for (const path of paths) {
    const found = lines.indexOf(`${path}:`, at);
    // The first file's name line opens the output; each later one follows the one before it.
    if (found < 0 || (starts.length === 0 && found !== 0)) return null;
    starts.push(found);
    at = found + 1;
  }
  return starts.map((start, i) => lines.slice(start, starts[i + 1] ?? lines.length).join('\n'));
}

/**
 * The extent maps of the regular files at `paths` (never followed through a symbolic link),
 * from one xfs_io process (one spawn, not one per file), each null when the platform gives
 * none or any check above fails for it.
 */
export async function readFileExtentMaps(paths: readonly string[]): Promise<Array<FileExtentMap | null>> {
  const none = paths.map(() => null);
  if (process.platform !== 'linux' || process.env.LABVAULT_NO_CHANGE_TRACKING === '1' || paths.length === 0) return none;
  const stats = () => Promise.all(paths.map((path) => lstat(path, { bigint: true }).catch(() => null)));
  const before = await stats();
  if (before.some((info) => info === null || !info.isFile())) return none;
  const output = await run('xfs_io', ['-r', '-c', 'fiemap -v', ...paths]);
  const outputs = output === null ? null : splitXfsIoOutputs(output, paths);
  if (outputs === null) return none;
  const after = await stats();
  return paths.map((_, i) => {
    const first = before[i] as BigIntStats;
    const last = after[i];
    if (last === null || last === undefined || !last.isFile() || !sameFileState(first, last)) return null;
    const extents = parseXfsIoFiemap(outputs[i] as string, Number(first.size));
    if (extents === null || !extentsAccountFor(extents, Number(first.blocks) * 512)) return null;
    return { extents, stat: first };
  });
}

/**
 * The extent map of the regular file at `path` (never followed through a symbolic link),
 * or null when the platform gives none or any check above fails.
 */
export async function readFileExtentMap(path: string): Promise<FileExtentMap | null> {
  return (await readFileExtentMaps([path]))[0] ?? null;
}
