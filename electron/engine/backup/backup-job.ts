/**
 * A backup job of one protected item: Snapshot, then Transfer data to vault.
 *
 * Concurrency (PRODUCT.md): two jobs of one item may overlap, but only one subtask per
 * phase runs at a time. A job waits for the item's snapshot phase; after its snapshot, if
 * another transfer of the item is running, it skips its own transfer (recorded as such) and
 * the next transfer carries all change since the newest vault point.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { Manifest, VaultStore } from '../vault/store/index.ts';
import { lockPhase, tryLockPhase, type PhaseLockHandle } from '../jobs/phase-lock.ts';
import type { JobContext } from '../jobs/job-service.ts';
import type { ItemRecord } from '../protection/item-record.ts';
import { isUuid } from '../vault/vault-ids.ts';
import { captureSnapshot, type Capture } from './snapshot-phase.ts';
import { cloneRefusalOf, clonesBesideVmOnly } from '../vault/instant-restore-setting.ts';
import { removeCapturedSnapshot, removeOrphanSnapshots } from './snapshot-area.ts';
import { transferToVault } from './transfer-phase.ts';
import { readLimitFrom } from './read-limit-setting.ts';
import {
  newestPointId, newPointId, randomPointId, pointFromManifest, readPointRow, savePointRow, type PointRow,
} from './point-record.ts';
import type { ItemScripts } from '../../../shared/contract/item-models.ts';
import { ItemScriptRun } from '../consistency/item-script-run.ts';
import { prepareVm, type PreparedVm, type VmCaptureServices } from './vm-capture.ts';
import { addPointBitmaps, dropAddedBitmaps, qcow2BitmapTrackingOn, type BitmapsAdded } from './qcow2-bitmap-tracking.ts';

export const SNAPSHOT = 'Snapshot';
export const TRANSFER = 'Transfer data to vault';

export interface BackupRequest {
  item: ItemRecord;
  store: VaultStore;
  /** On-demand: retain until this instant. Scheduled: null (the policy decides). */
  retainUntil: string | null;
  scheduled: boolean;
  slot?: string;
  instantRestoreDays: number;
  now: () => Date;
  /** How a VM item's VM is read and frozen (required for VM items), and the scripts' environment. */
  vms: VmCaptureServices;
  /** This machine's pre/post scripts of the item. */
  scripts?: ItemScripts | undefined;
  /** The app's home: change tracking between clones keeps its evidence there (none: clones are read whole). */
  appHome?: string;
}

export interface BackupOutcome {
  point: PointRow | null;
  transferSkipped: boolean;
  /** The new point's manifest, and the previous point's the transfer compared with (when a point was made). */
  manifest?: Manifest;
  previous?: Manifest | null;
  /** The files the VM had at this backup (VM items), for the item record. */
  vmFiles?: ItemRecord['files'];
}

async function newestManifest(context: JobContext, store: VaultStore, itemId: string): Promise<Manifest | null> {
  // From the catalog alone: the tiers of every point (a folder probe each) are not needed here.
  const newest = newestPointId(context.session, itemId);
  if (newest === null) return null;
  return store.readManifest(itemId, newest).catch(() => null);
}

/**
 * Refuses an item whose id could not name a folder (a vault record edited to hold '../'),
 * before any lock file, clone folder or listing is derived from it.
 */
export function assertBackupItemId(vaultDir: string, item: ItemRecord): void {
  if (isUuid(item.id)) return;
  const records = join(vaultDir, 'data', 'records', 'items');
  throw new LabvaultError(ErrorCodes.CORRUPT,
    `The item record of "${String(item.name).slice(0, 80)}" in ${records} has the id ${JSON.stringify(String(item.id).slice(0, 80))}, which is not a UUID: the record was edited or damaged. Nothing was backed up.`,
    { details: { path: records } });
}

/** Removes clones of points that never got a manifest (a backup killed mid-way); best effort. */
async function removeOrphans(vaultDir: string, item: ItemRecord, ownPointId: string, store: VaultStore): Promise<void> {
  try {
    const manifests = await store.listManifests({ itemId: item.id, includeDeleted: true });
    const keep = new Set(manifests.map((ref) => ref.pointId));
    keep.add(ownPointId);
    await removeOrphanSnapshots(vaultDir, item.id, item.files, keep);
  } catch {
    // Leftover clones only cost space; never fail a backup over them (an unsafe folder is left alone).
  }
}

async function dropCapture(capture: Capture, pointId: string): Promise<void> {
  if (capture.area) await removeCapturedSnapshot(capture.area, pointId).catch(() => undefined);
}

