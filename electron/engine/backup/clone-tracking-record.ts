/**
 * Machine-local evidence for change tracking (clone-change-tracking.ts): which clones the
 * last transfer of an item read, the index that transfer wrote for each, and each clone's
 * identity (inode, device, size, mtime and ctime in nanoseconds) when it was read. The
 * next backup reuses chunk ids of that index only while the clone still has that identity,
 * i.e. it still holds the bytes the index describes.
 *
 * Kept in <app home>/change-tracking/<vault id>/<item id>.json (folder 0700, file 0600),
 * never in the vault folder, which anyone may have written. One record per item: the
 * newest transfer that read clones replaces it. A missing, oversized or damaged record
 * means no evidence (the next backup reads the files), never an error.
 */
import { z } from '../../../shared/zod-jitless.ts';
import type { BigIntStats } from 'node:fs';
import { isPointId } from '../vault/vault-ids.ts';
import { readTrackingRecord, writeTrackingRecord, type TrackingPlace } from './tracking-record-file.ts';

export { CHANGE_TRACKING_DIR, type TrackingPlace } from './tracking-record-file.ts';

const DECIMAL = /^\d{1,20}$/;

const CloneIdentitySchema = z.object({
  ino: z.string().regex(DECIMAL),
  dev: z.string().regex(DECIMAL),
  size: z.string().regex(DECIMAL),
  mtimeNs: z.string().regex(DECIMAL),
  ctimeNs: z.string().regex(DECIMAL),
});
export type CloneIdentity = z.infer<typeof CloneIdentitySchema>;

const TrackedFileSchema = z.object({
  /** The protected file the clone was made of (absolute path). */
  source: z.string().min(1).max(4096),
  /** The clone's name inside the point's snapshot folder: one plain path component. */
  name: z.string().min(1).max(255).regex(/^[^/\\\0]+$/).refine((name) => name !== '.' && name !== '..'),
  indexId: z.string().regex(/^[0-9a-f]{64}$/),
  clone: CloneIdentitySchema,
});
export type TrackedFile = z.infer<typeof TrackedFileSchema>;

const RecordSchema = z.object({
  version: z.literal(1),
  pointId: z.string().refine(isPointId),
  files: z.array(TrackedFileSchema).max(10_000),
});
export type CloneTrackingRecord = z.infer<typeof RecordSchema>;

export function cloneIdentityOf(info: BigIntStats): CloneIdentity {
  return {
    ino: info.ino.toString(), dev: info.dev.toString(), size: info.size.toString(),
    mtimeNs: info.mtimeNs.toString(), ctimeNs: info.ctimeNs.toString(),
  };
}

export function sameCloneIdentity(a: CloneIdentity, b: CloneIdentity): boolean {
  return a.ino === b.ino && a.dev === b.dev && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/** The item's record, or null when there is none that parses. */
export function readCloneTrackingRecord(place: TrackingPlace, itemId: string): Promise<CloneTrackingRecord | null> {
  return readTrackingRecord(place, itemId, '.json', RecordSchema);
}

/** Replaces the item's record (atomically); with no files, removes it. */
export function writeCloneTrackingRecord(
  place: TrackingPlace, itemId: string, record: CloneTrackingRecord,
): Promise<void> {
  return writeTrackingRecord(place, itemId, '.json', RecordSchema, record, record.files.length === 0);
}
