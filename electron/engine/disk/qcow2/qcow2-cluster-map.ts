/**
 * Maps virtual ranges of a qcow2 image to extents: host-contiguous data runs (read in
 * one go), zero runs, unallocated runs (the backing file shows through) and compressed
 * clusters. L2 tables are read lazily through a bounded LRU cache.
 */
import { badImage } from '../image-error.ts';
import { pushLayerRange } from '../disk-ranges.ts';
import { Qcow2TableCache } from './qcow2-table-cache.ts';
import {
  L2_COMPRESSED_BIT_HI, L2_COPIED_BIT_HI, L2_ZERO_BIT_LO, SUBCLUSTERS_PER_CLUSTER,
  compressedLocation, entryHi, entryLo, entryOffset,
} from './qcow2-entries.ts';
import type { CompressedLocation, Qcow2UnitKind } from './qcow2-entries.ts';
import type { ImageFile } from '../image-file.ts';
import type { LayerRange } from '../disk-ranges.ts';
import type { Qcow2Header } from './qcow2-header.ts';

export interface Qcow2Extent {
  /** Virtual offset. */
  offset: number;
  length: number;
  kind: Qcow2UnitKind;
  /** data: host offset of the first byte (in the data file when there is one). */
  host: number;
  /** compressed: where the compressed cluster lies, and the virtual start of its cluster. */
  compressed?: CompressedLocation;
  clusterStart?: number;
}

export class Qcow2ClusterMap {
  private readonly file: ImageFile;
  private readonly header: Qcow2Header;
  private readonly l1: Buffer;
  private readonly l2Cache: Qcow2TableCache;
  private readonly entryBytes: number;
  private readonly entriesPerL2: number;
  private readonly l2Span: number;
  private readonly hasDataFile: boolean;

  constructor(file: ImageFile, header: Qcow2Header, l1: Buffer) {
    this.file = file;
    this.header = header;
    this.l1 = l1;
    this.entryBytes = header.extendedL2 ? 16 : 8;
    this.entriesPerL2 = header.clusterSize / this.entryBytes;
    this.l2Span = this.entriesPerL2 * header.clusterSize;
    this.l2Cache = new Qcow2TableCache(file, header.clusterSize, 'qcow2 L2 table');
    this.hasDataFile = header.dataFile !== null;
  }

  static async load(file: ImageFile, header: Qcow2Header): Promise<Qcow2ClusterMap> {
    const l1 = header.l1Size === 0 ? Buffer.alloc(0) : await file.readAt(header.l1TableOffset, header.l1Size * 8, 'qcow2 L1 table');
    return new Qcow2ClusterMap(file, header, l1);
  }

  /** The L2 table for L1 index, or null when the whole span is unallocated. */
  private async l2Table(l1Index: number): Promise<Buffer | null> {
    if (l1Index >= this.header.l1Size) return null;
    const l2Offset = entryOffset(this.l1, l1Index * 8);
    if (l2Offset === 0) return null;
    if (l2Offset % this.header.clusterSize !== 0) {
      throw badImage(this.file.path, `qcow2 L1 table entry ${l1Index}`, `L2 table offset ${l2Offset} is not aligned to the cluster size ${this.header.clusterSize}`);
    }
    return this.l2Cache.get(l2Offset, `(L1 entry ${l1Index})`);
  }

