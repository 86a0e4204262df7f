/**
 * A read-only image file with positioned, bounds-checked reads. Every read names the
 * on-disk field it is for, so a short file becomes a BAD_IMAGE "truncated" error that says
 * which structure lies past the end, never a silent short buffer.
 *
 * The bytes come from a local file (ImageFile.open) or from any positioned reader
 * (ImageFile.over: a point's file read from the vault's chunks).
 */
import { open, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { truncatedImage } from './image-error.ts';
import { ioError } from '../fs/io-error.ts';

const SYSFS_SECTOR = 512;

/**
 * Size of a block device: stat() reports 0 for them and Node cannot lseek(SEEK_END), so
 * the size is read from /sys/dev/block/MAJOR:MINOR/size (512-byte sectors, Linux).
 */
async function blockDeviceSize(rdev: number, path: string): Promise<number> {
  const major = Math.floor(rdev / 256) & 0xfff;
  const minor = (rdev & 0xff) | (Math.floor(rdev / 4096) & 0xfff00);
  try {
    const sectors = Number((await readFile(`/sys/dev/block/${major}:${minor}/size`, 'utf8')).trim());
    if (!Number.isSafeInteger(sectors)) throw new Error(`unreadable size "${sectors}"`);
    return sectors * SYSFS_SECTOR;
  } catch (error) {
    throw ioError(path, 'read the size of the block device', error);
  }
}

/** Bytes of a file that is not a local file: read at any position inside [0, size). */
export interface PositionedByteReader {
  /** Exactly `length` bytes at `position` into `buffer[bufferOffset..]`. */
  readInto(buffer: Buffer, bufferOffset: number, position: number, length: number): Promise<void>;
  /** Called once when the ImageFile over it is closed. */
  close?(): void;
}

/** Largest read asked of a PositionedByteReader at once (a point's reader refuses reads beyond 64 MiB). */
const MAX_READER_READ = 16 * 1024 * 1024;

export class ImageFile {
  readonly path: string;
  readonly size: number;
  private readonly handle: FileHandle | null;
  private readonly reader: PositionedByteReader | null;
  private closed = false;

  /** False for block devices (LVM volumes, disks) and readers: st_blocks says nothing about holes there. */
  readonly isRegularFile: boolean;

  private constructor(path: string, handle: FileHandle | null, reader: PositionedByteReader | null, size: number,
    isRegularFile: boolean) {
    this.path = path;
    this.handle = handle;
    this.reader = reader;
    this.size = size;
    this.isRegularFile = isRegularFile;
  }

  /**
   * An image file over `reader` of `size` bytes; `path` names it in errors and is what the
   * disk readers resolve relative parent and extent names against.
   */
  static over(reader: PositionedByteReader, size: number, path: string): ImageFile {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`${path}: ${size} is not a file size`);
    return new ImageFile(path, null, reader, size, false);
  }

  static async open(path: string): Promise<ImageFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw ioError(path, 'open the image', error);
    }
    try {
      const stat = await handle.stat();
      if (stat.isBlockDevice()) return new ImageFile(path, handle, null, await blockDeviceSize(stat.rdev, path), false);
      return new ImageFile(path, handle, null, stat.size, true);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw ioError(path, 'read the image size', error);
    }
  }

  /** Bytes the file occupies on disk (holes excluded), from st_blocks; a block device counts as full. */
  async allocatedFileBytes(): Promise<number> {
    if (!this.isRegularFile || !this.handle) return this.size;
    const stat = await this.handle.stat();
    return stat.blocks * 512;
  }

  /** Reads exactly `length` bytes at `position` into `buffer[bufferOffset..]`, or throws "truncated". */
  async readInto(buffer: Buffer, bufferOffset: number, length: number, position: number, field: string): Promise<void> {
    if (!Number.isSafeInteger(position) || position < 0 || position + length > this.size) {
      throw truncatedImage(this.path, field, position, length, this.size);
    }
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.readRaw(buffer, bufferOffset + done, length - done, position + done);
      if (bytesRead === 0) throw truncatedImage(this.path, field, position, length, this.size);
      done += bytesRead;
    }
  }

  /** Reads exactly `length` bytes at `position` into a new buffer, or throws "truncated". */
  async readAt(position: number, length: number, field: string): Promise<Buffer> {
    if (!Number.isSafeInteger(position) || position < 0 || position + length > this.size) {
      throw truncatedImage(this.path, field, position, length, this.size);
    }
    const buffer = Buffer.allocUnsafe(length);
    await this.readInto(buffer, 0, length, position, field);
    return buffer;
  }

  /**
   * Reads up to `length` bytes at `position`; bytes past the end of the file read as zeros
   * (qemu's rule for a data cluster whose tail was never written). Returns bytes really read.
   */
  async readZeroFilled(buffer: Buffer, bufferOffset: number, length: number, position: number): Promise<number> {
    const available = Math.max(0, Math.min(length, this.size - position));
    let done = 0;
    while (done < available) {
      const { bytesRead } = await this.readRaw(buffer, bufferOffset + done, available - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    if (done < length) buffer.fill(0, bufferOffset + done, bufferOffset + length);
    return done;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reader?.close?.();
    await this.handle?.close();
  }

  private async readRaw(
    buffer: Buffer, bufferOffset: number, length: number, position: number,
  ): Promise<{ bytesRead: number }> {
    if (this.reader) {
      // Callers keep [position, position + length) inside the file; a reader fails loudly otherwise.
      const take = Math.min(length, MAX_READER_READ, this.size - position);
      if (take <= 0) return { bytesRead: 0 };
      await this.reader.readInto(buffer, bufferOffset, position, take);
      return { bytesRead: take };
    }
    try {
      return await this.handle!.read(buffer, bufferOffset, length, position);
    } catch (error) {
      throw ioError(this.path, `read ${length} bytes at offset ${position}`, error);
    }
  }
}
