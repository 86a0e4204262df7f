/**
 * Feeds the VMDK writers: walks the source disk's allocation map and yields, in order,
 * each grain that holds non-zero data. Reads go in grain-aligned chunks of up to
 * READ_CHUNK_BYTES, so memory is one chunk whatever the disk size. A yielded grain buffer
 * is valid until the next iteration. Bytes past the source's size (the last partial
 * sector) read as zeros.
 */
import type { VirtualDisk } from '../virtual-disk.ts';
import type { WriteOptions } from '../disk-format-module.ts';
import { isZeroBuffer } from '../raw/raw-disk.ts';
import { throwIfAborted } from '../raw/raw-writer.ts';

export const READ_CHUNK_BYTES = 1024 * 1024;

export interface SourceGrain {
  index: number;
  data: Buffer;
}

export async function* nonZeroGrains(source: VirtualDisk, grainBytes: number, outPath: string, options: WriteOptions): AsyncGenerator<SourceGrain> {
  const total = source.virtualSize;
  const chunkBytes = Math.max(grainBytes, Math.floor(READ_CHUNK_BYTES / grainBytes) * grainBytes);
  const chunk = Buffer.alloc(chunkBytes);
  const map = await source.allocationMap();
  let nextGrain = 0;
  let done = 0;
  for (const range of map) {
    if (range.zero) {
      done = range.offset + range.length;
      options.onProgress?.(done, total);
      continue;
    }
    const end = range.offset + range.length;
    let grain = Math.max(nextGrain, Math.floor(range.offset / grainBytes));
    while (grain * grainBytes < end) {
      throwIfAborted(options.signal, outPath);
      const start = grain * grainBytes;
      const grains = Math.min(chunkBytes / grainBytes, Math.ceil((end - start) / grainBytes));
      const length = grains * grainBytes;
      const readable = Math.max(0, Math.min(length, total - start));
      await source.read(chunk.subarray(0, readable), start, readable);
      if (readable < length) chunk.fill(0, readable, length);
      for (let index = 0; index < grains; index += 1) {
        const data = chunk.subarray(index * grainBytes, (index + 1) * grainBytes);
        if (!isZeroBuffer(data)) yield { index: grain + index, data };
      }
      grain += grains;
      done = Math.min(total, grain * grainBytes);
      options.onProgress?.(done, total);
    }
    nextGrain = grain;
  }
}
