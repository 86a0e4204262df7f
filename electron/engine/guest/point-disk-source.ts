/**
 * A BlockSource over one disk file of a recovery point, read through the vault's chunk
 * store: a read touches only the chunks its range covers, each fetched, decoded and
 * checked against its id (ChunkStore.get) on a cache miss; all-zero chunks (holes) read as
 * zeros without touching the store. Decoded chunks live in a shared ChunkCache bounded in
 * bytes, keyed by chunk id, so identical chunks of several disks or points are read once.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { FixedIndex } from '../vault/store/index.ts';
import type { ChunkCache } from './chunk-cache.ts';
import type { BlockSource } from './guest-filesystem.ts';

/** Largest single read a guest reader may ask for (its own structures are far smaller). */
export const MAX_GUEST_READ = 64 * 1024 * 1024;

export interface ChunkLoader {
  /** Reads, decodes and checks one chunk (VaultStore.chunks.get). */
  get(id: Buffer): Promise<Buffer>;
}

export interface ReadCounters {
  /** Chunks fetched from the store (cache misses). */
  chunksRead: number;
  /** Zero chunks answered without the store. */
  zeroChunks: number;
}

export class PointDiskSource implements BlockSource {
  readonly size: number;
  readonly counters: ReadCounters = { chunksRead: 0, zeroChunks: 0 };
  private readonly index: FixedIndex;
  private readonly chunks: ChunkLoader;
  private readonly cache: ChunkCache;
  private readonly name: string;

  /** `name` says which file this is in errors ("disk.qcow2 of point P"). */
  constructor(index: FixedIndex, chunks: ChunkLoader, cache: ChunkCache, name: string) {
    this.index = index;
    this.size = index.fileSize;
    this.chunks = chunks;
    this.cache = cache;
    this.name = name;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const out = Buffer.alloc(length);
    await this.readInto(out, 0, offset, length);
    return out;
  }

  /** Reads [offset, offset + length) into `out[outOffset..]` (holes written as zeros). */
  async readInto(out: Buffer, outOffset: number, offset: number, length: number): Promise<void> {
    checkRange(this.size, offset, length, this.name);
    if (outOffset < 0 || outOffset + length > out.length) throw new RangeError(`${length} bytes do not fit at ${outOffset}`);
    const chunkSize = this.index.chunkSize;
    let position = offset;
    const end = offset + length;
    while (position < end) {
      const i = Math.floor(position / chunkSize);
      const within = position - i * chunkSize;
      const take = Math.min(end - position, this.index.chunkLength(i) - within);
      if (this.index.isZero(i)) {
        this.counters.zeroChunks += 1;
        out.fill(0, outOffset + position - offset, outOffset + position - offset + take);
      } else {
        const chunk = await this.chunk(i);
        chunk.copy(out, outOffset + position - offset, within, within + take);
      }
      position += take;
    }
  }

  private chunk(i: number): Promise<Buffer> {
    const id = this.index.idAt(i);
    const expected = this.index.chunkLength(i);
    return this.cache.get(id.toString('hex'), async () => {
      this.counters.chunksRead += 1;
      const plain = await this.chunks.get(Buffer.from(id));
      if (plain.length !== expected) {
        throw new LabvaultError(ErrorCodes.CORRUPT, `${this.name}: chunk ${id.toString('hex')} holds ${plain.length} bytes `
          + `where the point's index expects ${expected}.`, { details: { chunkId: id.toString('hex') } });
      }
      return plain;
    });
  }
}

/** Refuses reads outside [0, size) and lengths no guest structure needs. */
export function checkRange(size: number, offset: number, length: number, name: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0
    || offset + length > size) {
    throw new LabvaultError(ErrorCodes.GUEST_UNREADABLE, `A read of ${length} bytes at ${offset} lies outside ${name} `
      + `(${size} bytes): a structure inside the disk points past its end.`, { details: { offset, length, size } });
  }
  if (length > MAX_GUEST_READ) {
    throw new LabvaultError(ErrorCodes.GUEST_UNREADABLE, `A read of ${length} bytes from ${name} is larger than any guest `
      + `structure needs (limit ${MAX_GUEST_READ}).`, { details: { offset, length } });
  }
}
