/**
 * Reads a VHDX (fixed, dynamic or differencing) as a VirtualDisk. Byte layouts in
 * vhdx-layout.ts and vhdx-metadata.ts.
 *
 * Payload block states:
 *   FULLY_PRESENT      data at the BAT entry's file offset
 *   PARTIALLY_PRESENT  per-sector: the chunk's sector bitmap bit 1 = this file, 0 = parent
 *   NOT_PRESENT, UNDEFINED  the parent's data in a differencing disk, else zeros
 *   ZERO, UNMAPPED     zeros
 * Adjacent FULLY_PRESENT blocks that are also adjacent in the file are read with one read.
 */
import type { ImageFile } from '../image-file.ts';
import { badImage } from '../image-error.ts';
import { pushLayerRange } from '../disk-ranges.ts';
import { mergeLayerAllocation, openVerifiedParent, readAbsentBytes } from '../differencing-layer.ts';
import { rememberBounded } from '../bounded-cache.ts';
import type { LayerRange, LayerState } from '../disk-ranges.ts';
import type { DiskRange, VirtualDisk } from '../virtual-disk.ts';
import { openerOf } from '../disk-format-module.ts';
import type { OpenContext } from '../disk-format-module.ts';
import type { PositionedReader } from '../table-pages.ts';
import { chooseParentPath } from '../parent-path.ts';
import type { ChosenParent } from '../parent-path.ts';
import { guidText, parseGuidText } from './vhdx-guid.ts';
import {
  BITMAP_PRESENT, PAYLOAD_FULLY_PRESENT, PAYLOAD_NOT_PRESENT, PAYLOAD_PARTIALLY_PRESENT, PAYLOAD_UNDEFINED,
  PAYLOAD_UNMAPPED, PAYLOAD_ZERO, bitmapEntryIndex, decodeBatEntry, payloadEntryIndex,
} from './vhdx-layout.ts';
import { readVhdxStructure } from './vhdx-structure.ts';
import { ContiguousRun } from './contiguous-run.ts';
import type { VhdxStructure } from './vhdx-structure.ts';

/** Sector bitmaps of partially present blocks kept in memory. */
const BITMAP_CACHE_SIZE = 16;
/** Parent locator keys tried in order. */
const VHDX_PARENT_PATH_KEYS = ['relative_path', 'volume_path', 'absolute_win32_path'] as const;

export interface VhdxOpenOptions {
  ctx?: OpenContext;
  /** Parse only (for `info`): do not open the parent. */
  skipParent?: boolean;
}

type BlockKind = 'data' | 'partial' | 'absent' | 'zero';

interface BlockLocation {
  kind: BlockKind;
  fileOffset: number;
}

export class VhdxDisk implements VirtualDisk {
  readonly format = 'vhdx' as const;
  readonly path: string;
  readonly virtualSize: number;
  readonly structure: VhdxStructure;
  /** Parent of a differencing disk: local path chosen and path as recorded (null otherwise). */
  readonly parentLink: ChosenParent | null;
  readonly fileSize: number;
  private readonly file: ImageFile;
  private readonly reader: PositionedReader;
  private parent: VirtualDisk | null = null;
  private readonly bitmaps = new Map<number, Buffer>();

  private constructor(file: ImageFile, structure: VhdxStructure, parentLink: ChosenParent | null) {
    this.file = file;
    this.reader = structure.reader;
    this.path = file.path;
    this.fileSize = file.size;
    this.structure = structure;
    this.virtualSize = structure.metadata.virtualSize;
    this.parentLink = parentLink;
  }