  /**
   * Calls `emit` with the extents of [offset, offset+length), merged: adjacent data
   * extents contiguous on the host, adjacent zero or unallocated extents.
   */
  async extents(offset: number, length: number, emit: (extent: Qcow2Extent) => void): Promise<void> {
    const { clusterSize } = this.header;
    const end = offset + length;
    let pending: Qcow2Extent | null = null;
    const push = (extent: Qcow2Extent): void => {
      if (pending && extent.kind !== 'compressed' && pending.kind === extent.kind && pending.offset + pending.length === extent.offset
        && (extent.kind !== 'data' || pending.host + pending.length === extent.host)) {
        pending.length += extent.length;
        return;
      }
      if (pending) emit(pending);
      pending = extent;
    };
    let position = offset;
    while (position < end) {
      const l1Index = Math.floor(position / this.l2Span);
      const spanEnd = Math.min(end, (l1Index + 1) * this.l2Span);
      const table = await this.l2Table(l1Index);
      if (!table) {
        push({ offset: position, length: spanEnd - position, kind: 'unallocated', host: 0 });
        position = spanEnd;
        continue;
      }
      while (position < spanEnd) {
        const clusterStart = Math.floor(position / clusterSize) * clusterSize;
        const clusterEnd = Math.min(spanEnd, clusterStart + clusterSize);
        const l2Index = (clusterStart / clusterSize) % this.entriesPerL2;
        this.decodeCluster(table, l2Index, l1Index, clusterStart, position, clusterEnd, push);
        position = clusterEnd;
      }
    }
    if (pending) emit(pending);
  }

  private decodeCluster(
    table: Buffer, l2Index: number, l1Index: number, clusterStart: number, from: number, to: number,
    push: (extent: Qcow2Extent) => void,
  ): void {
    const at = l2Index * this.entryBytes;
    const hi = entryHi(table, at);
    const lo = entryLo(table, at);
    const field = `qcow2 L2 entry ${l2Index} of L1 entry ${l1Index}`;
    if (hi & L2_COMPRESSED_BIT_HI) {
      if (this.hasDataFile) throw badImage(this.file.path, field, 'compressed cluster in an image with an external data file');
      const compressed = compressedLocation(table, at, this.header.clusterBits);
      push({ offset: from, length: to - from, kind: 'compressed', host: 0, compressed, clusterStart });
      return;
    }
    const host = entryOffset(table, at);
    const allocated = host !== 0 || (this.hasDataFile && (hi & L2_COPIED_BIT_HI) !== 0);
    if (allocated && host % this.header.clusterSize !== 0) {
      throw badImage(this.file.path, field, `data cluster offset ${host} is not aligned to the cluster size ${this.header.clusterSize}`);
    }
    if (!this.header.extendedL2) {
      if (lo & L2_ZERO_BIT_LO) push({ offset: from, length: to - from, kind: 'zero', host: 0 });
      else if (!allocated) push({ offset: from, length: to - from, kind: 'unallocated', host: 0 });
      else push({ offset: from, length: to - from, kind: 'data', host: host + (from - clusterStart) });
      return;
    }
    const zeroBits = table.readUInt32BE(at + 8);
    const allocBits = table.readUInt32BE(at + 12);
    const sub = this.header.clusterSize / SUBCLUSTERS_PER_CLUSTER;
    let position = from;
    while (position < to) {
      const index = Math.floor((position - clusterStart) / sub);
      const pieceEnd = Math.min(to, clusterStart + (index + 1) * sub);
      const bit = 1 << index;
      const isAlloc = (allocBits & bit) !== 0;
      const isZero = (zeroBits & bit) !== 0;
      if (isAlloc && isZero) throw badImage(this.file.path, field, `subcluster ${index} is marked both allocated and zero`);
      if (isAlloc && !allocated) throw badImage(this.file.path, field, `subcluster ${index} is allocated but its cluster has no host offset`);
      if (isZero) push({ offset: position, length: pieceEnd - position, kind: 'zero', host: 0 });
      else if (isAlloc) push({ offset: position, length: pieceEnd - position, kind: 'data', host: host + (position - clusterStart) });
      else push({ offset: position, length: pieceEnd - position, kind: 'unallocated', host: 0 });
      position = pieceEnd;
    }
  }

  /** The layer map of the whole virtual disk (this file only; parent not consulted). */
  async layerMap(): Promise<LayerRange[]> {
    const ranges: LayerRange[] = [];
    await this.extents(0, this.header.virtualSize, (extent) => {
      const state = extent.kind === 'compressed' ? 'data' : extent.kind;
      pushLayerRange(ranges, extent.offset, extent.length, state);
    });
    return ranges;
  }
}
