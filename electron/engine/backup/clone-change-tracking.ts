/**
 * Change tracking from reflink clones: which byte ranges of a new point's clone are still
 * the previous point's clone's, so the transfer does not read them (backupFile's
 * `unchanged`). Evidence, all of it required, else the file is read as usual:
 *  - this machine's record of the item's last transfer (clone-tracking-record.ts, in the
 *    app home) names the file's source, the previous point, the index it wrote for the
 *    clone and the clone's identity then;
 *  - that point's clone folder still exists where snapshot-area.ts derives it from the
 *    validated item and point ids, and the clone's name comes from the record, never from
 *    the vault; the clone is a regular file (no link is followed) with the recorded inode,
 *    device, size, mtime and ctime (ns): nothing has written to it since it was read;
 *  - both clones' extent maps (fs/file-extent-map.ts, each stable across its query and
 *    accounting for the allocated blocks, the new clone's the same when mapped again after
 *    the earlier clone's) put a range at the same physical address with trustworthy flags,
 *    or both have a hole there (fs/shared-extent-ranges.ts);
 *  - the recorded index reads back (its id is its content's digest, so it is the index
 *    that transfer wrote) and describes a file of the recorded size.
 * backupFile then reuses a chunk id only for whole chunks inside those ranges whose chunk
 * the store still has, and only while the new clone's stat is the one the map was made for.
 * `whole` says the ranges prove the entire file: same size as the earlier clone and its
 * index, every byte shared or a hole in both, same chunk size as the store writes. The
 * transfer then takes the earlier index as it is, without opening the clone (when that index
 * is also the previous point's, so its chunks are referenced by a point of the vault).
 */
import { join } from 'node:path';
import type { VaultStore } from '../vault/store/index.ts';
import type { UnchangedRanges } from '../vault/store/backup-file.ts';
import { readFileExtentMaps, sameExtents } from '../fs/file-extent-map.ts';
import { sharedExtentRanges } from '../fs/shared-extent-ranges.ts';
import { existingPointSnapshot } from './snapshot-area.ts';
import { cloneIdentityOf, sameCloneIdentity, type CloneTrackingRecord } from './clone-tracking-record.ts';
import type { CapturedFile } from './snapshot-phase.ts';

/** Smaller files are read whole: two map queries cost more than reading them. */
const MIN_TRACKED_SIZE = 8 * 1024 * 1024;

export interface TrackingInput {
  store: VaultStore;
  vaultDir: string;
  itemId: string;
  /** The item's files (the beside-the-VM snapshot area is derived from the first). */
  itemFiles: readonly { path: string }[];
  record: CloneTrackingRecord | null;
  file: CapturedFile;
}

export type TrackingAnswer =
  | { ranges: UnchangedRanges; indexId: string; whole: boolean; why?: undefined }
  | { ranges: null; why: string };

function none(why: string): TrackingAnswer {
  return { ranges: null, why };
}

/** The ranges of `file`'s clone proven equal to the previous point's clone, or why there are none. */
export async function trackCloneChanges(input: TrackingInput): Promise<TrackingAnswer> {
  const { file, record } = input;
  if (!file.cloned) return none('no clone was made');
  if (file.identity.size < MIN_TRACKED_SIZE) return none('small file');
  if (record === null) return none('no record of an earlier clone on this machine');
  const entry = record.files.find((candidate) => candidate.source === file.source.path);
  if (entry === undefined) return none('the last transfer did not read a clone of this file');
  const folder = existingPointSnapshot(input.vaultDir, input.itemId, record.pointId, input.itemFiles);
  if (folder === null) return none(`the clones of point ${record.pointId} are gone`);
  // The new clone is mapped again after the earlier one: a btrfs balance moves extents (every file's
  // reference at once) and could put other data at an address between the two queries; a map that moved proves nothing.
  const [current, previous, currentAgain] = await readFileExtentMaps([
    file.readPath, join(folder, entry.name), file.readPath,
  ]);
  if (!current || !previous || !currentAgain) return none('no extent map that holds');
  if (!sameExtents(current.extents, currentAgain.extents)) return none('the extents moved while they were mapped');
  if (!sameCloneIdentity(cloneIdentityOf(previous.stat), entry.clone)) return none('the earlier clone changed since it was read');
  if (current.stat.ino === previous.stat.ino && current.stat.dev === previous.stat.dev) return none('both clones are one file');
  const previousIndex = await input.store.readIndex(entry.indexId, Number(entry.clone.size)).catch(() => null);
  if (previousIndex === null) return none('the earlier index is not readable');
  const limit = Math.min(Number(current.stat.size), Number(previous.stat.size));
  const ranges = sharedExtentRanges(current.extents, previous.extents, limit);
  const size = Number(current.stat.size);
  const first = ranges[0];
  const whole = size === Number(previous.stat.size) && size === previousIndex.fileSize
    && previousIndex.chunkSize === input.store.chunkSize
    && (size === 0 || (ranges.length === 1 && first !== undefined && first.offset === 0 && first.length === size));
  return { ranges: { ranges, previousIndex, stat: current.stat }, indexId: entry.indexId, whole };
}
