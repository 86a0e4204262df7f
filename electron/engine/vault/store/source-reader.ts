/**
 * Reads a source file's spans in order, buffer by buffer, with up to `depth` reads in
 * flight: while the caller splits one buffer into chunks, the next one is already being
 * read. Measured on an XFS loop device (direct I/O) with a cold cache, two 4 MiB reads in
 * flight read 1 GiB in 0.80 s against 1.05 s for one at a time.
 *
 * A read fills its buffer until `want` bytes or the end of the file (a short read is the
 * end of the file: the caller stops there, and reads already started past it are released
 * unused). Buffers come from the caller's pool and go back to it through the caller, except
 * those of reads it never takes (`close()` releases them).
 *
 * With `direct` (the same file opened with O_DIRECT, and page-aligned buffers), aligned reads
 * bypass the page cache: the device writes straight into the buffer. Measured on the bench's
 * XFS loop, cold, 615 MiB of data in 205 spans: 90-115 ms of CPU against 370-500 ms buffered,
 * same wall time. The kernel's readahead also zero-filled page cache for the holes past each
 * span (2.5 MiB windows there), all of a 1 GiB disk's 410 MiB of holes. Buffered reads remain
 * for what is not aligned, and for everything once a direct read is refused (EINVAL: a
 * filesystem or buffer direct I/O does not accept).
 */
import type { FileHandle } from 'node:fs/promises';
import type { BufferPool } from './buffer-pool.ts';
import { directReadAligned } from './aligned-buffers.ts';
import { storeIoError } from './durable-fs.ts';
import type { ReadRateLimiter } from './read-rate-limiter.ts';
import { StageProfile } from './stage-profile.ts';

export interface SourceRead {
  /** Where the read started in the file. */
  position: number;
  /** Bytes asked for. */
  want: number;
  buffer: Buffer;
  /** Bytes read (less than want: the file ended). */
  filled: number;
}

type Settled = { read: SourceRead } | { error: unknown } | { skipped: true };

export interface SourceReaderOptions {
  handle: FileHandle;
  sourcePath: string;
  pool: BufferPool;
  /** Chunk-aligned spans to read, in order (an end of +Infinity reads to the end of the file). */
  spans: Array<{ start: number; end: number }>;
  bufferSize: number;
  /** Reads in flight (default 2). */
  depth?: number;
  readLimiter?: ReadRateLimiter | undefined;
  signal?: AbortSignal | undefined;
  profile: StageProfile;
  /** The same file opened with O_DIRECT, when the pool's buffers are page-aligned (see above). */
  direct?: FileHandle | undefined;
}

export class SourceReader {
  private readonly options: SourceReaderOptions;
  private readonly queue: Array<Promise<Settled>> = [];
  private readonly plan: Generator<{ position: number; want: number }>;
  private planDone = false;
  private stopped = false;
  /** Direct reads were refused once: every later read is buffered. */
  private directRefused = false;
  private directBytes = 0;

  constructor(options: SourceReaderOptions) {
    this.options = options;
    this.plan = SourceReader.positions(options.spans, options.bufferSize);
    this.fill();
  }

  private static *positions(
    spans: Array<{ start: number; end: number }>, bufferSize: number,
  ): Generator<{ position: number; want: number }> {
    for (const span of spans) {
      for (let position = span.start; position < span.end; position += bufferSize) {
        yield { position, want: Math.min(bufferSize, span.end - position) };
      }
    }
  }

  private fill(): void {
    const depth = this.options.depth ?? 2;
    while (!this.stopped && !this.planDone && this.queue.length < depth) {
      const next = this.plan.next();
      if (next.done === true) {
        this.planDone = true;
        break;
      }
      this.queue.push(this.start(next.value.position, next.value.want));
    }
  }

  private async start(position: number, want: number): Promise<Settled> {
    const { handle, pool, readLimiter, signal, profile } = this.options;
    try {
      if (readLimiter) {
        await readLimiter.take(want, signal);
        if (signal?.aborted === true) return { skipped: true };
      }
      const buffer = await pool.acquire();
      let filled = 0;
      const readStart = StageProfile.now();
      try {
        filled = await this.readDirect(buffer, position, want);
        while (filled < want) {
          const { bytesRead } = await handle.read(buffer, filled, want - filled, position + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
      } catch (error) {
        pool.release(buffer);
        throw error;
      }
      profile.end('read', readStart, filled);
      return { read: { position, want, buffer, filled } };
    } catch (error) {
      return { error: storeIoError(this.options.sourcePath, 'read', error) };
    }
  }

  /** Bytes read around the page cache so far (through the direct handle). */
  get bytesDirect(): number {
    return this.directBytes;
  }

  /**
   * Reads what it can of [position, position + want) through the direct handle into `buffer`
   * and returns the bytes read; 0 when direct reads do not apply. Stops at a short read (the end
   * of the file, or a remainder the buffered handle reads on) and at a refusal (then never again).
   */
  private async readDirect(buffer: Buffer, position: number, want: number): Promise<number> {
    const { direct } = this.options;
    if (direct === undefined || this.directRefused || !directReadAligned(position, want)) return 0;
    let filled = 0;
    try {
      while (filled < want && directReadAligned(position + filled, want - filled)) {
        const { bytesRead } = await direct.read(buffer, filled, want - filled, position + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
        this.directBytes += bytesRead;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
      this.directRefused = true;
    }
    return filled;
  }

  /** The next read in file order, or null when every span was read or the reader stopped. Throws a read's error. */
  async next(): Promise<SourceRead | null> {
    const head = this.queue.shift();
    if (head === undefined) return null;
    const settled = await head;
    if ('error' in settled) {
      await this.close();
      throw settled.error;
    }
    if ('skipped' in settled) {
      await this.close();
      return null;
    }
    if (settled.read.filled < settled.read.want) this.stopped = true; // the file ended: read no further
    else this.fill();
    return settled.read;
  }

  /** Stops reading; buffers of reads started but never taken go back to the pool. */
  async close(): Promise<void> {
    this.stopped = true;
    const pending = this.queue.splice(0);
    for (const settled of await Promise.all(pending)) {
      if ('read' in settled) this.options.pool.release(settled.read.buffer);
    }
  }
}
