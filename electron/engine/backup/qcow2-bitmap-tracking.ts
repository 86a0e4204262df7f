/**
 * Change tracking from qcow2 persistent dirty bitmaps: which chunks of a qcow2 FILE hold
 * the same bytes as when the previous tracked backup read it, so the transfer does not
 * read them (backupFile's `unchanged`). On only where the host asks for it
 * (LABVAULT_CHANGE_TRACKING=qcow2-bitmap), because it writes into the user's images.
 *
 * The cycle, per qcow2 file of the item:
 *  1. Before the capture, qemu-img adds an enabled persistent bitmap `labvault-<point>` to
 *     the live image. qemu-img takes QEMU's image lock, so this fails (and nothing is
 *     tracked) while a VM or any QEMU process holds the image. From then on every guest
 *     write by QEMU, qemu-img, qemu-io, qemu-nbd... sets the bits of the guest clusters it
 *     touches, discards included, and is stored when the image is closed.
 *  2. The transfer reads the file (the clone or the live file) and, before reading it,
 *     maps it: which guest cluster each host cluster holds as plain data (disk/qcow2/
 *     qcow2-host-map.ts). Only when the bitmap is in the file that was read (so it was
 *     added before these bytes) and the file's stat (size, times in ns, blocks, inode) is
 *     the same after the read, the map's per-chunk fingerprints become this machine's
 *     evidence for the next backup (qcow2-bitmap-record.ts), with the index the read wrote.
 *  3. After the point is committed, the bitmap of the point before is removed.
 *  4. The next backup reuses chunk i of the recorded index without reading it only when all
 *     of this holds, else it reads the chunk (or the whole file, with the reason):
 *     - the record names this file, its live inode and device are the recorded ones, and
 *       the recorded fingerprints and index read back (digest-checked);
 *     - the image's cluster size and virtual size are the recorded ones; it is not marked
 *       dirty or corrupt; the autoclear "bitmaps" bit is still set (a writer that does not
 *       know bitmaps clears it); the recorded bitmap is there, enabled, not in use (QEMU
 *       marks it in use while the image is open, and a crash leaves it so), and reads;
 *     - chunk i's host clusters are all plain data (copied flag, not compressed, not
 *       zero-flagged, not metadata) of the same guest clusters as then (same fingerprint),
 *       with the same chunk length, and the bitmap has no bit set for any of those guest
 *       clusters;
 *     - the file's stat did not change while it was mapped, and (backupFile) is the same
 *       when it is read.
 * What this cannot see: bytes written into the file by something that bypasses qcow2
 * (dd into a data cluster) without clearing the autoclear bit; such a write also escapes
 * QEMU's own incremental backups.
 */
import { stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import type { VaultStore } from '../vault/store/index.ts';
import type { FixedIndex } from '../vault/store/fixed-index.ts';
import type { DataRange } from '../fs/file-data-ranges.ts';
import { ImageFile } from '../disk/image-file.ts';
import { sameFileState } from '../fs/file-extent-map.ts';
import { readQcow2Header } from '../disk/qcow2/qcow2-header.ts';
import { Qcow2DirtyBitmap, readQcow2Bitmaps, readQcow2BitmapTable, type Qcow2Bitmaps } from '../disk/qcow2/qcow2-bitmaps.ts';
import {
  FINGERPRINT_BYTES, chunkFingerprint, chunkFingerprints, chunkGuestClusters, readQcow2HostMap, type Qcow2HostMap,
} from '../disk/qcow2/qcow2-host-map.ts';
import type { ItemFileRecord } from '../protection/item-record.ts';
import type { CapturedFile } from './snapshot-phase.ts';
import { addBitmap, looksLikeQcow2, pointBitmapName, removeBitmap } from './qcow2-bitmap-tool.ts';
import {
  MAX_STALE_BITMAPS, readQcow2BitmapRecord, readQcow2Fingerprints, writeQcow2BitmapRecord, writeQcow2Fingerprints,
  type Qcow2BitmapRecord, type Qcow2RecordPlace, type TrackedQcow2,
} from './qcow2-bitmap-record.ts';

export const CHANGE_TRACKING_ENV = 'LABVAULT_CHANGE_TRACKING';
export const QCOW2_BITMAP_MODE = 'qcow2-bitmap';

/** Whether the host asked for qcow2 bitmap tracking (LABVAULT_CHANGE_TRACKING lists qcow2-bitmap). */
export function qcow2BitmapTrackingOn(env: NodeJS.ProcessEnv): boolean {
  return (env[CHANGE_TRACKING_ENV] ?? '').split(',').map((part) => part.trim()).includes(QCOW2_BITMAP_MODE);
}

/** A bitmap added to a live image before this backup's capture. */
export interface AddedBitmap {
  name: string;
  ino: bigint;
  dev: bigint;
}

export interface BitmapsAdded {
  /** By live file path. */
  added: Map<string, AddedBitmap>;
  /** Why a qcow2 file got no bitmap, one line each. */
  notes: string[];
}

/** Step 1: adds `labvault-<point>` to every qcow2 file of the item that qemu-img may write now. */
export async function addPointBitmaps(
  files: readonly ItemFileRecord[], pointId: string, env: NodeJS.ProcessEnv,
): Promise<BitmapsAdded> {
  const result: BitmapsAdded = { added: new Map(), notes: [] };
  const name = pointBitmapName(pointId);
  for (const file of files) {
    if (result.added.has(file.path) || !(await looksLikeQcow2(file.path))) continue;
    const before = await stat(file.path, { bigint: true }).catch(() => null);
    const why = before === null ? 'cannot be read' : await addBitmap(file.path, name, env);
    const after = await stat(file.path, { bigint: true }).catch(() => null);
    if (why === null && before !== null && after !== null && after.ino === before.ino && after.dev === before.dev) {
      result.added.set(file.path, { name, ino: after.ino, dev: after.dev });
    } else {
      result.notes.push(`${file.path}: no dirty bitmap added (${why ?? 'the file was replaced meanwhile'})`);
    }
  }
  return result;
}

/** Removes the bitmaps a backup added but will not record (it failed, or the read did not hold); best effort. */
export async function dropAddedBitmaps(
  added: BitmapsAdded | null, env: NodeJS.ProcessEnv, keep: ReadonlySet<string> = new Set(),
): Promise<void> {
  for (const [path, bitmap] of added?.added ?? []) {
    if (!keep.has(path)) await removeBitmap(path, bitmap.name, env);
  }
}

export interface UnchangedProof {
  ranges: DataRange[];
  previousIndex: FixedIndex;
  stat: BigIntStats;
}

/** What the transfer learns about one qcow2 file before reading it. */
export interface Qcow2Inspection {
  /** Chunks proven unchanged, or why there are none. */
  proof: UnchangedProof | null;
  why: string | null;
  /** Evidence for the next backup, valid only if the file's stat after the read is still `stat`. */
  next: NextEvidence | null;
}

export interface NextEvidence {
  bitmap: AddedBitmap;
  fingerprints: Buffer;
  stat: BigIntStats;
  clusterSize: number;
  virtualSize: number;
  granularityBits: number;
}

interface InspectInput {
  store: VaultStore;
  place: Qcow2RecordPlace;
  itemId: string;
  record: Qcow2BitmapRecord;
  file: CapturedFile;
  added: AddedBitmap | undefined;
}

function bitmapProblem(bitmaps: Qcow2Bitmaps | null, name: string): string | null {
  if (bitmaps === null) return 'the image has no bitmaps any more';
  if (!bitmaps.consistent) return 'a program that does not keep bitmaps wrote the image (its autoclear bitmaps bit is clear)';
  const bitmap = bitmaps.bitmaps.find((candidate) => candidate.name === name);
  if (bitmap === undefined) return `bitmap ${name} is gone`;
  if (bitmap.inUse) return `bitmap ${name} is marked in use (the image is open in QEMU, or was not closed cleanly)`;
  if (!bitmap.auto) return `bitmap ${name} is disabled`;
  if (!bitmap.usable) return `bitmap ${name} cannot be trusted (${bitmap.why ?? 'unknown'})`;
  return null;
}

/** The ranges of whole chunks proven unchanged since the recorded read. */
function provenRanges(map: Qcow2HostMap, dirty: Qcow2DirtyBitmap, previous: Buffer, chunkSize: number): DataRange[] {
  const ranges: DataRange[] = [];
  const chunks = Math.min(Math.ceil(map.fileSize / chunkSize), previous.length / FINGERPRINT_BYTES);
  for (let chunk = 0; chunk < chunks; chunk += 1) {
    const before = previous.subarray(chunk * FINGERPRINT_BYTES, (chunk + 1) * FINGERPRINT_BYTES);
    if (before.every((byte) => byte === 0)) continue;
    const now = chunkFingerprint(map, chunkSize, chunk);
    if (now === null || !now.equals(before)) continue;
    const guests = chunkGuestClusters(map, chunkSize, chunk) ?? [];
    const clean = guests.every((guest) => {
      const start = guest * map.clusterSize;
      return dirty.isClean(start, Math.min(map.clusterSize, map.virtualSize - start));
    });
    if (!clean) continue;
    const offset = chunk * chunkSize;
    const length = Math.min(chunkSize, map.fileSize - offset);
    const last = ranges.at(-1);
    if (last !== undefined && last.offset + last.length === offset) last.length += length;
    else ranges.push({ offset, length });
  }
  return ranges;
}

async function statOf(path: string): Promise<BigIntStats | null> {
  return stat(path, { bigint: true }).catch(() => null);
}

/** Step 2 and 4: maps the file to be read; proves what it can against the record. */
export async function inspectQcow2File(input: InspectInput): Promise<Qcow2Inspection> {
  const { file, store } = input;
  const chunkSize = store.chunkSize;
  const before = await statOf(file.readPath);
  if (before === null || !before.isFile()) return { proof: null, why: 'the file cannot be read', next: null };
  let image: ImageFile | null = null;
  try {
    image = await ImageFile.open(file.readPath);
    const header = await readQcow2Header(image);
    const bitmaps = await readQcow2Bitmaps(image, header);
    const mapped = await readQcow2HostMap(image, header, bitmaps);
    const after = await statOf(file.readPath);
    if (after === null || !sameFileState(before, after)) return { proof: null, why: 'the file changed while it was mapped', next: null };
    const added = input.added;
    const ours = added === undefined ? undefined : bitmaps?.bitmaps.find((candidate) => candidate.name === added.name);
    const next = mapped.map !== null && added !== undefined && ours !== undefined
      && bitmapProblem(bitmaps, added.name) === null
      ? {
        bitmap: added, fingerprints: chunkFingerprints(mapped.map, chunkSize), stat: before,
        clusterSize: header.clusterSize, virtualSize: header.virtualSize, granularityBits: ours.granularityBits,
      }
      : null;
    const entry = input.record.files.find((candidate) => candidate.source === file.source.path);
    const fail = (why: string): Qcow2Inspection => ({ proof: null, why, next });
    if (entry === undefined) return fail('no dirty bitmap of an earlier backup is recorded for this file on this machine');
    if (entry.ino !== String(file.identity.ino) || entry.dev !== String(file.identity.dev)) return fail('the file was replaced since the bitmap was added');
    if (entry.chunkSize !== chunkSize) return fail('the vault chunk size differs from the recorded one');
    if (entry.clusterSize !== header.clusterSize || entry.virtualSize !== header.virtualSize) return fail('the image was resized or converted since the bitmap was added');
    if (mapped.map === null) return fail(mapped.why);
    const problem = bitmapProblem(bitmaps, entry.bitmap);
    if (problem !== null) return fail(problem);
    const bitmap = bitmaps!.bitmaps.find((candidate) => candidate.name === entry.bitmap)!;
    if (bitmap.granularityBits !== entry.granularityBits) return fail(`bitmap ${entry.bitmap} changed its granularity`);
    const dirty = await Qcow2DirtyBitmap.load(image, header, bitmap, await readQcow2BitmapTable(image, header, bitmap));
    const fingerprintBytes = Math.ceil(entry.fileSize / chunkSize) * FINGERPRINT_BYTES;
    const previousFingerprints = await readQcow2Fingerprints(input.place, input.itemId, entry, fingerprintBytes);
    if (previousFingerprints === null) return fail('the recorded fingerprints are missing or damaged');
    const previousIndex = await store.readIndex(entry.indexId, entry.fileSize).catch(() => null);
    if (previousIndex === null) return fail('the recorded index is not readable');
    const ranges = provenRanges(mapped.map, dirty, previousFingerprints, chunkSize);
    const last = await statOf(file.readPath);
    if (last === null || !sameFileState(before, last)) return { proof: null, why: 'the file changed while it was mapped', next: null };
    return { proof: { ranges, previousIndex, stat: before }, why: null, next };
  } catch (error) {
    return { proof: null, why: `the image does not map (${error instanceof Error ? error.message.slice(0, 300) : String(error)})`, next: null };
  } finally {
    await image?.close().catch(() => undefined);
  }
}

/** A file read with evidence for the next backup (its stat after the read was the one mapped). */
export interface Qcow2FileRead {
  source: string;
  next: NextEvidence;
  indexId: string;
  fileSize: number;
}

/** Whether the read kept to the mapped file: its stat after the read equals the one mapped. */
export async function readHeld(file: CapturedFile, inspection: Qcow2Inspection, size: number): Promise<boolean> {
  if (inspection.next === null) return false;
  const after = await statOf(file.readPath);
  return after !== null && sameFileState(after, inspection.next.stat) && Number(after.size) === size;
}

/**
 * Step 3, after the point is committed: records the new evidence, keeps the entries of
 * files that got none this time (their bitmaps still track since then), removes the
 * bitmaps no entry needs any more. Best effort: a failure only costs the next backup a read.
 */
export async function finishQcow2Tracking(input: {
  place: Qcow2RecordPlace; itemId: string; pointId: string; record: Qcow2BitmapRecord; reads: Qcow2FileRead[];
  added: BitmapsAdded; sources: readonly string[]; chunkSize: number; env: NodeJS.ProcessEnv;
}): Promise<void> {
  const { place, itemId, record, env } = input;
  const fresh: TrackedQcow2[] = [];
  for (const read of input.reads) {
    const digest = await writeQcow2Fingerprints(place, itemId, read.source, read.next.fingerprints).catch(() => null);
    if (digest === null) continue;
    fresh.push({
      source: read.source, ino: String(read.next.bitmap.ino), dev: String(read.next.bitmap.dev),
      bitmap: read.next.bitmap.name,
      pointId: input.pointId, indexId: read.indexId, fileSize: read.fileSize, chunkSize: input.chunkSize,
      clusterSize: read.next.clusterSize, virtualSize: read.next.virtualSize,
      granularityBits: read.next.granularityBits, fingerprintsSha256: digest,
    });
  }
  const freshSources = new Set(fresh.map((entry) => entry.source));
  const current = new Set(input.sources);
  const kept = record.files.filter((entry) => !freshSources.has(entry.source) && current.has(entry.source));
  const dropped = record.files.filter((entry) => !freshSources.has(entry.source) && !current.has(entry.source))
    .map((entry) => entry.source);
  const next = { version: 1 as const, files: [...kept, ...fresh], ...(record.stale ? { stale: record.stale } : {}) };
  const written = await writeQcow2BitmapRecord(place, itemId, next, dropped)
    .then(() => true, () => false);
  if (!written) {
    // The old record still names the old bitmaps: keep them, drop the new ones.
    await dropAddedBitmaps(input.added, env);
    return;
  }
  // Now no entry names them: the bitmaps of replaced entries, those this backup added but did not
  // record, and those whose removal failed before. A removal that fails again (the image is in use)
  // is kept for the next backup.
  const unneeded = [
    ...(record.stale ?? []),
    ...record.files.filter((entry) => freshSources.has(entry.source) || !current.has(entry.source)),
    ...[...input.added.added].filter(([path]) => !freshSources.has(path))
      .map(([source, bitmap]) => ({ source, bitmap: bitmap.name })),
  ];
  const stale: Array<{ source: string; bitmap: string }> = [];
  for (const { source, bitmap } of unneeded) {
    const why = await removeBitmap(source, bitmap, env);
    if (why !== null && !/not found|No such file/i.test(why)) stale.push({ source, bitmap });
  }
  if (stale.length > 0 || (record.stale ?? []).length > 0) {
    await writeQcow2BitmapRecord(place, itemId, {
      version: 1, files: [...kept, ...fresh], stale: stale.slice(-MAX_STALE_BITMAPS),
    }).catch(() => undefined);
  }
}

/** What the transfer needs for qcow2 bitmap tracking: this machine's record place and the bitmaps added. */
export interface Qcow2BitmapTrackingInput {
  place: Qcow2RecordPlace;
  added: BitmapsAdded;
  env: NodeJS.ProcessEnv;
}

/** One transfer's qcow2 bitmap tracking: proof before each file's read, evidence after, the record at the end. */
export class Qcow2BitmapTransfer {
  /** Bytes the bitmaps proved unchanged (not read). */
  bytesTracked = 0;
  /** Why a tracked file was read whole, one line each. */
  readonly notes: string[] = [];
  private readonly input: Qcow2BitmapTrackingInput & { store: VaultStore; itemId: string };
  private readonly record: Qcow2BitmapRecord;
  private readonly reads: Qcow2FileRead[] = [];
  private readonly inspections = new Map<CapturedFile, Qcow2Inspection>();

  private constructor(input: Qcow2BitmapTransfer['input'], record: Qcow2BitmapRecord) {
    this.input = input;
    this.record = record;
  }

  static async start(input: Qcow2BitmapTransfer['input']): Promise<Qcow2BitmapTransfer> {
    return new Qcow2BitmapTransfer(input, await readQcow2BitmapRecord(input.place, input.itemId));
  }

  /** The chunks of `file` proven unchanged, or null (the file is read as usual). */
  async before(file: CapturedFile): Promise<UnchangedProof | null> {
    const source = file.source.path;
    const added = this.input.added.added.get(source);
    if (added === undefined && !this.record.files.some((entry) => entry.source === source)) return null;
    const inspection = await inspectQcow2File({
      store: this.input.store, place: this.input.place, itemId: this.input.itemId, record: this.record, file, added,
    });
    this.inspections.set(file, inspection);
    if (inspection.why !== null) this.notes.push(`${file.name} read whole: ${inspection.why}`);
    return inspection.proof;
  }

  /** After the read: keeps the evidence when the file held still; counts the bytes the proof saved. */
  async after(
    file: CapturedFile, result: { indexId: string; size: number; bytesTracked: number }, proofUsed: boolean,
  ): Promise<void> {
    const inspection = this.inspections.get(file);
    if (inspection === undefined) return;
    if (proofUsed) this.bytesTracked += result.bytesTracked;
    if (inspection.next !== null && await readHeld(file, inspection, result.size)) {
      const { indexId, size } = result;
      this.reads.push({ source: file.source.path, next: inspection.next, indexId, fileSize: size });
    }
  }

  /** After the point is committed. */
  async finish(pointId: string, sources: readonly string[]): Promise<void> {
    await finishQcow2Tracking({
      place: this.input.place, itemId: this.input.itemId, pointId, record: this.record, reads: this.reads,
      added: this.input.added, sources, chunkSize: this.input.store.chunkSize, env: this.input.env,
    }).catch(() => undefined);
  }
}
