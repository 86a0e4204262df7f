/**
 * A raw image: the file is the disk, byte for byte; virtual size = file size.
 *
 * Allocation map: Node has no lseek(SEEK_DATA/SEEK_HOLE) and we take no native addon, so
 * the map is found by content. A file with st_blocks = 0 is all holes (no read needed);
 * otherwise the file is scanned by zero-scan.ts (1 MiB blocks; every all-zero block is a
 * zero range: holes and written zeros look the same, which is what a reader sees anyway).
 * Memory stays at one 1 MiB buffer whatever the size.
 */
import type { ImageFile } from '../image-file.ts';
import { localImageOpener } from '../image-opener.ts';
import type { ImageOpener } from '../image-opener.ts';
import { badImage } from '../image-error.ts';
import { scanFileForZeros } from '../zero-scan.ts';
import type { DiskRange, VirtualDisk } from '../virtual-disk.ts';

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

  static async open(path: string, opener: ImageOpener = localImageOpener): Promise<RawDisk> {
    return new RawDisk(await opener.open(path));
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<void> {
    if (offset < 0 || offset + length > this.virtualSize) {
      throw badImage(this.path, 'read range', `bytes [${offset}, ${offset + length}) lie past the virtual size ${this.virtualSize}`);
    }
    await this.file.readInto(buffer, 0, length, offset, 'raw data');
  }

  async allocationMap(): Promise<DiskRange[]> {
    // No data blocks at all: one zero range (or none for an empty file), nothing to read.
    if ((await this.file.allocatedFileBytes()) === 0) return scanFileForZeros(this.file, 0, this.virtualSize);
    return scanFileForZeros(this.file, this.virtualSize, this.virtualSize);
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