  static async open(path: string, options: VhdxOpenOptions = {}): Promise<VhdxDisk> {
    const opener = openerOf(options.ctx);
    const file = await opener.open(path);
    try {
      const structure = await readVhdxStructure(file);
      let parentLink: ChosenParent | null = null;
      if (structure.metadata.hasParent) {
        const locator = structure.metadata.parentLocator;
        const recorded = VHDX_PARENT_PATH_KEYS.map((key) => locator.get(key))
          .filter((value): value is string => value !== undefined);
        parentLink = await chooseParentPath(recorded, path, opener);
        if (parentLink === null) throw badImage(path, 'vhdx.metadata.parent_locator', 'differencing disk records no parent path (relative_path, volume_path, absolute_win32_path)');
      }
      const disk = new VhdxDisk(file, structure, parentLink);
      if (parentLink !== null && !options.skipParent) {
        disk.parent = await openVerifiedParent(options.ctx, path, 'vhdx.parent', parentLink.path, 'vhdx', (parent) => disk.checkParentLinkage(parent));
      }
      return disk;
    } catch (error) {
      await file.close().catch(() => undefined);
      throw error;
    }
  }

  get blockSize(): number {
    return this.structure.metadata.blockSize;
  }

  /** Bytes of the virtual disk this file holds (present blocks, clipped to the size). */
  get allocatedBytes(): number {
    return Math.min(this.virtualSize, this.structure.presentBlocks * this.blockSize);
  }

  /** The data write guid a child's parent_linkage must name. */
  get dataWriteGuid(): string {
    return guidText(this.structure.header.dataWriteGuid);
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<void> {
    if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > this.virtualSize) {
      throw badImage(this.path, 'read range', `bytes [${offset}, ${offset + length}) lie past the virtual size ${this.virtualSize}`);
    }
    const blockSize = this.blockSize;
    const run = new ContiguousRun(this.reader, buffer);
    let done = 0;
    while (done < length) {
      const position = offset + done;
      const block = Math.floor(position / blockSize);
      const within = position - block * blockSize;
      const piece = Math.min(blockSize - within, length - done);
      const location = await this.locate(block);
      if (location.kind === 'data') {
        await run.add(done, location.fileOffset + within, piece);
      } else {
        await run.flush();
        if (location.kind === 'zero') buffer.fill(0, done, done + piece);
        else if (location.kind === 'absent') await this.readAbsent(buffer, done, position, piece);
        else await this.readPartial(buffer, done, block, location.fileOffset, within, piece);
      }
      done += piece;
    }
    await run.flush();
  }

  private async locate(block: number): Promise<BlockLocation> {
    const index = payloadEntryIndex(block, this.structure.chunkRatio);
    const { page, at } = await this.structure.bat.locate(index);
    const { state, offset } = decodeBatEntry(page, at);
    switch (state) {
      case PAYLOAD_FULLY_PRESENT: return { kind: 'data', fileOffset: offset };
      case PAYLOAD_PARTIALLY_PRESENT: return { kind: 'partial', fileOffset: offset };
      case PAYLOAD_NOT_PRESENT:
      case PAYLOAD_UNDEFINED: return { kind: 'absent', fileOffset: 0 };
      case PAYLOAD_ZERO:
      case PAYLOAD_UNMAPPED: return { kind: 'zero', fileOffset: 0 };
      default: throw badImage(this.path, `vhdx.bat[${index}].state`, `unknown payload block state ${state}`);
    }
  }

  private async readAbsent(buffer: Buffer, at: number, virtualOffset: number, length: number): Promise<void> {
    await readAbsentBytes(this.path, 'vhdx.parent', this.structure.metadata.hasParent, this.parent, buffer, at, virtualOffset, length);
  }


  private async readPartial(
    buffer: Buffer, at: number, block: number, fileOffset: number, within: number, length: number,
  ): Promise<void> {
    const bits = await this.blockBitmap(block);
    const sector = this.structure.metadata.logicalSectorSize;
    const blockStart = block * this.blockSize;
    let position = within;
    const end = within + length;
    while (position < end) {
      const first = Math.floor(position / sector);
      const present = bitSet(bits, first);
      let runEnd = (first + 1) * sector;
      while (runEnd < end && bitSet(bits, runEnd / sector) === present) runEnd += sector;
      runEnd = Math.min(runEnd, end);
      const target = at + (position - within);
      if (present) await this.reader.readInto(buffer, target, runEnd - position, fileOffset + position, `vhdx block ${block}`);
      else await this.readAbsent(buffer, target, blockStart + position, runEnd - position);
      position = runEnd;
    }
  }

