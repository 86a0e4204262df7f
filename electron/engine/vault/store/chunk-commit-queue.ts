/**
 * Makes written chunk files durable in batches, then moves them into place.
 *
 * A chunk arrives as a written, unsynced temp file in data/tmp/. Once 64 chunks or 64 MiB
 * are pending, a batch flush makes the temp files durable (one syncfs, or per-file
 * fdatasync where syncfs is unavailable: filesystem-sync.ts), renames each to its final
 * name, then makes the renames durable (directory fsyncs, or the next syncfs). Flushes run
 * one at a time; a writer waits only when a second batch queues behind a running one.
 * `syncAll()` is the barrier: every chunk added before it is durable under its final name
 * when it returns, and a failed flush surfaces there at the latest.
 */
import { rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { fsyncDir, storeIoError } from './durable-fs.ts';
import { syncFilesystem, syncfsAvailable } from './filesystem-sync.ts';

/** Flush a batch once this many chunks or bytes are pending. */
const BATCH_MAX_CHUNKS = 64;
const BATCH_MAX_BYTES = 64 * 1024 * 1024;

export interface PendingChunk {
  /** Open handle on the written temp file; closed by the queue. */
  handle: FileHandle;
  tmpPath: string;
  finalPath: string;
  /** Directory of finalPath. */
  dir: string;
  bytes: number;
}

export class ChunkCommitQueue {
  private readonly syncDir: string;
  private readonly onBatchFailed: () => void;
  private pending: PendingChunk[] = [];
  private pendingBytes = 0;
  private flushing: Promise<void> = Promise.resolve();
  private queuedBatches = 0;
  private flushError: unknown;
  private renamesToSync = false;
  private syncNs = 0n;
  private syncBytes = 0;

  /** `syncDir`: any directory of the vault's filesystem; `onBatchFailed`: chunks of a batch were lost. */
  constructor(syncDir: string, onBatchFailed: () => void) {
    this.syncDir = syncDir;
    this.onBatchFailed = onBatchFailed;
  }

  async add(chunk: PendingChunk): Promise<void> {
    this.pending.push(chunk);
    this.pendingBytes += chunk.bytes;
    if (this.pending.length < BATCH_MAX_CHUNKS && this.pendingBytes < BATCH_MAX_BYTES) return;
    const flushed = this.flush();
    if (this.queuedBatches > 1) await flushed;
    else flushed.catch(() => undefined);
  }

  private flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.queuedBatches += 1;
    const next = this.flushing.then(() => this.flushBatch(batch)).catch((error: unknown) => {
      this.onBatchFailed();
      throw error;
    }).finally(() => { this.queuedBatches -= 1; });
    this.flushing = next.catch((error: unknown) => { this.flushError ??= error; });
    return next;
  }

  /** Time spent in batch flushes and barriers (syncs and renames) and the bytes they made durable. */
  figures(): { ns: bigint; bytes: number } {
    return { ns: this.syncNs, bytes: this.syncBytes };
  }

  private async flushBatch(batch: PendingChunk[]): Promise<void> {
    if (batch.length === 0) return;
    const start = process.hrtime.bigint();
    try {
      await this.flushBatchTimed(batch);
    } finally {
      this.syncNs += process.hrtime.bigint() - start;
      this.syncBytes += batch.reduce((sum, chunk) => sum + chunk.bytes, 0);
    }
  }

  private async flushBatchTimed(batch: PendingChunk[]): Promise<void> {
    const useSyncfs = await syncfsAvailable(this.syncDir);
    let failure: unknown;
    await Promise.all(batch.map(async (chunk) => {
      try {
        if (!useSyncfs) await chunk.handle.datasync();
      } catch (error) {
        failure ??= storeIoError(chunk.tmpPath, 'sync chunk', error);
      } finally {
        await chunk.handle.close().catch(() => undefined);
      }
    }));
    if (failure === undefined && useSyncfs) {
      await syncFilesystem(this.syncDir).catch((error: unknown) => { failure = error; });
    }
    if (failure !== undefined) {
      await Promise.all(batch.map((chunk) => rm(chunk.tmpPath, { force: true }).catch(() => undefined)));
      throw failure;
    }
    for (const chunk of batch) {
      try {
        await rename(chunk.tmpPath, chunk.finalPath);
      } catch (error) {
        throw storeIoError(chunk.finalPath, 'rename chunk into place', error);
      }
    }
    if (useSyncfs) this.renamesToSync = true;
    else for (const dir of new Set(batch.map((chunk) => chunk.dir))) await fsyncDir(dir);
  }

  /** Durability barrier for every chunk added so far. */
  async syncAll(): Promise<void> {
    await this.flush();
    await this.flushing;
    const error = this.flushError;
    this.flushError = undefined;
    if (error !== undefined) throw error;
    if (this.renamesToSync) {
      this.renamesToSync = false;
      const start = process.hrtime.bigint();
      await syncFilesystem(this.syncDir);
      this.syncNs += process.hrtime.bigint() - start;
    }
  }
}
