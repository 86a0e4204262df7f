/**
 * Phase 2, Transfer data to vault: stream the captured files into the chunk store (only
 * chunks the vault lacks are written) and commit the point's manifest. A file whose size,
 * mtime, inode and device equal the previous point's, and whose change time (ns) is the one
 * this machine recorded when it captured the file for that point (file-identity-record.ts:
 * an mtime put back or a same-size write moves the change time), reuses its index without
 * being read, unless it was cloned and change tracking is on (`changeTracking`): then the clone is
 * compared with the previous point's clone (clone-change-tracking.ts) and only the ranges
 * not proven unchanged are read; a clone wholly shared with the previous clone, whose index
 * the previous point names, takes that index without being opened. Size and mtime are no
 * proof for a clone of a running VM's disk: a write in the same timestamp tick as the
 * capture's stat leaves both as they were.
 * After the manifest, the clones read are recorded on this machine for the next backup.
 * Commit order: chunks (durable) -> indexes -> manifest; cancelling or failing before the
 * manifest leaves no point.
 */
import type { FixedIndex, Manifest, ManifestFile, VaultStore } from '../vault/store/index.ts';
import { VaultStore as VaultStoreClass } from '../vault/store/index.ts';
import { assertUnchanged, type Capture } from './snapshot-phase.ts';
import type { PointExtra } from './point-record.ts';
import { StageProfile } from '../vault/store/stage-profile.ts';
import { ReadRateLimiter } from '../vault/store/read-rate-limiter.ts';
import type { StageFigure } from '../vault/store/stage-profile.ts';
import { stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { trackCloneChanges } from './clone-change-tracking.ts';
import { Qcow2BitmapTransfer, type Qcow2BitmapTrackingInput } from './qcow2-bitmap-tracking.ts';
import {
  cloneIdentityOf, readCloneTrackingRecord, sameCloneIdentity, writeCloneTrackingRecord,
  type TrackedFile, type TrackingPlace,
} from './clone-tracking-record.ts';
import { provenUnchanged, readFileIdentityRecord, seenFileOf, writeFileIdentityRecord } from './file-identity-record.ts';
import type { SeenFile } from './file-identity-record.ts';

export interface TransferFigures {
  bytesTotal: number;
  bytesRead: number;
  bytesWritten: number;
  bytesDeduplicated: number;
  /** Of bytesRead, bytes change tracking proved unchanged (not read). */
  bytesTracked: number;
  /** Of bytesTracked, bytes qcow2 dirty bitmaps proved unchanged (qcow2-bitmap-tracking.ts). */
  bytesTrackedBitmap?: number;
  /** Why files tracked by qcow2 bitmaps were read whole, one line each. */
  trackingNotes?: string[];
  /** Per-stage profile of the transfer, set with the last report. */
  stages?: StageFigure[];
}

export interface TransferInput {
  store: VaultStore;
  itemId: string;
  pointId: string;
  createdAt: string;
  capture: Capture;
  previous: Manifest | null;
  consistency: string;
  expiresAt: string | null;
  onDemand: boolean;
  extra: PointExtra;
  signal: AbortSignal;
  /** The host's read limit (LABVAULT_READ_LIMIT), bytes per second; null: none. */
  readLimit?: number | null;
  onProgress: (figures: TransferFigures) => void;
  /** Change tracking between clones: this machine's record place and the vault folder (clone areas). */
  changeTracking?: TrackingPlace & { vaultDir: string };
  /** qcow2 dirty bitmap tracking (LABVAULT_CHANGE_TRACKING=qcow2-bitmap): the bitmaps added before the capture. */
  qcow2Bitmaps?: Qcow2BitmapTrackingInput;
}

/** The size of the file an index describes and its all-zero bytes (holes), for the figures. */
function reuseWholeIndex(index: FixedIndex): { size: number; zeroBytes: number } {
  let zeroBytes = 0;
  for (let i = 0; i < index.chunkCount; i += 1) if (index.isZero(i)) zeroBytes += index.chunkLength(i);
  return { size: index.fileSize, zeroBytes };
}

async function cloneStat(path: string): Promise<BigIntStats | null> {
  return stat(path, { bigint: true }).catch(() => null);
}

export async function transferToVault(input: TransferInput): Promise<Manifest> {
  const { store, capture, previous, signal } = input;
  const profile = new StageProfile();
  const readLimiter = input.readLimit ? new ReadRateLimiter(input.readLimit) : undefined;
  const wallStart = StageProfile.now();
  const cpuStart = process.cpuUsage();
  const previousByName = new Map<string, ManifestFile>((previous?.files ?? []).map((file) => [file.path, file]));
  const previousSources = ((previous?.extra ?? {}) as PointExtra).sources ?? {};
  // A VM item's file list changes between points (a new snapshot layer): match files by source path,
  // so an unchanged layer is reused whatever its name or place in the list.
  const previousBySource = new Map<string, ManifestFile>();
  for (const file of previous?.files ?? []) {
    const source = previousSources[file.path];
    if (typeof source === 'string') previousBySource.set(source, file);
  }
  const seenRecord = input.changeTracking ? await readFileIdentityRecord(input.changeTracking, input.itemId) : null;
  const plan = capture.files.map((file) => {
    const byName = previousByName.get(file.name);
    const before = previousBySource.get(file.source.path)
      ?? (byName !== undefined && previousSources[file.name] === undefined ? byName : undefined);
    const tracked = input.changeTracking !== undefined && file.cloned;
    const reusable = before !== undefined && !tracked && VaultStoreClass.fileUnchanged(before, {
      size: file.identity.size, mtimeMs: file.identity.mtimeMs, ino: file.identity.ino, dev: file.identity.dev,
    } as never) && provenUnchanged(seenRecord, previous?.pointId, file.source.path, before.indexId, file.identity);
    return { file, before, reusable };
  });
  const bytesTotal = plan.filter((entry) => !entry.reusable).reduce((sum, entry) => sum + entry.file.identity.size, 0);
  const figures: TransferFigures = { bytesTotal, bytesRead: 0, bytesWritten: 0, bytesDeduplicated: 0, bytesTracked: 0 };
  input.onProgress(figures);
  const files: ManifestFile[] = [];
  const tracking = input.changeTracking;
  const record = tracking ? await readCloneTrackingRecord(tracking, input.itemId) : null;
  const clonesRead: TrackedFile[] = [];
  const filesSeen: SeenFile[] = [];
  const bitmaps = input.qcow2Bitmaps
    ? await Qcow2BitmapTransfer.start({ ...input.qcow2Bitmaps, store, itemId: input.itemId })
    : null;
  for (const { file, before, reusable } of plan) {
    if (signal.aborted) throw signal.reason;
    if (reusable && before) {
      const seen = seenFileOf(file.source.path, before.indexId, file.identity);
      if (seen) filesSeen.push(seen);
      files.push({
        ...before, path: file.name, role: file.source.role,
        ...(file.source.diskFormat ? { diskFormat: file.source.diskFormat } : {}), storedBytesNew: 0,
      });
      continue;
    }
    const doneBefore = { read: figures.bytesRead, written: figures.bytesWritten, dedup: figures.bytesDeduplicated };
    const trackStart = StageProfile.now();
    const answer = tracking && file.cloned
      ? await trackCloneChanges({
        store, vaultDir: tracking.vaultDir, itemId: input.itemId, itemFiles: capture.files.map((entry) => entry.source),
        record, file,
      })
      : null;
    if (answer?.ranges && answer.whole && before !== undefined && answer.indexId === before.indexId && !bitmaps) {
      // Every byte of the clone is the previous clone's, whose index the previous point names: that index as it is.
      const wholeFile = reuseWholeIndex(answer.ranges.previousIndex);
      profile.end('track', trackStart, wholeFile.size);
      figures.bytesRead += wholeFile.size;
      figures.bytesTracked += wholeFile.size;
      figures.bytesDeduplicated += wholeFile.size - wholeFile.zeroBytes;
      input.onProgress(figures);
      clonesRead.push({
        source: file.source.path, name: file.name, indexId: answer.indexId, clone: cloneIdentityOf(answer.ranges.stat),
      });
      files.push({
        path: file.name, role: file.source.role, size: wholeFile.size, mode: file.identity.mode,
        mtimeMs: file.identity.mtimeMs, ino: file.identity.ino, dev: file.identity.dev,
        ...(file.source.diskFormat ? { diskFormat: file.source.diskFormat } : {}),
        indexId: answer.indexId, digest: answer.indexId, digestKind: 'chunk-list', storedBytesNew: 0,
      });
      continue;
    }
    // The index change tracking read already when it is the same one (one read, not two).
    const previousIndex = before
      ? answer?.ranges && answer.indexId === before.indexId
        ? answer.ranges.previousIndex
        : await store.readIndex(before.indexId, before.size).catch(() => undefined)
      : undefined;
    const bitmapProof = bitmaps ? await bitmaps.before(file) : null;
    // Of two proofs, the one that spares more bytes.
    const covered = (ranges: Array<{ length: number }>): number => ranges.reduce((sum, range) => sum + range.length, 0);
    const useBitmap = bitmapProof !== null
      && (!answer?.ranges || covered(bitmapProof.ranges) > covered(answer.ranges.ranges));
    const unchanged = useBitmap ? bitmapProof : answer?.ranges;
    if (answer || bitmapProof) profile.end('track', trackStart, 0);
    const cloneBefore = tracking && file.cloned ? await cloneStat(file.readPath) : null;
    const result = await store.backupFile({
      sourcePath: file.readPath,
      signal,
      // A clone made for this backup has an empty page cache: read it around the cache.
      directRead: file.cloned,
      ...(previousIndex ? { previousIndex } : {}),
      ...(unchanged ? { unchanged } : {}),
      profile,
      ...(readLimiter ? { readLimiter } : {}),
      onProgress: (progress) => {
        figures.bytesRead = doneBefore.read + progress.bytesDone;
        figures.bytesWritten = doneBefore.written + progress.bytesWritten;
        input.onProgress(figures);
      },
    });
    figures.bytesRead = doneBefore.read + result.bytesRead;
    figures.bytesWritten = doneBefore.written + result.bytesWritten;
    figures.bytesDeduplicated = doneBefore.dedup + result.bytesDeduplicated;
    figures.bytesTracked += result.bytesTracked;
    if (bitmaps) {
      const { indexId, bytesTracked } = result;
      await bitmaps.after(file, { indexId, size: result.stat.size, bytesTracked }, useBitmap);
      figures.bytesTrackedBitmap = bitmaps.bytesTracked;
      figures.trackingNotes = [...bitmaps.notes];
    }
    input.onProgress(figures);
    // The clone is evidence for the next backup only if it did not change while it was read.
    const cloneAfter = cloneBefore ? await cloneStat(file.readPath) : null;
    if (cloneBefore && cloneAfter && sameCloneIdentity(cloneIdentityOf(cloneBefore), cloneIdentityOf(cloneAfter))
      && Number(cloneAfter.size) === result.stat.size && cloneAfter.ino === BigInt(result.stat.ino)) {
      clonesRead.push({
        source: file.source.path, name: file.name, indexId: result.indexId, clone: cloneIdentityOf(cloneAfter),
      });
    }
    const seen = file.cloned ? null : seenFileOf(file.source.path, result.indexId, file.identity);
    if (seen && result.stat.size === file.identity.size) filesSeen.push(seen);
    files.push({
      path: file.name,
      role: file.source.role,
      size: result.stat.size,
      mode: file.identity.mode,
      mtimeMs: file.identity.mtimeMs,
      ino: file.identity.ino,
      dev: file.identity.dev,
      ...(file.source.diskFormat ? { diskFormat: file.source.diskFormat } : {}),
      indexId: result.indexId,
      digest: result.indexId,
      digestKind: 'chunk-list',
      storedBytesNew: result.bytesWritten,
    });
  }
  await assertUnchanged(capture);
  if (signal.aborted) throw signal.reason;
  const manifestStart = StageProfile.now();
  const manifest = await store.commitPoint({
    pointId: input.pointId,
    itemId: input.itemId,
    createdAt: input.createdAt,
    files,
    consistency: input.consistency,
    tiers: capture.snapshotDir ? ['snapshot', 'vault'] : ['vault'],
    expiresAt: input.expiresAt,
    onDemand: input.onDemand,
    extra: { ...input.extra },
  });
  profile.end('manifest', manifestStart, 0);
  if (tracking && capture.snapshotDir) {
    // Best effort: without the record the next backup reads the files.
    await writeCloneTrackingRecord(tracking, input.itemId, { version: 1, pointId: input.pointId, files: clonesRead })
      .catch(() => undefined);
  }
  if (tracking) {
    // Best effort: without the record the next backup reads the files.
    await writeFileIdentityRecord(tracking, input.itemId, { version: 1, pointId: input.pointId, files: filesSeen })
      .catch(() => undefined);
  }
  await bitmaps?.finish(input.pointId, capture.files.map((file) => file.source.path));
  const cpu = process.cpuUsage(cpuStart);
  profile.end('wall', wallStart, figures.bytesRead);
  profile.addNs('cpu', BigInt(cpu.user + cpu.system) * 1000n, figures.bytesRead);
  input.onProgress({ ...figures, stages: profile.figures() });
  return manifest;
}
