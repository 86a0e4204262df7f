/**
 * Feeds image writers that store fixed-size blocks (VMDK blocks, VDI blocks): walks the
 * source disk's allocation map and yields, in order, each block that holds non-zero data.
 * Reads go in block-aligned chunks of up to READ_CHUNK_BYTES, so memory is one chunk
 * whatever the disk size. A yielded block buffer is valid until the next iteration. Bytes
 * past the source's size (the last partial sector) read as zeros.
 */
import type { VirtualDisk } from './virtual-disk.ts';
import type { WriteOptions } from './disk-format-module.ts';
import { isAllZero } from '../bytes/zero-bytes.ts';
import { throwIfAborted } from './image-output.ts';

const READ_CHUNK_BYTES = 1024 * 1024;

export interface SourceBlock {
  index: number;
  data: Buffer;
}

export async function* nonZeroBlocks(
  source: VirtualDisk, blockBytes: number, outPath: string, options: WriteOptions,
): AsyncGenerator<SourceBlock> {
  const total = source.virtualSize;
  const chunkBytes = Math.max(blockBytes, Math.floor(READ_CHUNK_BYTES / blockBytes) * blockBytes);
  const chunk = Buffer.alloc(chunkBytes);
  const map = await source.allocationMap();
  let nextBlock = 0;
  let done = 0;
  for (const range of map) {
    if (range.zero) {
      done = range.offset + range.length;
      options.onProgress?.(done, total);
      continue;
    }
    const end = range.offset + range.length;
    let block = Math.max(nextBlock, Math.floor(range.offset / blockBytes));
    while (block * blockBytes < end) {
      throwIfAborted(options.signal, outPath);
      const start = block * blockBytes;
      const blocks = Math.min(chunkBytes / blockBytes, Math.ceil((end - start) / blockBytes));
      const length = blocks * blockBytes;
      const readable = Math.max(0, Math.min(length, total - start));
      await source.read(chunk.subarray(0, readable), start, readable);
      if (readable < length) chunk.fill(0, readable, length);
      for (let index = 0; index < blocks; index += 1) {
        const data = chunk.subarray(index * blockBytes, (index + 1) * blockBytes);
        if (!isAllZero(data)) yield { index: block + index, data };
      }
      block += blocks;
      done = Math.min(total, block * blockBytes);
      options.onProgress?.(done, total);
    }
    nextBlock = block;
  }
}
