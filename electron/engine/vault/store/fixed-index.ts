/**
 * FixedIndex: the ordered chunk ids of one file cut into fixed-size chunks.
 *
 * Plaintext layout (little endian), before blob compression/encryption:
 *   0  u32 chunkSize | 4 u32 reserved (0) | 8 u64 fileSize | 16 u64 chunkCount | 24 ids (32 bytes each)
 * The all-zero id marks an all-zero chunk (a hole on restore). chunkCount must equal
 * ceil(fileSize / chunkSize). The index id is the digest of this plaintext.
 */
import { DIGEST_SIZE, INDEX_CHUNK_SIZE_OFFSET, INDEX_COUNT_OFFSET, INDEX_FILE_SIZE_OFFSET, INDEX_HEADER_SIZE, INDEX_RESERVED_OFFSET } from './format-constants.ts';
import { corruptBlob } from './blob-codec.ts';

/** Ids compared at once when skipping runs of zero chunks (4 KiB of ids, 128 MiB of a file at 1 MiB chunks). */
const ZERO_BLOCK_IDS = 128;
const ZERO_BLOCK = Buffer.alloc(ZERO_BLOCK_IDS * DIGEST_SIZE);

export class FixedIndex {
  readonly chunkSize: number;
  readonly fileSize: number;
  /** chunkCount x 32 bytes. */
  private readonly ids: Buffer;

  constructor(chunkSize: number, fileSize: number, ids?: Buffer) {
    this.chunkSize = chunkSize;
    this.fileSize = fileSize;
    const count = Math.ceil(fileSize / chunkSize);
    this.ids = ids ?? Buffer.alloc(count * DIGEST_SIZE);
    if (this.ids.length !== count * DIGEST_SIZE) throw new RangeError(`FixedIndex needs ${count} ids, got ${this.ids.length / DIGEST_SIZE}`);
  }

  get chunkCount(): number {
    return this.ids.length / DIGEST_SIZE;
  }

  /** Length of chunk `i` (the last one may be short). */
  chunkLength(i: number): number {
    return Math.min(this.chunkSize, this.fileSize - i * this.chunkSize);
  }

  idAt(i: number): Buffer {
    return this.ids.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE);
  }

  setId(i: number, id: Uint8Array): void {
    this.ids.set(id.subarray(0, DIGEST_SIZE), i * DIGEST_SIZE);
  }

  isZero(i: number): boolean {
    const ids = this.ids;
    for (let at = i * DIGEST_SIZE, end = at + DIGEST_SIZE; at < end; at += 1) if (ids[at] !== 0) return false;
    return true;
  }

  private sameIdAt(other: FixedIndex, i: number): boolean {
    const [a, b] = [this.ids, other.ids];
    for (let at = i * DIGEST_SIZE, end = at + DIGEST_SIZE; at < end; at += 1) if (a[at] !== b[at]) return false;
    return true;
  }

  /**
   * Distinct non-zero chunk ids (hex). Runs of all-zero ids (the holes of a sparse disk) are
   * skipped a block at a time with one native compare, and no id is copied or sliced: a
   * verify, stats or GC walks one index per point, so this loop runs points x chunks times.
   */
  distinctIds(): Set<string> {
    const out = new Set<string>();
    const count = this.chunkCount;
    for (let block = 0; block < count; block += ZERO_BLOCK_IDS) {
      const end = Math.min(count, block + ZERO_BLOCK_IDS);
      const bytes = (end - block) * DIGEST_SIZE;
      if (this.ids.compare(ZERO_BLOCK, 0, bytes, block * DIGEST_SIZE, end * DIGEST_SIZE) === 0) continue;
      for (let i = block; i < end; i += 1) {
        if (!this.isZero(i)) out.add(this.ids.toString('hex', i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE));
      }
    }
    return out;
  }

  /**
   * The non-zero ids (hex) of this index that differ from `previous` (the same file in the
   * point before) at the same position; blocks of 128 ids equal in both are skipped with one
   * native compare. Whoever already took every id of `previous` then has every id of this
   * index: consecutive points of a big disk differ in a few chunks, so this costs a byte
   * compare per chunk instead of a string per chunk. Without a comparable `previous` (other
   * chunk count): distinctIds().
   */
  idsNotIn(previous: FixedIndex | undefined): Set<string> {
    if (previous === undefined || previous.ids.length !== this.ids.length) return this.distinctIds();
    const out = new Set<string>();
    const count = this.chunkCount;
    for (let block = 0; block < count; block += ZERO_BLOCK_IDS) {
      const end = Math.min(count, block + ZERO_BLOCK_IDS);
      const [from, to] = [block * DIGEST_SIZE, end * DIGEST_SIZE];
      if (this.ids.compare(previous.ids, from, to, from, to) === 0) continue;
      for (let i = block; i < end; i += 1) {
        if (this.sameIdAt(previous, i) || this.isZero(i)) continue;
        out.add(this.ids.toString('hex', i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE));
      }
    }
    return out;
  }

  encode(): Buffer {
    const header = Buffer.alloc(INDEX_HEADER_SIZE);
    header.writeUInt32LE(this.chunkSize, INDEX_CHUNK_SIZE_OFFSET);
    header.writeUInt32LE(0, INDEX_RESERVED_OFFSET);
    header.writeBigUInt64LE(BigInt(this.fileSize), INDEX_FILE_SIZE_OFFSET);
    header.writeBigUInt64LE(BigInt(this.chunkCount), INDEX_COUNT_OFFSET);
    return Buffer.concat([header, this.ids]);
  }

  /**
   * Decodes an index read from a vault. With `vaultChunkSize`, the index's chunk size must
   * equal it (an index read from an untrusted vault never sizes a buffer by itself).
   */
  static decode(plain: Buffer, what: string, vaultChunkSize?: number): FixedIndex {
    if (plain.length < INDEX_HEADER_SIZE) throw corruptBlob(what, 'index shorter than its header');
    const chunkSize = plain.readUInt32LE(INDEX_CHUNK_SIZE_OFFSET);
    if (vaultChunkSize !== undefined && chunkSize !== vaultChunkSize) throw corruptBlob(what, `index chunk size ${chunkSize} differs from the vault's ${vaultChunkSize}`);
    const bigFileSize = plain.readBigUInt64LE(INDEX_FILE_SIZE_OFFSET);
    const bigCount = plain.readBigUInt64LE(INDEX_COUNT_OFFSET);
    if (bigFileSize > BigInt(Number.MAX_SAFE_INTEGER) || bigCount > BigInt(Number.MAX_SAFE_INTEGER)) throw corruptBlob(what, `index header declares an impossible size (file size ${bigFileSize}, ${bigCount} chunks)`);
    const fileSize = Number(bigFileSize);
    const count = Number(bigCount);
    if (chunkSize === 0 || count !== Math.ceil(fileSize / chunkSize)) throw corruptBlob(what, `index header inconsistent (chunk size ${chunkSize}, file size ${fileSize}, ${count} chunks)`);
    if (plain.length !== INDEX_HEADER_SIZE + count * DIGEST_SIZE) throw corruptBlob(what, `index has ${plain.length} bytes, expected ${INDEX_HEADER_SIZE + count * DIGEST_SIZE}`);
    return new FixedIndex(chunkSize, fileSize, Buffer.from(plain.subarray(INDEX_HEADER_SIZE)));
  }
}
