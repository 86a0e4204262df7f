/**
 * A raw image: the file is the disk, byte for byte; virtual size = file size.
 *
 * Allocation map: Node has no lseek(SEEK_DATA/SEEK_HOLE) and we take no native addon, so
 * the map is found by content. A file with st_blocks = 0 is all holes (no read needed);
 * otherwise the file is scanned in 1 MiB blocks and every all-zero block is reported as a
 * zero range (holes and written zeros look the same, which is what a reader sees anyway).
 * Memory stays at one 1 MiB buffer whatever the size.
 */
import { ImageFile } from '../image-file.ts';
import { badImage } from '../image-error.ts';
import { pushDiskRange } from '../disk-ranges.ts';
import type { DiskRange, VirtualDisk } from '../virtual-disk.ts';

export const RAW_SCAN_BLOCK = 1024 * 1024;
const ZERO_BLOCK = Buffer.alloc(RAW_SCAN_BLOCK);

/** True when buffer[0..length) is all zero bytes. */
export function isZeroBuffer(buffer: Buffer, length = buffer.length): boolean {
  let position = 0;
  while (position < length) {
    const piece = Math.min(ZERO_BLOCK.length, length - position);
    if (!buffer.subarray(position, position + piece).equals(ZERO_BLOCK.subarray(0, piece))) return false;
    position += piece;
  }
  return true;
}

export class RawDisk implements VirtualDisk {
  readonly format = 'raw' as const;
  readonly concurrentReads = true;
  readonly path: string;
  readonly virtualSize: number;
  private readonly file: ImageFile;

  private constructor(file: ImageFile) {
    this.file = file;
    this.path = file.path;
    this.virtualSize = file.size;
  }

  static async open(path: string): Promise<RawDisk> {
    return new RawDisk(await ImageFile.open(path));
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<void> {
    if (offset < 0 || offset + length > this.virtualSize) {
      throw badImage(this.path, 'read range', `bytes [${offset}, ${offset + length}) lie past the virtual size ${this.virtualSize}`);
    }
    await this.file.readInto(buffer, 0, length, offset, 'raw data');
  }

  async allocationMap(): Promise<DiskRange[]> {
    const ranges: DiskRange[] = [];
    if (this.virtualSize === 0) return ranges;
    if ((await this.file.allocatedFileBytes()) === 0) {
      pushDiskRange(ranges, 0, this.virtualSize, true);
      return ranges;
    }
    const block = Buffer.allocUnsafe(RAW_SCAN_BLOCK);
    for (let offset = 0; offset < this.virtualSize; offset += RAW_SCAN_BLOCK) {
      const length = Math.min(RAW_SCAN_BLOCK, this.virtualSize - offset);
      await this.file.readInto(block, 0, length, offset, 'raw data');
      pushDiskRange(ranges, offset, length, isZeroBuffer(block, length));
    }
    return ranges;
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
