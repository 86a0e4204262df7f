/**
 * Phase 2, Transfer data to vault: stream the captured files into the chunk store (only
 * chunks the vault lacks are written) and commit the point's manifest. A file whose size,
 * mtime, inode and device equal the previous point's reuses its index without being read.
 * Commit order: chunks (durable) -> indexes -> manifest; cancelling or failing before the
 * manifest leaves no point.
 */
import type { Manifest, ManifestFile, VaultStore } from '../vault/store/index.ts';
import { VaultStore as VaultStoreClass } from '../vault/store/index.ts';
import { assertUnchanged, type Capture } from './snapshot-phase.ts';
import type { PointExtra } from './point-record.ts';
import { StageProfile } from '../vault/store/stage-profile.ts';
import { ReadRateLimiter } from '../vault/store/read-rate-limiter.ts';
import type { StageFigure } from '../vault/store/stage-profile.ts';

export interface TransferFigures {
  bytesTotal: number;
  bytesRead: number;
  bytesWritten: number;
  bytesDeduplicated: number;
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
  const plan = capture.files.map((file) => {
    const byName = previousByName.get(file.name);
    const before = previousBySource.get(file.source.path)
      ?? (byName !== undefined && previousSources[file.name] === undefined ? byName : undefined);
    const reusable = before !== undefined && VaultStoreClass.fileUnchanged(before, {
      size: file.identity.size, mtimeMs: file.identity.mtimeMs, ino: file.identity.ino, dev: file.identity.dev,
    } as never);
    return { file, before, reusable };
  });
  const bytesTotal = plan.filter((entry) => !entry.reusable).reduce((sum, entry) => sum + entry.file.identity.size, 0);
  const figures: TransferFigures = { bytesTotal, bytesRead: 0, bytesWritten: 0, bytesDeduplicated: 0 };
  input.onProgress(figures);
  const files: ManifestFile[] = [];
  for (const { file, before, reusable } of plan) {
    if (signal.aborted) throw signal.reason;
    if (reusable && before) {
      files.push({
        ...before, path: file.name, role: file.source.role,
        ...(file.source.diskFormat ? { diskFormat: file.source.diskFormat } : {}), storedBytesNew: 0,
      });
      continue;
    }
    const previousIndex = before
      ? await store.readIndex(before.indexId, before.size).catch(() => undefined)
      : undefined;
    const doneBefore = { read: figures.bytesRead, written: figures.bytesWritten, dedup: figures.bytesDeduplicated };
    const result = await store.backupFile({
      sourcePath: file.readPath,
      signal,
      ...(previousIndex ? { previousIndex } : {}),
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
    input.onProgress(figures);
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
  const cpu = process.cpuUsage(cpuStart);
  profile.end('wall', wallStart, figures.bytesRead);
  profile.addNs('cpu', BigInt(cpu.user + cpu.system) * 1000n, figures.bytesRead);
  input.onProgress({ ...figures, stages: profile.figures() });
  return manifest;
}
