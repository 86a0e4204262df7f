/**
 * Reads a source disk block by block for image writers: the block at `index` is read into
 * a reused buffer (its part past the virtual size zero-filled) and reported as data or all
 * zero, so writers store only blocks that hold data.
 */
import type { VirtualDisk } from './virtual-disk.ts';
import { isAllZero } from '../bytes/zero-bytes.ts';
import { throwIfAborted } from './image-output.ts';

export class SourceBlockReader {
  readonly block: Buffer;
  private readonly source: VirtualDisk;
  private readonly outPath: string;
  private readonly signal: AbortSignal | undefined;

  constructor(source: VirtualDisk, blockSize: number, outPath: string, signal?: AbortSignal) {
    this.source = source;
    this.block = Buffer.alloc(blockSize);
    this.outPath = outPath;
    this.signal = signal;
  }

  /** Reads block `index` into `this.block`; false when it lies past the disk or is all zero. */
  async readData(index: number): Promise<boolean> {
    throwIfAborted(this.signal, this.outPath);
    const size = this.block.length;
    const start = index * size;
    const inSource = Math.max(0, Math.min(size, this.source.virtualSize - start));
    if (inSource === 0) return false;
    await this.source.read(this.block.subarray(0, inSource), start, inSource);
    this.block.fill(0, inSource);
    return !isAllZero(this.block, inSource);
  }
}
