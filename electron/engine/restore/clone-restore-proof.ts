/**
 * Which byte ranges of a file restored by clone are proven to hold the point's bytes
 * without reading them, so verifying the restore (restore-disks.ts) hashes only the rest.
 * The same evidence as change tracking between clones (backup/clone-change-tracking.ts),
 * all of it required, else nothing is proven and every chunk is read and hashed:
 *  - this machine's record of the item's last transfer (clone-tracking-record.ts, in the
 *    app home, never the vault) is of this point and names this file with the index the
 *    manifest names: that transfer read the point's clone and wrote that index from it;
 *  - the point's clone still has the identity the record took after that read (inode,
 *    device, size, mtime and ctime in nanoseconds): nothing has written to it since;
 *  - the restored file and the clone map the range to the same physical blocks, marked
 *    shared, with trustworthy flags, or both have a hole there (fs/shared-extent-ranges.ts);
 *    a write to a shared block is copy-on-write, so both hold what the transfer read;
 *  - both extent maps are whole and stable across their queries (fs/file-extent-map.ts; the
 *    restored file's the same when mapped again after the clone's),
 *    the clone's still with the recorded identity, the restored file's with the state of
 *    the handle the verification reads through.
 */
import { lstat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import type { DataRange } from '../fs/file-data-ranges.ts';
import { readFileExtentMaps, sameExtents, sameFileState } from '../fs/file-extent-map.ts';
import { sharedExtentRanges } from '../fs/shared-extent-ranges.ts';
import { cloneIdentityOf, sameCloneIdentity, type CloneTrackingRecord } from '../backup/clone-tracking-record.ts';

export interface CloneRestoreEvidence {
  /** The item's change-tracking record, or null. */
  record: CloneTrackingRecord | null;
  pointId: string;
  /** The file's name in the point (its clone's name) and the index the manifest names for it. */
  name: string;
  indexId: string;
  size: number;
  /** The point's clone the restore cloned from. */
  clonePath: string;
  /** The restored file, and its state as the verifying handle sees it (after any chmod). */
  targetPath: string;
  targetState: BigIntStats;
}

/** Sorted byte ranges of the restored file proven equal to the point's content; [] when unproven. */
export async function provenCloneRanges(evidence: CloneRestoreEvidence): Promise<DataRange[]> {
  const { record } = evidence;
  if (record === null || record.pointId !== evidence.pointId) return [];
  const tracked = record.files.find((file) => file.name === evidence.name && file.indexId === evidence.indexId);
  if (tracked === undefined || tracked.clone.size !== String(evidence.size)) return [];
  const cloneNow = await lstat(evidence.clonePath, { bigint: true }).catch(() => null);
  if (cloneNow === null || !cloneNow.isFile()) return [];
  if (!sameCloneIdentity(cloneIdentityOf(cloneNow), tracked.clone)) return [];
  // One query, the restored file mapped again after the clone: a btrfs balance moving extents between the
  // queries could otherwise line up other data at one address (backup/clone-change-tracking.ts does the same).
  const [targetMap, cloneMap, targetAgain] = await readFileExtentMaps([
    evidence.targetPath, evidence.clonePath, evidence.targetPath,
  ]);
  if (!cloneMap || !targetMap || !targetAgain || !sameExtents(targetMap.extents, targetAgain.extents)) return [];
  if (!sameCloneIdentity(cloneIdentityOf(cloneMap.stat), tracked.clone)) return [];
  if (!sameFileState(targetMap.stat, evidence.targetState)) return [];
  return sharedExtentRanges(targetMap.extents, cloneMap.extents, evidence.size);
}

/** Whether chunk [start, start + length) lies wholly inside one of `ranges` (sorted, merged). */
export function insideRanges(ranges: DataRange[], start: number, length: number): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const range = ranges[mid] as DataRange;
    if (range.offset + range.length <= start) low = mid + 1;
    else if (range.offset > start) high = mid - 1;
    else return start + length <= range.offset + range.length;
  }
  return false;
}