/** The error to report when releasing the snapshot also failed: both, the release first (it needs action). */
async function withRelease(error: unknown, prepared: PreparedVm | null, pointId: string | null): Promise<unknown> {
  const releaseError = await releaseVm(prepared, pointId).then(() => null, (failure: unknown) => failure);
  if (!releaseError) return error;
  const first = releaseError instanceof Error ? releaseError.message : String(releaseError);
  const then = error instanceof Error ? error.message : String(error);
  return new LabvaultError(releaseError instanceof LabvaultError ? releaseError.code : ErrorCodes.IO_ERROR,
    `${first} (The backup had failed first: ${then})`, { cause: error });
}

/** A hypervisor snapshot name part from the point id: letters, digits and '-' only. */
function snapshotLabel(pointId: string): string {
  return pointId.replace(/[^A-Za-z0-9-]/g, '').slice(-24);
}

/** Releases a hypervisor snapshot; a failure after the point was saved names the point. */
async function releaseVm(prepared: PreparedVm | null, pointId: string | null): Promise<void> {
  if (!prepared) return;
  try {
    await prepared.release();
  } catch (error) {
    if (pointId === null || !(error instanceof LabvaultError)) throw error;
    throw new LabvaultError(error.code, `Point ${pointId} was saved, but: ${error.message}`,
      { ...(error.details ? { details: error.details } : {}), cause: error });
  }
}

