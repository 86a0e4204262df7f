/**
 * Machine-local evidence for qcow2 dirty bitmap change tracking (qcow2-bitmap-tracking.ts):
 * per protected qcow2 file, the bitmap Labvault added before that file was last read, the
 * index that read wrote, and what the file's host clusters held then (one fingerprint per
 * chunk, disk/qcow2/qcow2-host-map.ts).
 *
 * Kept in <app home>/change-tracking/<vault id>/<item id>.qcow2-bitmaps.json, with each
 * file's fingerprints beside it in <item id>.<digest of the source path>.qcow2-fp (folder
 * 0700, files 0600), never in the vault folder, which anyone may have written. The JSON
 * names each fingerprint file's SHA-256; a missing, oversized, damaged or mismatching
 * record or fingerprint file is no evidence (the next backup reads the file), never an error.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from '../../../shared/zod-jitless.ts';
import { writeFileAtomic, writeJsonAtomic } from '../fs/atomic-file.ts';
import { isPointId, isUuid } from '../vault/vault-ids.ts';

const TRACKING_DIR = 'change-tracking';
const MAX_RECORD_BYTES = 4 * 1024 * 1024;
/** 16 bytes per MiB chunk: 64 MiB of fingerprints covers a 4 TiB file. */
export const MAX_FINGERPRINT_BYTES = 64 * 1024 * 1024;
const DECIMAL = /^\d{1,20}$/;
const SIZE = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const TrackedQcow2Schema = z.object({
  /** The protected file (absolute path) the bitmap lives in. */
  source: z.string().min(1).max(4096),
  /** The live file's inode and device when the bitmap was added. */
  ino: z.string().regex(DECIMAL),
  dev: z.string().regex(DECIMAL),
  /** The bitmap added before the read, and the point that read made. */
  bitmap: z.string().min(1).max(1023),
  pointId: z.string().refine(isPointId),
  indexId: z.string().regex(/^[0-9a-f]{64}$/),
  fileSize: SIZE,
  chunkSize: SIZE.min(1),
  clusterSize: SIZE.min(512),
  virtualSize: SIZE,
  /** The bitmap's granularity when it was added (an edited granularity would shift every bit). */
  granularityBits: z.number().int().min(9).max(31),
  fingerprintsSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type TrackedQcow2 = z.infer<typeof TrackedQcow2Schema>;

/** At most this many bitmaps wait for removal (the oldest are forgotten). */
export const MAX_STALE_BITMAPS = 1000;

const RecordSchema = z.object({
  version: z.literal(1),
  files: z.array(TrackedQcow2Schema).max(10_000),
  /** Bitmaps Labvault added that no entry needs and whose removal failed (the image was in use): retried. */
  stale: z.array(z.object({ source: z.string().min(1).max(4096), bitmap: z.string().min(1).max(1023) }))
    .max(MAX_STALE_BITMAPS).optional(),
});
export type Qcow2BitmapRecord = z.infer<typeof RecordSchema>;

/** Where the records live: the app home and the vault's id (both this machine's, the id checked). */
export interface Qcow2RecordPlace {
  appHome: string;
  vaultId: string;
}

function folderOf(place: Qcow2RecordPlace, itemId: string): string | null {
  if (!isUuid(place.vaultId) || !isUuid(itemId)) return null;
  return join(place.appHome, TRACKING_DIR, place.vaultId);
}

function fingerprintName(itemId: string, source: string): string {
  return `${itemId}.${createHash('sha256').update(source).digest('hex').slice(0, 32)}.qcow2-fp`;
}

/** The item's record, or an empty one when there is none that parses. */
export async function readQcow2BitmapRecord(place: Qcow2RecordPlace, itemId: string): Promise<Qcow2BitmapRecord> {
  const empty: Qcow2BitmapRecord = { version: 1, files: [] };
  const folder = folderOf(place, itemId);
  if (folder === null) return empty;
  try {
    const path = join(folder, `${itemId}.qcow2-bitmaps.json`);
    const info = await stat(path);
    if (!info.isFile() || info.size > MAX_RECORD_BYTES) return empty;
    const parsed = RecordSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : empty;
  } catch {
    return empty;
  }
}

/** A tracked file's fingerprints, or null unless they read back with the recorded digest and length. */
export async function readQcow2Fingerprints(
  place: Qcow2RecordPlace, itemId: string, entry: TrackedQcow2, expectedBytes: number,
): Promise<Buffer | null> {
  const folder = folderOf(place, itemId);
  if (folder === null || expectedBytes > MAX_FINGERPRINT_BYTES) return null;
  try {
    const path = join(folder, fingerprintName(itemId, entry.source));
    const info = await stat(path);
    if (!info.isFile() || info.size !== expectedBytes) return null;
    const bytes = await readFile(path);
    return createHash('sha256').update(bytes).digest('hex') === entry.fingerprintsSha256 ? bytes : null;
  } catch {
    return null;
  }
}

/** Writes a file's fingerprints (before the record that names their digest). */
export async function writeQcow2Fingerprints(
  place: Qcow2RecordPlace, itemId: string, source: string, fingerprints: Buffer,
): Promise<string | null> {
  const folder = folderOf(place, itemId);
  if (folder === null || fingerprints.length > MAX_FINGERPRINT_BYTES) return null;
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(folder, fingerprintName(itemId, source)), fingerprints, { mode: 0o600 });
  return createHash('sha256').update(fingerprints).digest('hex');
}

/** Replaces the item's record (atomically); with no files, removes it and the fingerprint files it named. */
export async function writeQcow2BitmapRecord(
  place: Qcow2RecordPlace, itemId: string, record: Qcow2BitmapRecord, dropped: readonly string[] = [],
): Promise<void> {
  const folder = folderOf(place, itemId);
  if (folder === null) return;
  const path = join(folder, `${itemId}.qcow2-bitmaps.json`);
  if (record.files.length === 0 && (record.stale ?? []).length === 0) await rm(path, { force: true });
  else {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await writeJsonAtomic(path, RecordSchema.parse(record), { mode: 0o600 });
  }
  for (const source of dropped) await rm(join(folder, fingerprintName(itemId, source)), { force: true });
}
