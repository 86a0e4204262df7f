/**
 * restoreFile: writes a file back from its FixedIndex.
 *
 * The output is created exclusively and without following links (O_EXCL, O_NOFOLLOW: an
 * existing file or a planted symlink is never overwritten or followed) and sized with
 * ftruncate, so all-zero chunks stay holes (sparse). Non-zero chunks are read, decoded
 * and checked against their ids (ChunkStore.get, reading into a reused shared buffer per
 * lane so raw chunks are hashed in place), up to `parallel` at a time, and written
 * at their offsets. At the end the index digest is recomputed from the verified ids and
 * compared with the expected file digest. Mode and times, when given, are set on the open
 * handle after the last write (never by path). Any damage: CORRUPT naming the chunk and the
 * output file; the partial output is removed.
 */
import { constants, open, rm } from 'node:fs/promises';
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import { cancelledError } from './backup-file.ts';
import type { TransferProgress } from './backup-file.ts';
import { errnoCode, storeIoError } from './durable-fs.ts';
import type { FixedIndex } from './fixed-index.ts';
import type { StoreContext } from './store-context.ts';
import { StageProfile } from './stage-profile.ts';
import { ChunkStore } from './chunk-store.ts';

/** Chunks read, checked and written at once. */
const DEFAULT_PARALLEL = 6;
/** Exclusive create that never follows a symlink (O_NOFOLLOW is absent on Windows). */
const CREATE_EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
/** Only the owner can read a file while it is written; `attributes.mode` is set at the end. */
const PRIVATE_MODE = 0o600;
const DEFAULT_MODE = 0o666;

/** Set on the open handle once the data is written and verified. */
export interface RestoredAttributes {
  /** Applied as given (fchmod): the caller masks it. */
  mode: number;
  mtime: Date;
}

export interface RestoreFileOptions {
  store: StoreContext;
  index: FixedIndex;
  outPath: string;
  /** The manifest's file digest (= index id); checked at the end when given. */
  expectedDigest?: string;
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
  /** Chunks read/decoded/written at once (default 6). */
  parallel?: number;
  attributes?: RestoredAttributes;
  /** Per-stage time and bytes are added here when given (read, decrypt, decompress, hash, write, sync). */
  profile?: StageProfile;
}

export interface RestoreFileResult {
  bytesWritten: number;
  zeroBytes: number;
  chunksRead: number;
}

export async function restoreFile(options: RestoreFileOptions): Promise<RestoreFileResult> {
  const { store, index, outPath, signal } = options;
  let handle;
  try {
    handle = await open(outPath, CREATE_EXCLUSIVE, options.attributes ? PRIVATE_MODE : DEFAULT_MODE);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST' || errnoCode(error) === 'ELOOP') throw new LabvaultError(ErrorCodes.CONFLICT, `${outPath} already exists; restore never overwrites a file or follows a link. Choose another target.`, { field: 'outPath', details: { path: outPath } });
    throw storeIoError(outPath, 'create', error);
  }
  const result: RestoreFileResult = { bytesWritten: 0, zeroBytes: 0, chunksRead: 0 };
  let ok = false;
  try {
    await handle.truncate(index.fileSize).catch((error: unknown) => { throw storeIoError(outPath, 'size', error); });
    let next = 0;
    let done = 0;
    const scratchSize = ChunkStore.scratchSize(index.chunkSize);
    const worker = async (): Promise<void> => {
      const scratch = Buffer.from(new SharedArrayBuffer(scratchSize));
      while (next < index.chunkCount) {
        if (signal?.aborted === true) throw cancelledError(`Restore of ${outPath}`);
        const i = next;
        next += 1;
        const length = index.chunkLength(i);
        if (index.isZero(i)) {
          result.zeroBytes += length;
        } else {
          const id = index.idAt(i);
          let plain: Buffer;
          try {
            plain = await store.chunks.get(id, scratch, options.profile);
          } catch (error) {
            if (error instanceof LabvaultError && error.code === ErrorCodes.CORRUPT) {
              throw new LabvaultError(ErrorCodes.CORRUPT, `Cannot restore ${outPath}: ${error.message}`, { details: { ...error.details, file: outPath, chunkIndex: i }, cause: error });
            }
            throw error;
          }
          if (plain.length !== length) {
            throw new LabvaultError(ErrorCodes.CORRUPT, `Cannot restore ${outPath}: chunk ${id.toString('hex')} holds ${plain.length} bytes where the index expects ${length}.`, { details: { chunkId: id.toString('hex'), file: outPath } });
          }
          const writeStart = StageProfile.now();
          await handle.write(plain, 0, length, i * index.chunkSize).catch((error: unknown) => { throw storeIoError(outPath, 'write', error); });
          options.profile?.end('write', writeStart, length);
          result.bytesWritten += length;
          result.chunksRead += 1;
        }
        done += length;
        if ((i & 7) === 7) {
          options.onProgress?.({ bytesDone: done, bytesTotal: index.fileSize, bytesWritten: result.bytesWritten });
        }
      }
    };
    let failure: unknown;
    const workers = options.parallel ?? DEFAULT_PARALLEL;
    await Promise.all(Array.from({ length: workers }, () => worker().catch((error: unknown) => {
      failure ??= error;
      next = index.chunkCount;
    })));
    if (failure !== undefined) throw failure;
    if (options.expectedDigest !== undefined) {
      const digest = await store.indexes.idOf(index);
      if (digest !== options.expectedDigest) {
        throw new LabvaultError(ErrorCodes.CORRUPT, `Cannot restore ${outPath}: the file digest ${digest} does not match the recorded ${options.expectedDigest}.`, { details: { file: outPath } });
      }
    }
    const attributes = options.attributes;
    if (attributes) {
      // Best effort, as some filesystems (FAT, SMB) refuse them: the file then stays owner-only.
      await handle.chmod(attributes.mode).catch(() => undefined);
      await handle.utimes(attributes.mtime, attributes.mtime).catch(() => undefined);
    }
    const syncStart = StageProfile.now();
    await handle.sync().catch((error: unknown) => { throw storeIoError(outPath, 'sync', error); });
    options.profile?.end('sync', syncStart, result.bytesWritten);
    options.onProgress?.({ bytesDone: index.fileSize, bytesTotal: index.fileSize, bytesWritten: result.bytesWritten });
    ok = true;
    return result;
  } finally {
    await handle.close().catch(() => undefined);
    if (!ok) await rm(outPath, { force: true }).catch(() => undefined);
  }
}
