/**
 * Where two files' extent maps prove the same bytes: the byte ranges that, at the same
 * logical offset, are
 *  - in both files an extent at the same physical address, marked shared in both, with no
 *    flag that makes the address doubtful (unknown location, delayed allocation, encoded
 *    or compressed, encrypted, inline, tail-packed, not aligned) and the same unwritten
 *    state; on XFS and btrfs a write to a shared block goes to a new block (copy-on-write),
 *    so a block both files still map holds what both read there;
 *  - or a hole in both files (both read zeros there).
 * Anything else is not proven equal. Ranges end at `limit` (the smaller file size).
 */
import { FIEMAP_FLAGS, type FileExtent } from './file-extent-map.ts';
import type { DataRange } from './file-data-ranges.ts';

/** Flags that may appear on an extent whose physical address is trusted. */
const TRUSTED_FLAGS = FIEMAP_FLAGS.LAST | FIEMAP_FLAGS.MERGED | FIEMAP_FLAGS.SHARED | FIEMAP_FLAGS.UNWRITTEN;

function trusted(extent: FileExtent): boolean {
  return (extent.flags & ~TRUSTED_FLAGS) === 0 && (extent.flags & FIEMAP_FLAGS.SHARED) !== 0;
}

/** Whether `a` and `b`, both covering logical offset `at`, hold the same bytes there. */
function sameAt(a: FileExtent, b: FileExtent, at: number): boolean {
  if (a.physical === null || b.physical === null) return a.physical === null && b.physical === null;
  if (!trusted(a) || !trusted(b)) return false;
  if ((a.flags & FIEMAP_FLAGS.UNWRITTEN) !== (b.flags & FIEMAP_FLAGS.UNWRITTEN)) return false;
  return a.physical + (at - a.offset) === b.physical + (at - b.offset);
}

/** Sorted, merged byte ranges below `limit` where `current` and `previous` hold the same bytes. */
export function sharedExtentRanges(current: FileExtent[], previous: FileExtent[], limit: number): DataRange[] {
  const ranges: DataRange[] = [];
  let i = 0;
  let j = 0;
  let at = 0;
  while (i < current.length && j < previous.length && at < limit) {
    const a = current[i] as FileExtent;
    const b = previous[j] as FileExtent;
    const aEnd = a.offset + a.length;
    const bEnd = b.offset + b.length;
    if (aEnd <= at) {
      i += 1;
      continue;
    }
    if (bEnd <= at) {
      j += 1;
      continue;
    }
    // Both maps are contiguous from 0, so each covers `at` here; a gap (a malformed map) proves nothing.
    if (a.offset > at || b.offset > at) {
      at = Math.max(a.offset, b.offset);
      continue;
    }
    const end = Math.min(aEnd, bEnd, limit);
    if (sameAt(a, b, at)) {
      const last = ranges.at(-1);
      if (last !== undefined && last.offset + last.length === at) last.length += end - at;
      else ranges.push({ offset: at, length: end - at });
    }
    at = end;
  }
  return ranges;
}