export async function runBackup(context: JobContext, request: BackupRequest): Promise<BackupOutcome> {
  const { item, store } = request;
  const vaultDir = context.session.dir;
  assertBackupItemId(vaultDir, item);
  // A read limit that is not a rate fails the job before anything is captured.
  const readLimit = readLimitFrom(request.vms.env);
  const createdAt = request.now();
  // Encrypted vaults: a random point id, so manifest file names show no backup time.
  const pointId = store.keys !== undefined ? randomPointId() : newPointId(createdAt, randomBytes(3).toString('hex'));

  // Phase 1: Snapshot (one at a time per item; later jobs wait here). The transfer lock is
  // tried before the snapshot lock is let go, so a clone without a manifest always belongs
  // to a job holding one of the two locks: with both held, any other is an orphan of a
  // killed backup and is removed.
  const snapshotLock = await lockPhase(vaultDir, item.id, 'snapshot', context.job.id, context.signal);
  let capture;
  let transferLock: PhaseLockHandle | null = null;
  let prepared: PreparedVm | null = null;
  const scripts = new ItemScriptRun(request.scripts, {
    item: item.name, vmConfig: item.source?.configPath ?? '', env: request.vms.env,
  });
  let postWarning: string | null = null;
  // qcow2 dirty bitmaps (LABVAULT_CHANGE_TRACKING=qcow2-bitmap): added before the capture, so that
  // every write after it is tracked.
  let bitmaps: BitmapsAdded | null = null;
  try {
    context.begin(SNAPSHOT);
    await scripts.pre();
    try {
      // A VM item follows its VM: its files are read from its configuration now, never from the record.
      if (item.source) prepared = await prepareVm(request.vms, item.source, item, snapshotLabel(pointId));
      const cloneRefusal = cloneRefusalOf(context.session.config);
      if (request.appHome !== undefined && qcow2BitmapTrackingOn(request.vms.env)) {
        // Not while another job's transfer reads the live files (a bitmap changes the image). Race-free:
        // a transfer lock is only taken by a job holding the snapshot lock, which this job holds.
        const probe = await tryLockPhase(vaultDir, item.id, 'transfer', context.job.id);
        await probe?.release();
        bitmaps = probe
          ? await addPointBitmaps(prepared?.files ?? item.files, pointId, request.vms.env)
          : { added: new Map(), notes: ['no dirty bitmap added: another transfer of this item is reading its files'] };
      }
      capture = await captureSnapshot({
        vaultDir, itemId: item.id, pointId, files: prepared?.files ?? item.files,
        besideVmOnly: clonesBesideVmOnly(context.session.config),
        ...(cloneRefusal === null ? {} : { allowClone: false, noCloneReason: cloneRefusal }),
      });
      if (prepared) capture = await prepared.pinConfig(capture);
      // Clones are a frozen copy: the hypervisor snapshot is merged back at once.
      if (prepared?.isFrozen && capture.files.every((file) => file.cloned)) await releaseVm(prepared, null);
    } finally {
      postWarning = await scripts.post();
    }
    context.report(SNAPSHOT, { bytesTotal: capture.files.reduce((sum, file) => sum + file.identity.size, 0) });
    transferLock = await tryLockPhase(vaultDir, item.id, 'transfer', context.job.id);
    if (transferLock) {
      await removeOrphans(vaultDir, item, pointId, store);
    } else {
      await dropCapture(capture, pointId);
    }
    const tierMessage = capture.snapshotDir ? `Instant-restore snapshot kept ${request.instantRestoreDays} day${request.instantRestoreDays === 1 ? '' : 's'}.` : (capture.tierNote ?? undefined);
    const bitmapNote = bitmaps && bitmaps.notes.length > 0 ? `${bitmaps.notes.join('; ')}.` : '';
    const message = [prepared ? `Captured: ${prepared.captureMethod}.` : '', tierMessage ?? '', postWarning ?? '', bitmapNote]
      .filter((part) => part !== '').join(' ');
    context.end(SNAPSHOT, 'completed', message === '' ? undefined : message);
  } catch (error) {
    await transferLock?.release();
    await dropAddedBitmaps(bitmaps, request.vms.env);
    throw await withRelease(error, prepared, null);
  } finally {
    await snapshotLock.release();
  }

  // Phase 2: Transfer (skipped when another transfer of this item is running).
  if (!transferLock) {
    await dropAddedBitmaps(bitmaps, request.vms.env);
    await releaseVm(prepared, null);
    context.end(TRANSFER, 'skipped', 'Another transfer of this item was running; the next transfer carries all change since the newest vault point.');
    return { point: null, transferSkipped: true };
  }
  let writer;
  let committed: string | null = null;
  let trackingNotes: string[] = [];
  let bytesTrackedBitmap = 0;
  try {
    context.begin(TRANSFER);
    // The lock file names the job, never the item: lock files are readable in the vault folder.
    writer = await store.beginWrite(`backup (job ${context.job.id})`, { waitMs: 60_000 });
    const previous = await newestManifest(context, store, item.id);
    const snapshotUntil = capture.snapshotDir
      ? new Date(createdAt.getTime() + request.instantRestoreDays * 86_400_000).toISOString()
      : null;
    const manifest = await transferToVault({
      store,
      itemId: item.id,
      pointId,
      createdAt: createdAt.toISOString(),
      capture,
      previous,
      consistency: prepared ? prepared.consistency(scripts.succeeded) : 'crash-consistent',
      expiresAt: request.retainUntil,
      onDemand: !request.scheduled,
      readLimit,
      ...(bitmaps && request.appHome !== undefined ? {
        qcow2Bitmaps: {
          place: { appHome: request.appHome, vaultId: context.session.config.id }, added: bitmaps, env: request.vms.env,
        },
      } : {}),
      ...(request.appHome !== undefined
        ? { changeTracking: { appHome: request.appHome, vaultId: context.session.config.id, vaultDir } } : {}),
      extra: {
        sources: Object.fromEntries(capture.files.map((file) => [file.name, file.source.path])),
        snapshotUntil,
        tierNote: capture.tierNote,
        scheduled: request.scheduled,
        ...(request.slot ? { slot: request.slot } : {}),
        jobId: context.job.id,
        ...(prepared ? { vm: prepared.summary(scripts.succeeded, scripts.outcomes()) } : {}),
      },
      signal: context.signal,
      onProgress: ({ trackingNotes: notes, ...figures }) => {
        trackingNotes = notes ?? trackingNotes;
        bytesTrackedBitmap = figures.bytesTrackedBitmap ?? bytesTrackedBitmap;
        context.report(TRANSFER, figures);
      },
    });
    savePointRow(context.session, pointFromManifest(manifest, 'active', { snapshotUntil }));
    committed = manifest.pointId;
    const point = readPointRow(context.session, manifest.pointId) as PointRow;
    context.setJob((job) => { job.pointId = point.id; });
    await writer.release();
    writer = undefined;
    await releaseVm(prepared, committed);
    const bitmapSummary = bitmaps === null ? ''
      : ` qcow2 dirty bitmaps: ${(bytesTrackedBitmap / 1048576).toFixed(1)} MiB proven unchanged, not read${
        trackingNotes.length > 0 ? `; ${trackingNotes.join('; ')}` : ''}.`;
    context.end(TRANSFER, 'completed', `${point.files.length} file${point.files.length === 1 ? '' : 's'} in the vault; point ${point.id}.${bitmapSummary}`);
    return { point, transferSkipped: false, manifest, previous, ...(prepared ? { vmFiles: prepared.files } : {}) };
  } catch (error) {
    if (committed === null) {
      await dropCapture(capture, pointId);
      await dropAddedBitmaps(bitmaps, request.vms.env);
    }
    const reported = await withRelease(error, prepared, committed);
    if (reported instanceof LabvaultError || context.signal.aborted) throw reported;
    throw new LabvaultError(ErrorCodes.INTERNAL, `Transfer failed: ${reported instanceof Error ? reported.message : String(reported)}`, { cause: reported });
  } finally {
    await writer?.release();
    await transferLock.release();
  }
}
