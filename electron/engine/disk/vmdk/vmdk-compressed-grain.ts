/**
 * Compressed grains of streamOptimized extents. With markers (flag bit 17) a grain starts
 * with {u64 lba, u32 compressedSize} then the zlib stream; without markers the stream
 * starts at the grain sector. Inflated output is capped at the grain size (a damaged
 * stream can never allocate more), a shorter stream is zero-padded. The last few grains
 * are cached so sequential reads smaller than a grain inflate each grain once.
 */
import { inflateRawSync, inflateSync } from 'node:zlib';
import type { ImageFile } from '../image-file.ts';
import { badImage, truncatedImage } from '../image-error.ts';
import { rememberBounded } from '../bounded-cache.ts';
import { MARKER_HEADER_SIZE, SECTOR } from './vmdk-sparse-header.ts';

const GRAIN_CACHE_ENTRIES = 4;
/** Compressed data may exceed the grain a little for random data (zlib overhead). */
const COMPRESSED_SLACK = 4096;

export interface GrainMarker {
  lba: number;
  size: number;
}

export function readGrainMarker(raw: Buffer): GrainMarker {
  return { lba: Number(raw.readBigUInt64LE(0)), size: raw.readUInt32LE(8) };
}

function inflateGrain(file: string, field: string, data: Buffer, grainBytes: number): Buffer {
  let out: Buffer;
  try {
    out = inflateSync(data, { maxOutputLength: grainBytes });
  } catch (zlibError) {
    try {
      out = inflateRawSync(data, { maxOutputLength: grainBytes });
    } catch {
      const reason = zlibError instanceof Error ? zlibError.message : String(zlibError);
      throw badImage(file, field, `compressed grain does not inflate: ${reason}`);
    }
  }
  if (out.length === grainBytes) return out;
  const padded = Buffer.alloc(grainBytes);
  out.copy(padded);
  return padded;
}

export class CompressedGrainReader {
  private readonly file: ImageFile;
  private readonly grainBytes: number;
  private readonly markers: boolean;
  private readonly cache = new Map<number, Buffer>();

  constructor(file: ImageFile, grainBytes: number, markers: boolean) {
    this.file = file;
    this.grainBytes = grainBytes;
    this.markers = markers;
  }

  /** The inflated grain `grain` whose compressed data starts at `sector`. */
  async grain(grain: number, sector: number): Promise<Buffer> {
    const cached = this.cache.get(grain);
    if (cached) return cached;
    const field = `vmdk.grain[${grain}]`;
    const position = sector * SECTOR;
    const maxCompressed = this.grainBytes + COMPRESSED_SLACK;
    let data: Buffer;
    if (this.markers) {
      const marker = readGrainMarker(await this.file.readAt(position, MARKER_HEADER_SIZE, field));
      if (marker.size === 0 || marker.size > maxCompressed) {
        throw badImage(this.file.path, field, `grain marker size ${marker.size} is out of range (1-${maxCompressed})`);
      }
      data = await this.file.readAt(position + MARKER_HEADER_SIZE, marker.size, field);
    } else {
      if (position >= this.file.size) {
        throw truncatedImage(this.file.path, field, position, maxCompressed, this.file.size);
      }
      data = await this.file.readAt(position, Math.min(maxCompressed, this.file.size - position), field);
    }
    const out = inflateGrain(this.file.path, field, data, this.grainBytes);
    rememberBounded(this.cache, grain, out, GRAIN_CACHE_ENTRIES);
    return out;
  }
}
