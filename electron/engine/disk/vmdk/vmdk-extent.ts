/**
 * One extent of a VMDK disk: a run of virtual sectors stored in a FLAT/VMFS file, a
 * SPARSE (hosted sparse / streamOptimized) file, or nothing (ZERO). The disk maps each
 * virtual range to its extent; an extent reads its own part and, for unallocated grains,
 * asks `fallback` (the parent disk) to fill the bytes.
 */
import { ImageFile } from '../image-file.ts';
import { pushLayerRange } from '../disk-ranges.ts';
import type { LayerRange } from '../disk-ranges.ts';
import { SECTOR } from './vmdk-sparse-header.ts';

/** Fills buffer[bufferOffset..+length) with virtual bytes at extent offset `offset` from the parent. */
export type FallbackRead = (buffer: Buffer, bufferOffset: number, offset: number, length: number) => Promise<void>;

export interface VmdkExtent {
  /** Extent size in bytes. */
  readonly size: number;
  /** The file holding this extent, null for ZERO. */
  readonly file: ImageFile | null;
  /** Sparse extents: grain size in bytes. */
  readonly grainBytes: number | null;
  read(buffer: Buffer, bufferOffset: number, offset: number, length: number, fallback: FallbackRead): Promise<void>;
  /** Layer ranges relative to the start of the extent. */
  layerMap(): Promise<LayerRange[]>;
  close(): Promise<void>;
}

/** FLAT or VMFS extent: a raw file from `startByte`; bytes past its end read as zeros (as qemu). */
export class FlatExtent implements VmdkExtent {
  readonly size: number;
  readonly file: ImageFile;
  readonly grainBytes = null;
  private readonly startByte: number;

  constructor(file: ImageFile, sectors: number, offsetSectors: number) {
    this.file = file;
    this.size = sectors * SECTOR;
    this.startByte = offsetSectors * SECTOR;
  }

  async read(buffer: Buffer, bufferOffset: number, offset: number, length: number): Promise<void> {
    await this.file.readZeroFilled(buffer, bufferOffset, length, this.startByte + offset);
  }

  async layerMap(): Promise<LayerRange[]> {
    const ranges: LayerRange[] = [];
    pushLayerRange(ranges, 0, this.size, 'data');
    return ranges;
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

/** ZERO extent: no file, reads as zeros and masks the parent. */
export class ZeroExtent implements VmdkExtent {
  readonly size: number;
  readonly file = null;
  readonly grainBytes = null;

  constructor(sectors: number) {
    this.size = sectors * SECTOR;
  }

  async read(buffer: Buffer, bufferOffset: number, _offset: number, length: number): Promise<void> {
    buffer.fill(0, bufferOffset, bufferOffset + length);
  }

  async layerMap(): Promise<LayerRange[]> {
    const ranges: LayerRange[] = [];
    pushLayerRange(ranges, 0, this.size, 'zero');
    return ranges;
  }

  async close(): Promise<void> {}
}
