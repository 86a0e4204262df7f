/**
 * A hosted sparse extent (monolithicSparse, twoGbMaxExtentSparse, streamOptimized):
 * header, grain directory (loaded once; its size is bounded by the file size), grain tables
 * loaded lazily into a small LRU cache, grains read in coalesced runs. Byte layout:
 * vmdk-sparse-header.ts.
 */
import { ImageFile } from '../image-file.ts';
import { badImage, truncatedImage } from '../image-error.ts';
import type { LayerRange } from '../disk-ranges.ts';
import { recallRecent, rememberBounded } from '../bounded-cache.ts';
import type { FallbackRead, VmdkExtent } from './vmdk-extent.ts';
import { CompressedGrainReader } from './vmdk-compressed-grain.ts';
import { scanSparseLayer } from './vmdk-layer-scan.ts';
import {
  FLAG_MARKERS, FLAG_ZERO_GRAIN, GTE_UNALLOCATED, GTE_ZERO_GRAIN, MARKER_EOS, MARKER_FOOTER, MARKER_TYPE_OFFSET,
  MAX_GD_BYTES, SECTOR, VMDK_HEADER_SIZE, VMDK_SPARSE_MAGIC, gdEntryCount, isCompressedHeader, parseSparseHeader,
} from './vmdk-sparse-header.ts';
import type { SparseHeader } from './vmdk-sparse-header.ts';

/** Grain tables kept in memory per extent (512 entries = 2 KiB each). */
const GT_CACHE_ENTRIES = 64;
/** Footer block at end of a streamOptimized file: footer marker, footer header, EOS marker. */
const FOOTER_BLOCK_BYTES = 3 * SECTOR;

export type GrainState = { kind: 'unallocated' } | { kind: 'zero' } | { kind: 'data'; sector: number };

/**
 * Reads the header, following a streamOptimized footer when gdOffset is GD_AT_END. Like
 * qemu, the footer block is the last 1536 bytes of the whole sectors of the file: footer
 * marker (size 0, type 3), footer header (KDMV), end-of-stream marker (all zero, type 0).
 */
export async function readEffectiveHeader(file: ImageFile): Promise<SparseHeader> {
  const header = parseSparseHeader(file.path, await file.readAt(0, VMDK_HEADER_SIZE, 'vmdk.header'));
  if (header.gdOffset !== -1) return header;
  const end = Math.floor(file.size / SECTOR) * SECTOR;
  if (end < FOOTER_BLOCK_BYTES + VMDK_HEADER_SIZE) throw truncatedImage(file.path, 'vmdk.footer', end - FOOTER_BLOCK_BYTES, FOOTER_BLOCK_BYTES, file.size);
  const block = await file.readAt(end - FOOTER_BLOCK_BYTES, FOOTER_BLOCK_BYTES, 'vmdk.footer');
  const eos = 2 * SECTOR;
  const valid = block.readUInt32LE(8) === 0 && block.readUInt32LE(MARKER_TYPE_OFFSET) === MARKER_FOOTER
    && block.readUInt32LE(SECTOR) === VMDK_SPARSE_MAGIC
    && block.readBigUInt64LE(eos) === 0n && block.readUInt32LE(eos + 8) === 0
    && block.readUInt32LE(eos + MARKER_TYPE_OFFSET) === MARKER_EOS;
  if (!valid) throw badImage(file.path, 'vmdk.footer', 'gdOffset is GD_AT_END but the file does not end with footer marker, footer and end-of-stream marker');
  const footer = parseSparseHeader(file.path, block.subarray(SECTOR, 2 * SECTOR));
  if (footer.gdOffset === -1) throw badImage(file.path, 'vmdk.footer.gdOffset', 'the footer does not give the grain directory offset');
  return footer;
}

export class SparseExtent implements VmdkExtent {
  readonly file: ImageFile;
  readonly header: SparseHeader;
  readonly size: number;
  readonly grainBytes: number;
  readonly gd: Uint32Array;
  private readonly gtBytes: number;
  private readonly gtCache = new Map<number, Uint32Array>();
  private readonly compressed: CompressedGrainReader | null;
  readonly zeroGrains: boolean;

  private constructor(file: ImageFile, header: SparseHeader, gd: Uint32Array) {
    this.file = file;
    this.header = header;
    this.gd = gd;
    this.size = header.capacitySectors * SECTOR;
    this.grainBytes = header.grainSectors * SECTOR;
    this.gtBytes = header.gtesPerGt * 4;
    this.zeroGrains = (header.flags & FLAG_ZERO_GRAIN) !== 0;
    this.compressed = isCompressedHeader(header)
      ? new CompressedGrainReader(file, this.grainBytes, (header.flags & FLAG_MARKERS) !== 0)
      : null;
  }

