/**
 * backupFile: streams one file into the store as fixed-size chunks and writes its index.
 *
 * Pipeline per read buffer (4 MiB, from a pool of 4 reused buffers, so memory is bounded
 * by the pool whatever the file size): read -> split into chunks -> all-zero chunks are
 * only marked (never hashed or stored) -> hash (worker threads, reading the shared read
 * buffer in place) -> when not
 * already stored: compress (zstd lanes, threadpool) -> encrypt (WebCrypto) -> write.
 * Up to poolSize x chunksPerBuffer chunks are in flight; a buffer returns to the pool
 * when all its chunks are done. After the last chunk: ChunkStore.syncAll() (durability
 * barrier), then the index is written. Cancelling (AbortSignal) throws CANCELLED before
 * any index is written; chunks already stored stay as orphans until the next GC.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import { BufferPool } from './buffer-pool.ts';
import { ZERO_CHUNK_ID, isAllZero } from './chunk-id.ts';
import { storeIoError } from './durable-fs.ts';
import { DIGEST_SIZE } from './format-constants.ts';
import { FixedIndex } from './fixed-index.ts';
import type { StoreContext } from './store-context.ts';

export interface TransferProgress {
  bytesDone: number;
  bytesTotal: number;
  bytesWritten: number;
}

export interface BackupFileOptions {
  store: StoreContext;
  sourcePath: string;
  /** An already open handle on sourcePath (for example of a frozen snapshot); not closed here. */
  fileHandle?: FileHandle;
  /** The same file's index in the previous point, to count changed chunks (chunksChanged). */
  previousIndex?: FixedIndex;
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
  /** Read buffer size (a multiple of the chunk size; default max(4 MiB, chunk size)). */
  readBufferSize?: number;
  /** Read buffers in the pool (default 4). */
  readBuffers?: number;
}

export interface BackupFileResult {
  index: FixedIndex;
  indexId: string;
  /** The source's stat taken when the read started (size, mtimeMs, ino, dev, mode). */
  stat: Stats;
  bytesRead: number;
  /** Bytes written to the vault for new chunks (after compression and encryption). */
  bytesWritten: number;
  /** Bytes of non-zero chunks that were already stored. */
  bytesDeduplicated: number;
  chunksNew: number;
  chunksReused: number;
  /** Non-zero chunks that differ from previousIndex at the same position (all, without one). */
  chunksChanged: number;
  zeroBytes: number;
}

export function cancelledError(what: string): LabvaultError {
  return new LabvaultError(ErrorCodes.CANCELLED, `${what} was cancelled; nothing was committed.`);
}

function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

export async function backupFile(options: BackupFileOptions): Promise<BackupFileResult> {
  const { store, sourcePath, signal } = options;
  const chunkSize = store.chunkSize;
  const bufferSize = options.readBufferSize ?? Math.max(4 * 1024 * 1024, chunkSize);
  if (bufferSize % chunkSize !== 0) throw new RangeError(`readBufferSize ${bufferSize} is not a multiple of the chunk size ${chunkSize}`);
  const handle = options.fileHandle ?? await open(sourcePath, 'r').catch((error: unknown) => { throw storeIoError(sourcePath, 'open', error); });
  try {
    const stat = await handle.stat();
    const pool = new BufferPool(options.readBuffers ?? 4, bufferSize);
    const zeros = Buffer.alloc(chunkSize);
    const previous = options.previousIndex?.chunkSize === chunkSize ? options.previousIndex : undefined;
    let ids = Buffer.alloc(Math.max(1, Math.ceil(stat.size / chunkSize)) * DIGEST_SIZE);
    const result = {
      bytesRead: 0, bytesWritten: 0, bytesDeduplicated: 0, chunksNew: 0, chunksReused: 0, chunksChanged: 0,
      zeroBytes: 0,
    };
    let failure: unknown;
    const running = new Set<Promise<void>>();

    const storeChunk = async (data: Buffer, chunkIndex: number): Promise<void> => {
      const id = await store.hasher.digest(data);
      if (ids.length < (chunkIndex + 1) * DIGEST_SIZE) ids = Buffer.concat([ids, Buffer.alloc(ids.length)]);
      id.copy(ids, chunkIndex * DIGEST_SIZE);
      if (previous === undefined || chunkIndex >= previous.chunkCount || !previous.idAt(chunkIndex).equals(id)) {
        result.chunksChanged += 1;
      }
      // Always through put(): it answers from the in-memory id set, and never trusts an
      // old index for a chunk a GC might have removed since.
      const written = await store.chunks.put(id, data);
      if (written > 0) {
        result.chunksNew += 1;
        result.bytesWritten += written;
      } else {
        result.chunksReused += 1;
        result.bytesDeduplicated += data.length;
      }
    };

    let chunkIndex = 0;
    for (;;) {
      if (signal?.aborted === true || failure !== undefined) break;
      const buffer = await pool.acquire();
      let filled = 0;
      while (filled < bufferSize) {
        const { bytesRead } = await handle.read(buffer, filled, bufferSize - filled, result.bytesRead + filled)
          .catch((error: unknown) => { throw storeIoError(sourcePath, 'read', error); });
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled === 0) {
        pool.release(buffer);
        break;
      }
      result.bytesRead += filled;
      const tasks: Array<Promise<void>> = [];
      for (let offset = 0; offset < filled; offset += chunkSize) {
        const data = buffer.subarray(offset, Math.min(offset + chunkSize, filled));
        const index = chunkIndex;
        chunkIndex += 1;
        if (isAllZero(data, zeros)) {
          result.zeroBytes += data.length;
          if (ids.length < (index + 1) * DIGEST_SIZE) ids = Buffer.concat([ids, Buffer.alloc(ids.length)]);
          ZERO_CHUNK_ID.copy(ids, index * DIGEST_SIZE);
          continue;
        }
        tasks.push(storeChunk(data, index).catch((error: unknown) => { failure ??= error; }));
      }
      const group = Promise.all(tasks).then(() => {
        pool.release(buffer);
        running.delete(group);
      });
      running.add(group);
      options.onProgress?.({ bytesDone: result.bytesRead, bytesTotal: stat.size, bytesWritten: result.bytesWritten });
      if (filled < bufferSize) break;
    }
    await Promise.all(running);
    if (failure !== undefined || aborted(signal)) {
      // Settle the chunks already written (they become orphans for GC), then report.
      await store.chunks.syncAll().catch(() => undefined);
      throw failure ?? cancelledError(`Backup of ${sourcePath}`);
    }
    await store.chunks.syncAll();
    if (aborted(signal)) throw cancelledError(`Backup of ${sourcePath}`);
    const index = new FixedIndex(chunkSize, result.bytesRead, Buffer.from(ids.subarray(0, chunkIndex * DIGEST_SIZE)));
    const indexId = await store.indexes.write(index);
    return { index, indexId, stat, ...result };
  } finally {
    if (options.fileHandle === undefined) await handle.close().catch(() => undefined);
  }
}
