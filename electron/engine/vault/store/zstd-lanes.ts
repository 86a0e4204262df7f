/**
 * Reusable zstd contexts ("lanes") over node:zlib's built-in zstd.
 *
 * Why: every zlib.zstdCompress() call allocates a fresh native zstd context (several MiB
 * at level 3) that is only freed when V8 collects its JS wrapper, and V8 does not see that
 * memory; measured here, 1,280 one-shot compressions of 1 MiB peaked at 280-670 MiB RSS.
 * A lane keeps one streaming context and ends a zstd frame per payload
 * (flush(ZSTD_e_end)), so memory stays flat (about 60 MiB for 4 lanes) and no context is
 * set up per chunk (4x faster). Work still runs on the libuv threadpool, off the main
 * thread. A lane whose stream fails (a damaged frame) is replaced.
 */
import { constants, createZstdCompress, createZstdDecompress } from 'node:zlib';
import type { ZstdCompress, ZstdDecompress } from 'node:zlib';
import { ZSTD_WINDOW_LOG_MAX } from './zstd-window.ts';

type ZstdStream = ZstdCompress | ZstdDecompress;

const OUTPUT_CHUNK_SIZE = 1024 * 1024;

class ZstdLane {
  private readonly make: () => ZstdStream;
  private stream: ZstdStream;
  private queue: Promise<unknown> = Promise.resolve();
  pending = 0;

  constructor(make: () => ZstdStream) {
    this.make = make;
    this.stream = make();
  }

  run(input: Buffer, maxOutput: number, onDone?: (ns: bigint) => void): Promise<Buffer> {
    this.pending += 1;
    const task = this.queue.then(async () => {
      const start = process.hrtime.bigint();
      const output = await this.process(input, maxOutput);
      onDone?.(process.hrtime.bigint() - start);
      return output;
    });
    this.queue = task.catch(() => undefined);
    return task.finally(() => { this.pending -= 1; });
  }

  private process(input: Buffer, maxOutput: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const stream = this.stream;
      const parts: Buffer[] = [];
      let total = 0;
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        cleanup();
        stream.destroy();
        this.stream = this.make();
        reject(error);
      };
      const onData = (part: Buffer): void => {
        total += part.length;
        if (total > maxOutput) fail(new Error(`zstd output exceeds ${maxOutput} bytes`));
        else parts.push(part);
      };
      const onError = (error: Error): void => fail(error);
      const cleanup = (): void => {
        stream.off('data', onData);
        stream.off('error', onError);
      };
      stream.on('data', onData);
      stream.on('error', onError);
      stream.write(input);
      stream.flush(constants.ZSTD_e_end, () => {
        if (settled) return;
        settled = true;
        cleanup();
        resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts, total));
      });
    });
  }
}

class ZstdLanePool {
  private readonly lanes: ZstdLane[];

  constructor(count: number, make: () => ZstdStream) {
    this.lanes = Array.from({ length: count }, () => new ZstdLane(make));
  }

  run(input: Buffer, maxOutput: number, onDone?: (ns: bigint) => void): Promise<Buffer> {
    let best = this.lanes[0]!;
    for (const lane of this.lanes) if (lane.pending < best.pending) best = lane;
    return best.run(input, maxOutput, onDone);
  }
}

/** Lanes per pool: the libuv threadpool's default size. */
const LANES = 4;
const compressors = new Map<number, ZstdLanePool>();
let decompressors: ZstdLanePool | undefined;

/** Compresses one payload as one complete zstd frame; `onDone` gets the time the lane worked on it. */
export function zstdCompressFrame(input: Buffer, level: number, onDone?: (ns: bigint) => void): Promise<Buffer> {
  let pool = compressors.get(level);
  if (pool === undefined) {
    pool = new ZstdLanePool(LANES, () => createZstdCompress({
      params: { [constants.ZSTD_c_compressionLevel]: level }, chunkSize: OUTPUT_CHUNK_SIZE,
    }));
    compressors.set(level, pool);
  }
  return pool.run(input, Number.MAX_SAFE_INTEGER, onDone);
}

/** Decompresses one zstd frame; fails when the output would exceed `maxOutput` bytes. */
export function zstdDecompressFrame(
  input: Buffer, maxOutput: number, onDone?: (ns: bigint) => void,
): Promise<Buffer> {
  decompressors ??= new ZstdLanePool(LANES, () => createZstdDecompress({
    chunkSize: OUTPUT_CHUNK_SIZE, params: { [constants.ZSTD_d_windowLogMax]: ZSTD_WINDOW_LOG_MAX },
  }));
  return decompressors.run(input, maxOutput, onDone);
}
