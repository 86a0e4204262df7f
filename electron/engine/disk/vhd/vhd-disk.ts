/**
 * Reads a VHD (fixed, dynamic or differencing) as a VirtualDisk.
 * Byte layouts: see vhd-layout.ts.
 *
 * Fixed: the file minus its 512-byte footer is the disk.
 * Dynamic/differencing: the virtual disk is cut in blocks; a BAT entry of all ones means
 * the block is absent (zeros in a dynamic disk, the parent's data in a differencing disk);
 * otherwise each sector's bitmap bit says whether this file holds it (1) or not (0: zero,
 * or the parent's data in a differencing disk).
 */
import type { ImageFile } from '../image-file.ts';
import { badImage } from '../image-error.ts';
import { pushLayerRange } from '../disk-ranges.ts';
import { mergeLayerAllocation, openVerifiedParent, readAbsentBytes } from '../differencing-layer.ts';
import { rememberBounded } from '../bounded-cache.ts';
import type { LayerRange } from '../disk-ranges.ts';
import type { DiskRange, VirtualDisk } from '../virtual-disk.ts';
import { openerOf } from '../disk-format-module.ts';
import type { OpenContext } from '../disk-format-module.ts';
import { VHD_BAT_UNUSED, VHD_SECTOR } from './vhd-layout.ts';
import type { VhdFooter, VhdType } from './vhd-layout.ts';
import { readVhdStructure } from './vhd-structure.ts';
import type { VhdDynamicLayout, VhdStructure } from './vhd-structure.ts';
import { recordedVhdParentPaths } from './vhd-parent-locators.ts';
import { chooseParentPath } from '../parent-path.ts';
import type { ChosenParent } from '../parent-path.ts';
import { scanFileForZeros } from '../zero-scan.ts';

/** Sector bitmaps kept in memory. */
const BITMAP_CACHE_SIZE = 16;

interface BlockBitmap {
  bits: Buffer;
  full: boolean;
}

export interface VhdOpenOptions {
  /** Opens the parent of a differencing disk. Without it, a differencing disk is refused. */
  ctx?: OpenContext;
  /** Parse only (for `info`): do not open the parent. Reads of a differencing disk then fail. */
  skipParent?: boolean;
}

export class VhdDisk implements VirtualDisk {
  readonly format = 'vpc' as const;
  readonly path: string;
  readonly virtualSize: number;
  readonly type: VhdType;
  readonly footer: VhdFooter;
  readonly dynamic: VhdDynamicLayout | null;
  /** Parent of a differencing disk: local path chosen and path as recorded (null otherwise). */
  readonly parentLink: ChosenParent | null;
  readonly fileSize: number;
  /** Fixed disks: bytes of disk data before the footer. */
  private readonly fixedDataEnd: number;
  private readonly file: ImageFile;
  private parent: VirtualDisk | null = null;
  private readonly bitmaps = new Map<number, BlockBitmap>();

  private constructor(file: ImageFile, structure: VhdStructure, parentLink: ChosenParent | null) {
    const { footer, type, virtualSize, dynamic } = structure;
    this.file = file;
    this.fixedDataEnd = structure.fixedDataEnd;
    this.path = file.path;
    this.fileSize = file.size;
    this.footer = footer;
    this.type = type;
    this.virtualSize = virtualSize;
    this.dynamic = dynamic;
    this.parentLink = parentLink;
  }

  static async open(path: string, options: VhdOpenOptions = {}): Promise<VhdDisk> {
    const opener = openerOf(options.ctx);
    const file = await opener.open(path);
    try {
      const structure = await readVhdStructure(file);
      let parentLink: ChosenParent | null = null;
      if (structure.type === 'differencing' && structure.dynamic) {
        const recorded = await recordedVhdParentPaths(file, structure.dynamic.header);
        parentLink = await chooseParentPath(recorded, path, opener);
        if (parentLink === null) {
          throw badImage(path, 'vhd.dynamic_header.parent_locator', 'differencing disk records no parent path (no parent locator and no parent name)');
        }
      }
      const disk = new VhdDisk(file, structure, parentLink);
      if (parentLink !== null && !options.skipParent) {
        disk.parent = await openVerifiedParent(options.ctx, path, 'vhd.parent', parentLink.path, 'vpc', (parent) => disk.checkParentIdentity(parent));
      }
      return disk;
    } catch (error) {
      await file.close().catch(() => undefined);
      throw error;
    }
  }

  /** Block size of a dynamic or differencing disk. */
  get blockSize(): number | null {
    return this.dynamic ? this.dynamic.header.blockSize : null;
  }

  /** Bytes of the virtual disk held by this file (allocated blocks, clipped to the size). */
  get allocatedBytes(): number {
    if (!this.dynamic) return this.virtualSize;
    return Math.min(this.virtualSize, this.dynamic.allocatedBlocks * this.dynamic.header.blockSize);
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<void> {
    if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > this.virtualSize) {
      throw badImage(this.path, 'read range', `bytes [${offset}, ${offset + length}) lie past the virtual size ${this.virtualSize}`);
    }
    if (!this.dynamic) {
      const dataEnd = this.fixedDataEnd;
      const inFile = Math.max(0, Math.min(length, dataEnd - offset));
      if (inFile > 0) await this.file.readInto(buffer, 0, inFile, offset, 'vhd fixed data');
      buffer.fill(0, inFile, length);
      return;
    }
    const blockSize = this.dynamic.header.blockSize;
    let done = 0;
    while (done < length) {
      const position = offset + done;
      const blockIndex = Math.floor(position / blockSize);
      const within = position - blockIndex * blockSize;
      const piece = Math.min(blockSize - within, length - done);
      await this.readInBlock(buffer, done, blockIndex, within, piece);
      done += piece;
    }
  }

