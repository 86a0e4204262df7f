/**
 * Restore disks: writes a point's files into a folder, bit-exact, sparse where the data is
 * zero, never over an existing file. From the snapshot tier by clone when it is there
 * (then every chunk of the clone is checked against the point's index: re-hashed, or, where
 * this machine's change-tracking evidence proves the clone still shares the blocks the
 * point's transfer read, proven without a read: clone-restore-proof.ts), else
 * from the vault (every chunk checked against its id as it is read, the whole file's
 * digest at the end). Success is reported only after that verification. The manifest is
 * untrusted input: names, target paths, creation and modes follow restore-target.ts.
 */
import { constants, copyFile, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { FixedIndex, Manifest, ManifestFile, VaultStore } from '../vault/store/index.ts';
import { StageProfile } from '../vault/store/stage-profile.ts';
import { findFileDataRanges, type DataRange } from '../fs/file-data-ranges.ts';
import { isAllZero } from '../bytes/zero-bytes.ts';
import type { JobContext } from '../jobs/job-service.ts';
import type { PointRow } from '../backup/point-record.ts';
import { insideRanges, provenCloneRanges } from './clone-restore-proof.ts';
import type { CloneTrackingRecord } from '../backup/clone-tracking-record.ts';
import { checkManifestFiles, existingTargets, openTargetRoot, reopenCreated, restoredFileMode, targetExistsError, targetPathIn } from './restore-target.ts';

export const RESTORE = 'Restore';

/** What verifying a clone needs of the store: its chunk hasher (workers; keyed in an encrypted vault). */
type VerifyStore = Pick<VaultStore, 'hasher'>;

export interface RestoreRequest {
  store: VaultStore;
  manifest: Manifest;
  point: PointRow;
  targetDir: string;
  files?: string[] | undefined;
  /** The point's clone folder as backup/snapshot-area.ts derives and checks it, or null. */
  cloneDir?: string | null;
  /** This machine's change-tracking record of the item (app home), for proving clones unchanged. */
  cloneEvidence?: CloneTrackingRecord | null;
}

export interface RestoredFile {
  name: string;
  path: string;
  size: number;
  from: 'snapshot' | 'vault';
  verified: true;
}

/** Where the manifest lives in the vault, for errors about it. */
export function manifestPathOf(store: VaultStore, manifest: Manifest): string {
  return store.layout.manifestPath(manifest.itemId, manifest.pointId);
}

/**
 * The files to restore; every file of the manifest is checked first (a crafted name or
 * mode is CORRUPT naming `manifestPath`, before anything is written).
 */
export function selectFiles(manifest: Manifest, names: string[] | undefined, manifestPath: string): ManifestFile[] {
  checkManifestFiles(manifest.files, manifestPath);
  if (!names || names.length === 0) return manifest.files;
  const picked = names.map((name) => {
    const file = manifest.files.find((candidate) => candidate.path === name);
    if (!file) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Point ${manifest.pointId} has no file "${name}". Its files: ${manifest.files.map((candidate) => candidate.path).join(', ')}.`, { field: 'files' });
    return file;
  });
  return picked;
}

/** Refuses before writing anything when a target file (or a link by its name) exists. */
export async function assertTargetsFree(targetDir: string, files: ManifestFile[]): Promise<void> {
  const existing = await existingTargets(targetDir, files);
  if (existing.length > 0) {
    throw new LabvaultError(ErrorCodes.CONFLICT, `Restore never overwrites files, and these exist: ${existing.join(', ')}. Choose another folder.`, { field: 'to', details: { existing } });
  }
}


/** Chunks checked at once when verifying a clone (each with its own shared read buffer). */
const VERIFY_IN_FLIGHT = 4;

function chunkMismatch(path: string, index: FixedIndex, i: number): LabvaultError {
  return new LabvaultError(ErrorCodes.CORRUPT, `${path}: chunk ${i} does not match the point's digest ${index.idAt(i).toString('hex')}.`, { details: { path, chunk: i } });
}

/**
 * Re-reads a restored file through its handle and checks each chunk against the index
 * (zero chunks must read as zeros). Chunks inside holes the filesystem reports
 * (fs/file-data-ranges.ts, with its checks) read as zeros without a read; the others are
 * read into shared buffers and hashed by the store's hash workers, several at a time.
 */
export async function verifyAgainstIndex(
  handle: FileHandle, path: string, index: FixedIndex, store: VerifyStore, onBytes: (bytes: number) => void,
  proven: DataRange[] = [],
): Promise<void> {
  const info = await handle.stat();
  if (info.size !== index.fileSize) throw new LabvaultError(ErrorCodes.CORRUPT, `${path} has ${info.size} bytes; the point's index says ${index.fileSize}.`, { details: { path } });
  // The hole map costs a subprocess: asked for only when a chunk is not proven by the clone.
  let holes: Promise<HoleTest> | undefined;
  const holeTestOnce = (): Promise<HoleTest> => holes ??= findFileDataRanges(handle, path)
    .catch(() => null).then((map) => holeTest(map?.ranges ?? null, index.chunkSize));
  const buffers = Array.from({ length: VERIFY_IN_FLIGHT }, () => Buffer.from(new SharedArrayBuffer(index.chunkSize)));
  let next = 0;
  const lane = async (buffer: Buffer): Promise<void> => {
    while (next < index.chunkCount) {
      const i = next;
      next += 1;
      const length = index.chunkLength(i);
      if (proven.length > 0 && insideRanges(proven, i * index.chunkSize, length)) {
        onBytes(length);
        continue;
      }
      if ((await holeTestOnce())(i, length)) {
        if (!index.isZero(i)) throw chunkMismatch(path, index, i);
        onBytes(length);
        continue;
      }
      const { bytesRead } = await handle.read(buffer, 0, length, i * index.chunkSize);
      if (bytesRead !== length) throw new LabvaultError(ErrorCodes.CORRUPT, `${path} is shorter than its index.`, { details: { path } });
      const data = buffer.subarray(0, length);
      if (index.isZero(i)) {
        if (!isAllZero(data, length)) throw new LabvaultError(ErrorCodes.CORRUPT, `${path}: chunk ${i} should be zeros.`, { details: { path, chunk: i } });
      } else if (!(await store.hasher.digest(data)).equals(index.idAt(i))) {
        throw chunkMismatch(path, index, i);
      }
      onBytes(length);
    }
  };
  let failure: unknown;
  await Promise.all(buffers.map((buffer) => lane(buffer).catch((error: unknown) => {
    failure ??= error;
    next = index.chunkCount;
  })));
  if (failure !== undefined) throw failure;
}

type HoleTest = (i: number, length: number) => boolean;

/** Whether chunk i lies wholly inside a reported hole (false for every chunk without a map); any order of i. */
function holeTest(ranges: DataRange[] | null, chunkSize: number): HoleTest {
  if (ranges === null) return () => false;
  return (i, length) => {
    const start = i * chunkSize;
    const end = start + length;
    // The first range that ends after the chunk starts: the chunk is in a hole when it ends before that range begins.
    let low = 0;
    let high = ranges.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (ranges[mid]!.offset + ranges[mid]!.length <= start) low = mid + 1;
      else high = mid;
    }
    const range = ranges[low];
    return range === undefined || range.offset >= end;
  };
}

const CANNOT_CLONE = new Set(['EXDEV', 'ENOTSUP', 'EOPNOTSUPP', 'EINVAL', 'ENOSYS', 'ENOTTY', 'EPERM']);

/** Clones `from` to `to` (reflink); false when the filesystems cannot (nothing is left at `to`). */
async function cloneFile(from: string, to: string): Promise<boolean> {
  try {
    await copyFile(from, to, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE_FORCE);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    // Something appeared by that name since the check: never remove or follow it.
    if (code === 'EEXIST' || code === 'ELOOP') throw targetExistsError(to);
    if (!CANNOT_CLONE.has(code)) throw error;
    await rm(to, { force: true });
    return false;
  }
}

/**
 * Checks a clone this restore made through one handle: mode first, then every chunk (those
 * proven by `evidence` without a read), then the times. Returns the bytes proven.
 */
async function verifyClone(
  target: string, file: ManifestFile, index: FixedIndex, store: VerifyStore, onBytes: (bytes: number) => void,
  evidence: { record: CloneTrackingRecord | null; pointId: string; clonePath: string },
): Promise<number> {
  const handle = await reopenCreated(target);
  try {
    await handle.chmod(restoredFileMode(file.mode)).catch(() => undefined);
    const proven = await provenCloneRanges({
      ...evidence, name: file.path, indexId: file.indexId, size: file.size, targetPath: target,
      targetState: await handle.stat({ bigint: true }),
    }).catch(() => []);
    await verifyAgainstIndex(handle, target, index, store, onBytes, proven);
    const mtime = new Date(file.mtimeMs);
    await handle.utimes(mtime, mtime).catch(() => undefined);
    let bytes = 0;
    for (let i = 0; i < index.chunkCount; i += 1) {
      if (insideRanges(proven, i * index.chunkSize, index.chunkLength(i))) bytes += index.chunkLength(i);
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

export async function runRestoreDisks(context: JobContext, request: RestoreRequest): Promise<RestoredFile[]> {
  const { store, manifest } = request;
  const manifestPath = manifestPathOf(store, manifest);
  const files = selectFiles(manifest, request.files, manifestPath);
  const total = files.reduce((sum, file) => sum + file.size, 0);
  context.begin(RESTORE, total);
  const targetDir = await openTargetRoot(request.targetDir);
  const targets = files.map((file) => targetPathIn(targetDir, file.path, manifestPath));
  await assertTargetsFree(targetDir, files);
  const restored: RestoredFile[] = [];
  const writtenPaths: string[] = [];
  let done = 0;
  let written = 0;
  let provenBytes = 0;
  const profile = new StageProfile();
  const wallStart = StageProfile.now();
  const cpuStart = process.cpuUsage();
  try {
    for (const [i, file] of files.entries()) {
      context.throwIfCancelled();
      const target = targets[i] as string;
      const index = await store.readIndex(file.indexId, file.size);
      const clone = request.cloneDir ? join(request.cloneDir, file.path) : null;
      const cloneUsable = clone !== null && (await stat(clone).then((info) => info.size === file.size, () => false));
      const base = done;
      // Only a real clone (same filesystem): a plain copy of the clone would fill the holes,
      // so elsewhere the vault restores it (sparse where the data is zero).
      const cloned = cloneUsable && clone ? await cloneFile(clone, target) : false;
      if (cloned && clone !== null) {
        writtenPaths.push(target);
        provenBytes += await verifyClone(target, file, index, store, (bytes) => {
          done += bytes;
          context.report(RESTORE, { bytesRead: done });
        }, { record: request.cloneEvidence ?? null, pointId: request.point.id, clonePath: clone });
        restored.push({ name: file.path, path: target, size: file.size, from: 'snapshot', verified: true });
      } else {
        const attributes = { mode: restoredFileMode(file.mode), mtime: new Date(file.mtimeMs) };
        const result = await store.restoreFile({
          index, outPath: target, expectedDigest: file.digest, signal: context.signal, attributes, profile,
          onProgress: (progress) => context.report(RESTORE, {
            bytesRead: base + progress.bytesDone, bytesWritten: written + progress.bytesWritten,
          }),
        });
        writtenPaths.push(target);
        written += result.bytesWritten;
        done = base + file.size;
        restored.push({ name: file.path, path: target, size: file.size, from: 'vault', verified: true });
      }
      context.report(RESTORE, { bytesRead: done, bytesWritten: written });
    }
  } catch (error) {
    // Leave nothing half-restored behind: remove what this job wrote.
    for (const path of writtenPaths) await rm(path, { force: true });
    throw error;
  }
  const cpu = process.cpuUsage(cpuStart);
  profile.end('wall', wallStart, done);
  profile.addNs('cpu', BigInt(cpu.user + cpu.system) * 1000n, done);
  context.report(RESTORE, { bytesRead: done, bytesWritten: written, stages: profile.figures() });
  const proof = provenBytes > 0
    ? ` (${(provenBytes / 1024 ** 2).toFixed(1)} MiB proven by the clone's shared blocks, the rest re-hashed)` : '';
  context.end(RESTORE, 'completed', `${restored.length} file${restored.length === 1 ? '' : 's'} restored and verified against the stored digests${proof}.`);
  return restored;
}
