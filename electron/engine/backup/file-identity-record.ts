/**
 * Machine-local evidence for reusing a file's index without reading it (transfer-phase.ts):
 * the identity each file had when the item's last transfer captured it, change time in
 * nanoseconds included. Size and mtime alone prove nothing (anyone can put an mtime back,
 * and a write keeps the size); the change time cannot be set by a program and moves with
 * every write, truncation, hole punched or time set. A file is reused only when it has the
 * recorded inode, device, size, mtime and change time, and the previous point's index for
 * it is the recorded one.
 *
 * Same-tick writes: a write in the same timestamp tick as the capture's stat would leave
 * the change time as it was, so a file is recorded only when its change time was at least
 * SETTLED_MS older than the stat; a file written just before its capture is read again
 * next time.
 *
 * Kept in <app home>/change-tracking/<vault id>/<item id>.files.json (folder 0700, file
 * 0600), never in the vault folder. One record per item, replaced by every transfer. A
 * missing, oversized or damaged record means no evidence (the files are read), never an error.
 */
import { z } from '../../../shared/zod-jitless.ts';
import { isPointId } from '../vault/vault-ids.ts';
import { readTrackingRecord, writeTrackingRecord, type TrackingPlace } from './tracking-record-file.ts';
import type { FileIdentity } from './snapshot-phase.ts';

/** A change time at least this much older than the capture's stat is past any timestamp tick. */
export const SETTLED_MS = 1000;
const DECIMAL = /^\d{1,20}$/;

const SeenFileSchema = z.object({
  /** The protected file (absolute path), as the item lists it. */
  source: z.string().min(1).max(4096),
  indexId: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  mtimeMs: z.number().nonnegative(),
  ino: z.number().int().nonnegative(),
  dev: z.number().int().nonnegative(),
  ctimeNs: z.string().regex(DECIMAL),
});
export type SeenFile = z.infer<typeof SeenFileSchema>;

const RecordSchema = z.object({
  version: z.literal(1),
  pointId: z.string().refine(isPointId),
  files: z.array(SeenFileSchema).max(10_000),
});
export type FileIdentityRecord = z.infer<typeof RecordSchema>;

/** The entry to record for a file captured with `identity`, stored under `indexId`; null when unsettled. */
export function seenFileOf(source: string, indexId: string, identity: FileIdentity): SeenFile | null {
  if (identity.ctimeNs === undefined || identity.seenAtMs === undefined) return null;
  const changedMs = Number(BigInt(identity.ctimeNs) / 1_000_000n);
  if (changedMs > identity.seenAtMs - SETTLED_MS) return null;
  return {
    source, indexId, size: identity.size, mtimeMs: identity.mtimeMs, ino: identity.ino, dev: identity.dev,
    ctimeNs: identity.ctimeNs,
  };
}

/** Whether `record` proves the captured file still holds what index `indexId` of point `pointId` describes. */
export function provenUnchanged(
  record: FileIdentityRecord | null, pointId: string | undefined, source: string, indexId: string,
  identity: FileIdentity,
): boolean {
  if (record === null || pointId === undefined || record.pointId !== pointId) return false;
  if (identity.ctimeNs === undefined) return false;
  const seen = record.files.find((file) => file.source === source);
  return seen !== undefined && seen.indexId === indexId && seen.size === identity.size
    && seen.mtimeMs === identity.mtimeMs && seen.ino === identity.ino && seen.dev === identity.dev
    && seen.ctimeNs === identity.ctimeNs;
}

export function readFileIdentityRecord(place: TrackingPlace, itemId: string): Promise<FileIdentityRecord | null> {
  return readTrackingRecord(place, itemId, '.files.json', RecordSchema);
}

/** Replaces the item's record (atomically); with no files, removes it. */
export function writeFileIdentityRecord(
  place: TrackingPlace, itemId: string, record: FileIdentityRecord,
): Promise<void> {
  return writeTrackingRecord(place, itemId, '.files.json', RecordSchema, record, record.files.length === 0);
}