  private async readInBlock(
    buffer: Buffer, at: number, blockIndex: number, within: number, length: number,
  ): Promise<void> {
    const dynamic = this.dynamic!;
    const blockStart = blockIndex * dynamic.header.blockSize;
    const entry = await this.batEntry(blockIndex);
    if (entry === VHD_BAT_UNUSED) {
      await this.readAbsent(buffer, at, blockStart + within, length);
      return;
    }
    const dataStart = entry * VHD_SECTOR + dynamic.bitmapSize;
    const bitmap = await this.bitmap(entry);
    if (bitmap.full) {
      await this.file.readInto(buffer, at, length, dataStart + within, `vhd block ${blockIndex}`);
      return;
    }
    let position = within;
    const end = within + length;
    while (position < end) {
      const sector = Math.floor(position / VHD_SECTOR);
      const present = bitSet(bitmap.bits, sector);
      let runEnd = (sector + 1) * VHD_SECTOR;
      while (runEnd < end && bitSet(bitmap.bits, runEnd / VHD_SECTOR) === present) runEnd += VHD_SECTOR;
      runEnd = Math.min(runEnd, end);
      const target = at + (position - within);
      if (present) await this.file.readInto(buffer, target, runEnd - position, dataStart + position, `vhd block ${blockIndex}`);
      else await this.readAbsent(buffer, target, blockStart + position, runEnd - position);
      position = runEnd;
    }
  }

  /** Bytes this file does not hold: zeros, or the parent's bytes for a differencing disk. */
  private async readAbsent(buffer: Buffer, at: number, virtualOffset: number, length: number): Promise<void> {
    await readAbsentBytes(this.path, 'vhd.parent', this.type === 'differencing', this.parent, buffer, at, virtualOffset, length);
  }


  private async batEntry(blockIndex: number): Promise<number> {
    const { page, at } = await this.dynamic!.bat.locate(blockIndex);
    return page.readUInt32BE(at);
  }

  private async bitmap(entry: number): Promise<BlockBitmap> {
    const cached = this.bitmaps.get(entry);
    if (cached) return cached;
    const size = this.dynamic!.bitmapSize;
    const bits = await this.file.readAt(entry * VHD_SECTOR, size, 'vhd sector bitmap');
    const sectors = this.dynamic!.header.blockSize / VHD_SECTOR;
    let full = true;
    for (let i = 0; i < sectors / 8 && full; i += 1) if (bits[i] !== 0xff) full = false;
    const bitmap = { bits, full: full && (sectors >= 8 || (bits[0]! >> (8 - sectors)) === (0xff >> (8 - sectors))) };
    rememberBounded(this.bitmaps, entry, bitmap, BITMAP_CACHE_SIZE);
    return bitmap;
  }

  async allocationMap(): Promise<DiskRange[]> {
    if (!this.dynamic) {
      return scanFileForZeros(this.file, Math.min(this.virtualSize, this.fixedDataEnd), this.virtualSize);
    }
    return mergeLayerAllocation(await this.layerMap(), this.type === 'differencing' ? this.parent : null);
  }

  /** This file's own ranges: data (bitmap bit 1), unallocated (absent block or bit 0). */
  async layerMap(): Promise<LayerRange[]> {
    const dynamic = this.dynamic!;
    const blockSize = dynamic.header.blockSize;
    const ranges: LayerRange[] = [];
    const blocks = Math.ceil(this.virtualSize / blockSize);
    for (let index = 0; index < blocks; index += 1) {
      const start = index * blockSize;
      const size = Math.min(blockSize, this.virtualSize - start);
      const entry = await this.batEntry(index);
      if (entry === VHD_BAT_UNUSED) {
        pushLayerRange(ranges, start, size, 'unallocated');
        continue;
      }
      const bitmap = await this.bitmap(entry);
      if (bitmap.full) {
        pushLayerRange(ranges, start, size, 'data');
        continue;
      }
      for (let sector = 0; sector * VHD_SECTOR < size; sector += 1) {
        const length = Math.min(VHD_SECTOR, size - sector * VHD_SECTOR);
        pushLayerRange(ranges, start + sector * VHD_SECTOR, length, bitSet(bitmap.bits, sector) ? 'data' : 'unallocated');
      }
    }
    return ranges;
  }

  async close(): Promise<void> {
    const parent = this.parent;
    this.parent = null;
    await this.file.close();
    if (parent) await parent.close();
  }

  /** A differencing disk records its parent's unique id; a VHD parent must carry the same. */
  private checkParentIdentity(parent: VirtualDisk): void {
    const expected = this.dynamic?.header.parentUniqueId;
    if (!expected || !(parent instanceof VhdDisk) || expected.every((byte) => byte === 0)) return;
    if (!expected.equals(parent.footer.uniqueId)) {
      throw badImage(this.path, 'vhd.dynamic_header.parent_unique_id', `parent ${parent.path} has unique id ${parent.footer.uniqueId.toString('hex')}, the child expects ${expected.toString('hex')}: the parent is not the disk this child was made from`);
    }
  }
}

/** VHD bitmaps are big-endian: bit 7 of byte 0 is sector 0. */
function bitSet(bits: Buffer, sector: number): boolean {
  return ((bits[sector >> 3] ?? 0) & (0x80 >> (sector & 7))) !== 0;
}
