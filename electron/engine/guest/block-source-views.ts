/**
 * BlockSources built from others: a window of a source (a partition), bytes in memory, and
 * a plain file (tests, image files on disk). Every read is range-checked.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { checkRange } from './point-disk-source.ts';
import type { BlockSource } from './guest-filesystem.ts';

/** Bytes [offset, offset + size) of `source` as a source of its own (a partition's extent). */
export function sliceSource(source: BlockSource, offset: number, size: number, name = 'the volume'): BlockSource {
  checkRange(source.size, offset, 0, name);
  const length = Math.min(size, source.size - offset);
  return {
    size: length,
    read(at, count) {
      checkRange(length, at, count, name);
      return source.read(offset + at, count);
    },
  };
}

export function bufferSource(bytes: Buffer, name = 'the buffer'): BlockSource {
  return {
    size: bytes.length,
    async read(at, count) {
      checkRange(bytes.length, at, count, name);
      return Buffer.from(bytes.subarray(at, at + count));
    },
  };
}

/** A file read with positioned reads; close it with `close()`. */
export async function fileSource(path: string): Promise<BlockSource & { close(): Promise<void> }> {
  const handle: FileHandle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read(at, count) {
      checkRange(size, at, count, path);
      const out = Buffer.alloc(count);
      let done = 0;
      while (done < count) {
        const { bytesRead } = await handle.read(out, done, count - done, at + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return out;
    },
    close: () => handle.close(),
  };
}
