/**
 * qcow2 L1 and L2 table entries (64-bit big-endian), decoded without BigInt on the hot
 * path by reading each entry as two 32-bit halves.
 *
 * L1 entry:  bits 9-55 host offset of an L2 table (cluster aligned, 0 = none);
 *            bit 63 "copied" (refcount is exactly 1).
 * L2 entry, standard cluster:
 *            bit 0 reads as zeros (v3); bits 9-55 host cluster offset (0 = unallocated,
 *            except with an external data file and bit 63 set); bit 62 = 0; bit 63 copied.
 * L2 entry, compressed cluster (bit 62 set), x = 62 - (cluster_bits - 8):
 *            bits 0..x-1 host byte offset of the compressed data;
 *            bits x..61 number of additional 512-byte sectors it spans.
 *            Compressed size = (sectors + 1) * 512 - (host offset % 512).
 * Extended L2 (incompatible bit 4): each entry is 128 bits, the standard 64 bits then a
 *            subcluster bitmap: bits 0-31 "allocated", bits 32-63 "reads as zeros",
 *            one bit per 1/32 of the cluster.
 */
export const L2_COMPRESSED_BIT_HI = 0x40000000;
export const L2_COPIED_BIT_HI = 0x80000000;
export const L2_ZERO_BIT_LO = 0x1;
const OFFSET_MASK_HI = 0x00ffffff;
const OFFSET_MASK_LO = 0xfffffe00;
export const L2_RESERVED_MASK_HI = 0x3f000000;
export const L2_RESERVED_MASK_LO = 0x1fe;
export const L1_RESERVED_MASK_HI = 0x7f000000;
export const L1_RESERVED_MASK_LO = 0x1ff;
export const SUBCLUSTERS_PER_CLUSTER = 32;
const COMPRESSED_SECTOR = 512;
const TWO_32 = 2 ** 32;

/** Bits 9-55 of an entry as a byte offset. */
export function entryOffset(table: Buffer, at: number): number {
  const hi = table.readUInt32BE(at) & OFFSET_MASK_HI;
  const lo = (table.readUInt32BE(at + 4) & OFFSET_MASK_LO) >>> 0;
  return hi * TWO_32 + lo;
}

export function entryHi(table: Buffer, at: number): number {
  return table.readUInt32BE(at);
}

export function entryLo(table: Buffer, at: number): number {
  return table.readUInt32BE(at + 4);
}

export interface CompressedLocation {
  hostOffset: number;
  size: number;
}

/** Decodes a compressed cluster descriptor. */
export function compressedLocation(table: Buffer, at: number, clusterBits: number): CompressedLocation {
  const entry = table.readBigUInt64BE(at);
  const shift = BigInt(62 - (clusterBits - 8));
  const offsetMask = (1n << shift) - 1n;
  const sectorMask = (1n << BigInt(clusterBits - 8)) - 1n;
  const hostOffset = Number(entry & offsetMask);
  const sectors = Number((entry >> shift) & sectorMask) + 1;
  return { hostOffset, size: sectors * COMPRESSED_SECTOR - (hostOffset % COMPRESSED_SECTOR) };
}

/** The state of one cluster (or subcluster) of a qcow2 layer. */
export type Qcow2UnitKind = 'data' | 'zero' | 'unallocated' | 'compressed';