  /** The slice of the chunk's sector bitmap that covers `block` (one bit per logical sector). */
  private async blockBitmap(block: number): Promise<Buffer> {
    const cached = this.bitmaps.get(block);
    if (cached) return cached;
    const { chunkRatio, metadata } = this.structure;
    const chunk = Math.floor(block / chunkRatio);
    const index = bitmapEntryIndex(chunk, chunkRatio);
    if (index >= this.structure.bat.entryCount) throw badImage(this.path, `vhdx.bat[${index}]`, 'partially present block without a sector bitmap entry');
    const { page, at } = await this.structure.bat.locate(index);
    const { state, offset } = decodeBatEntry(page, at);
    if (state !== BITMAP_PRESENT) throw badImage(this.path, `vhdx.bat[${index}].state`, `block ${block} is partially present but its sector bitmap is not (state ${state})`);
    const sectorsPerBlock = this.blockSize / metadata.logicalSectorSize;
    const bytes = sectorsPerBlock / 8;
    const bits = await this.reader.readAt(offset + (block % chunkRatio) * bytes, bytes, `vhdx sector bitmap of chunk ${chunk}`);
    rememberBounded(this.bitmaps, block, bits, BITMAP_CACHE_SIZE);
    return bits;
  }

  async allocationMap(): Promise<DiskRange[]> {
    return mergeLayerAllocation(await this.layerMap(), this.parent);
  }

  /** This file's own ranges: data, zero (ZERO/UNMAPPED), unallocated (from the parent). */
  async layerMap(): Promise<LayerRange[]> {
    const ranges: LayerRange[] = [];
    const blockSize = this.blockSize;
    const absent: LayerState = this.structure.metadata.hasParent ? 'unallocated' : 'zero';
    for (let block = 0; block < this.structure.dataBlocks; block += 1) {
      const start = block * blockSize;
      const size = Math.min(blockSize, this.virtualSize - start);
      const location = await this.locate(block);
      if (location.kind === 'data') pushLayerRange(ranges, start, size, 'data');
      else if (location.kind === 'zero') pushLayerRange(ranges, start, size, 'zero');
      else if (location.kind === 'absent') pushLayerRange(ranges, start, size, absent);
      else {
        const bits = await this.blockBitmap(block);
        const sector = this.structure.metadata.logicalSectorSize;
        for (let s = 0; s * sector < size; s += 1) {
          pushLayerRange(ranges, start + s * sector, Math.min(sector, size - s * sector), bitSet(bits, s) ? 'data' : absent);
        }
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

  /** parent_linkage names the parent's data write guid; a VHDX parent must match it. */
  private checkParentLinkage(parent: VirtualDisk): void {
    if (!(parent instanceof VhdxDisk)) return;
    const locator = this.structure.metadata.parentLocator;
    const linkages = ['parent_linkage', 'parent_linkage2'].map((key) => locator.get(key)).filter((value): value is string => value !== undefined);
    if (linkages.length === 0) return;
    const actual = parent.structure.header.dataWriteGuid;
    if (linkages.some((text) => parseGuidText(text)?.equals(actual))) return;
    throw badImage(this.path, 'vhdx.metadata.parent_locator.parent_linkage', `parent ${parent.path} has data write guid {${parent.dataWriteGuid}}, the child expects ${linkages[0]}: the parent changed after this child was created`);
  }
}

/** VHDX bitmaps: bit (n % 8) of byte n / 8 is sector n. */
function bitSet(bits: Buffer, sector: number): boolean {
  return ((bits[sector >> 3] ?? 0) & (1 << (sector & 7))) !== 0;
}
