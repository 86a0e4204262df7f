/**
 * Writes any VirtualDisk as a sparse raw file: only data ranges are written, in 4 MiB
 * chunks (all-zero chunks skipped, so they stay holes), reading the next chunk while the
 * previous one is written, with several chunks in flight when the source allows it.
 * The file is created exclusively: an existing file is refused.
 */
import { observed, throwIfAborted, writeFully, writeNewImageFile } from '../image-output.ts';
import { isAllZero } from '../../bytes/zero-bytes.ts';
import type { DiskRange, VirtualDisk } from '../virtual-disk.ts';
import type { WriteOptions } from '../disk-format-module.ts';

const RAW_WRITE_CHUNK = 4 * 1024 * 1024;
/** Chunks in flight when the source takes concurrent reads (the libuv pool has 4 threads). */
const RAW_WRITE_LANES = 4;

/** The data chunks of a map, at most RAW_WRITE_CHUNK bytes each, in disk order. */
function* dataChunks(map: readonly DiskRange[]): Generator<{ position: number; length: number }> {
  for (const range of map) {
    if (range.zero) continue;
    const end = range.offset + range.length;
    for (let position = range.offset; position < end; position += RAW_WRITE_CHUNK) {
      yield { position, length: Math.min(RAW_WRITE_CHUNK, end - position) };
    }
  }
}

export async function writeRawImage(source: VirtualDisk, outPath: string, options: WriteOptions = {}): Promise<void> {
  await writeNewImageFile(outPath, async (handle) => {
    const total = source.virtualSize;
    const map = await source.allocationMap();
    // Size the file first: every write then lands inside it (no size update per write).
    await handle.truncate(total);
    const zeroBytes = map.reduce((sum, range) => sum + (range.zero ? range.length : 0), 0);
    let done = zeroBytes;
    if (zeroBytes > 0) options.onProgress?.(done, total);
    const chunks = dataChunks(map);
    // Each lane reads a chunk then writes it; lanes overlap reads and writes. A source
    // that cannot take concurrent reads gets one lane that reads the next chunk while the
    // previous write is still going.
    const lanes = source.concurrentReads ? RAW_WRITE_LANES : 1;
    let failed = false;
    const lane = async (): Promise<void> => {
      const buffers = [Buffer.allocUnsafe(RAW_WRITE_CHUNK), Buffer.allocUnsafe(RAW_WRITE_CHUNK)] as const;
      let turn = 0;
      let pending: Promise<void> | null = null;
      try {
        for (let next = chunks.next(); !next.done && !failed; next = chunks.next()) {
          throwIfAborted(options.signal, outPath);
          const { position, length } = next.value;
          const buffer = buffers[turn]!;
          turn ^= 1;
          await source.read(buffer.subarray(0, length), position, length);
          if (pending) await pending;
          pending = isAllZero(buffer, length) ? null : observed(writeFully(handle, outPath, buffer, length, position));
          done += length;
          options.onProgress?.(done, total);
        }
        if (pending) await pending;
      } catch (error) {
        failed = true;
        if (pending) await pending.catch(() => undefined);
        throw error;
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
  });
}
