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
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import type { BigIntStats } from 'node:fs';
import { writeJsonAtomic } from '../fs/atomic-file.ts';
import { isPointId, isUuid } from '../vault/vault-ids.ts';

export const CHANGE_TRACKING_DIR = 'change-tracking';
const MAX_RECORD_BYTES = 4 * 1024 * 1024;
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

/** Where the records live: the app home and the vault's id (both this machine's, the id checked). */
export interface TrackingPlace {
  appHome: string;
  vaultId: string;
}

export function cloneIdentityOf(info: BigIntStats): CloneIdentity {
  return {
    ino: info.ino.toString(), dev: info.dev.toString(), size: info.size.toString(),
    mtimeNs: info.mtimeNs.toString(), ctimeNs: info.ctimeNs.toString(),
  };
}

export function sameCloneIdentity(a: CloneIdentity, b: CloneIdentity): boolean {
  return a.ino === b.ino && a.dev === b.dev && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

function recordPath(place: TrackingPlace, itemId: string): string | null {
  if (!isUuid(place.vaultId) || !isUuid(itemId)) return null;
  return join(place.appHome, CHANGE_TRACKING_DIR, place.vaultId, `${itemId}.json`);
}

/** The item's record, or null when there is none that parses. */
export async function readCloneTrackingRecord(
  place: TrackingPlace, itemId: string,
): Promise<CloneTrackingRecord | null> {
  const path = recordPath(place, itemId);
  if (path === null) return null;
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > MAX_RECORD_BYTES) return null;
    const parsed = RecordSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Replaces the item's record (atomically); with no files, removes it. */
export async function writeCloneTrackingRecord(
  place: TrackingPlace, itemId: string, record: CloneTrackingRecord,
): Promise<void> {
  const path = recordPath(place, itemId);
  if (path === null) return;
  if (record.files.length === 0) {
    await rm(path, { force: true });
    return;
  }
  await mkdir(join(place.appHome, CHANGE_TRACKING_DIR, place.vaultId), { recursive: true, mode: 0o700 });
  await writeJsonAtomic(path, RecordSchema.parse(record), { mode: 0o600 });
}