  /** Opens the extent in `file` (which it then owns). */
  static async open(file: ImageFile): Promise<SparseExtent> {
    const header = await readEffectiveHeader(file);
    if (file.size < header.overheadSectors * SECTOR) {
      throw truncatedImage(file.path, 'vmdk.header.overHead', 0, header.overheadSectors * SECTOR, file.size);
    }
    const entries = gdEntryCount(header);
    const gdBytes = entries * 4;
    if (gdBytes > MAX_GD_BYTES) throw badImage(file.path, 'vmdk.header.capacity', `grain directory of ${gdBytes} bytes exceeds ${MAX_GD_BYTES}`);
    const gdPosition = header.gdOffset * SECTOR;
    if (gdPosition + gdBytes > file.size) throw truncatedImage(file.path, 'vmdk.grainDirectory', gdPosition, gdBytes, file.size);
    const raw = await file.readAt(gdPosition, gdBytes, 'vmdk.grainDirectory');
    const gd = new Uint32Array(entries);
    for (let index = 0; index < entries; index += 1) gd[index] = raw.readUInt32LE(index * 4);
    return new SparseExtent(file, header, gd);
  }

  get isCompressed(): boolean {
    return this.compressed !== null;
  }

  /** Grain table `index`, or null when its directory entry is 0. */
  async grainTable(index: number): Promise<Uint32Array | null> {
    const sector = this.gd[index] ?? 0;
    if (sector === 0) return null;
    const cached = recallRecent(this.gtCache, index);
    if (cached) return cached;
    const raw = await this.file.readAt(sector * SECTOR, this.gtBytes, `vmdk.grainTable[${index}]`);
    const table = new Uint32Array(this.header.gtesPerGt);
    for (let entry = 0; entry < table.length; entry += 1) table[entry] = raw.readUInt32LE(entry * 4);
    rememberBounded(this.gtCache, index, table, GT_CACHE_ENTRIES);
    return table;
  }

  async grainState(grain: number): Promise<GrainState> {
    const table = await this.grainTable(Math.floor(grain / this.header.gtesPerGt));
    if (!table) return { kind: 'unallocated' };
    const entry = table[grain % this.header.gtesPerGt] ?? GTE_UNALLOCATED;
    if (entry === GTE_UNALLOCATED) return { kind: 'unallocated' };
    if (entry === GTE_ZERO_GRAIN && this.zeroGrains) return { kind: 'zero' };
    return { kind: 'data', sector: entry };
  }

  async read(
    buffer: Buffer, bufferOffset: number, offset: number, length: number, fallback: FallbackRead,
  ): Promise<void> {
    const end = offset + length;
    // A pending run of contiguous same-kind pieces, flushed as one read.
    let run: { kind: 'data' | 'unallocated'; start: number; file: number; buf: number; length: number } | null = null;
    const flush = async (): Promise<void> => {
      if (!run) return;
      const current = run;
      run = null;
      if (current.kind === 'unallocated') await fallback(buffer, current.buf, current.start, current.length);
      else await this.readGrainBytes(buffer, current.buf, current.length, current.file);
    };
    let position = offset;
    while (position < end) {
      const grain = Math.floor(position / this.grainBytes);
      const inGrain = position - grain * this.grainBytes;
      const piece = Math.min(this.grainBytes - inGrain, end - position);
      const target = bufferOffset + (position - offset);
      const state = await this.grainState(grain);
      if (state.kind === 'data' && state.sector * SECTOR >= this.file.size) {
        throw truncatedImage(this.file.path, `vmdk.grain[${grain}]`, state.sector * SECTOR, this.grainBytes, this.file.size);
      }
      if (state.kind === 'zero') {
        await flush();
        buffer.fill(0, target, target + piece);
      } else if (state.kind === 'data' && this.compressed) {
        await flush();
        const data = await this.compressed.grain(grain, state.sector);
        data.copy(buffer, target, inGrain, inGrain + piece);
      } else {
        const kind = state.kind;
        const filePosition = state.kind === 'data' ? state.sector * SECTOR + inGrain : 0;
        if (run && run.kind === kind && run.buf + run.length === target && (kind === 'unallocated' || run.file + run.length === filePosition)) {
          run.length += piece;
        } else {
          await flush();
          run = { kind, start: position, file: filePosition, buf: target, length: piece };
        }
      }
      position += piece;
    }
    await flush();
  }

  /** A grain's tail past the end of the file reads as zeros (qemu); its start was checked. */
  private async readGrainBytes(buffer: Buffer, bufferOffset: number, length: number, position: number): Promise<void> {
    await this.file.readZeroFilled(buffer, bufferOffset, length, position);
  }

  async layerMap(): Promise<LayerRange[]> {
    const { file, gd, grainBytes, size, zeroGrains } = this;
    return scanSparseLayer({ file, gd, gtesPerGt: this.header.gtesPerGt, grainBytes, size, zeroGrains });
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
