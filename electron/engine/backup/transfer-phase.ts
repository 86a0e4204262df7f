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

export interface TransferFigures {
  bytesTotal: number;
  bytesRead: number;
  bytesWritten: number;
  bytesDeduplicated: number;
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
  onProgress: (figures: TransferFigures) => void;
}

export async function transferToVault(input: TransferInput): Promise<Manifest> {
  const { store, capture, previous, signal } = input;
  const previousByName = new Map<string, ManifestFile>((previous?.files ?? []).map((file) => [file.path, file]));
  const previousSources = ((previous?.extra ?? {}) as PointExtra).sources ?? {};
  const plan = capture.files.map((file) => {
    const before = previousByName.get(file.name);
    const sameSource = before !== undefined && (previousSources[file.name] ?? file.source.path) === file.source.path;
    const reusable = sameSource && before !== undefined && VaultStoreClass.fileUnchanged(before, {
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
  return store.commitPoint({
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
}
