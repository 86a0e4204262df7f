/**
 * The VMDK hosted sparse extent header (VMware "SparseExtentHeader", version 1-3), 512
 * bytes at offset 0 of every sparse extent file. All integers little-endian; sector = 512.
 *
 * | field               | offset | size | meaning                                              |
 * |---------------------|--------|------|------------------------------------------------------|
 * | magicNumber         | 0      | 4    | 'KDMV' (0x564d444b)                                  |
 * | version             | 4      | 4    | 0-3 (3: streamOptimized or changed-block tracking)   |
 * | flags               | 8      | 4    | bit0 newline test, bit1 redundant GD, bit2 zero GTE, |
 * |                     |        |      | bit16 compressed grains, bit17 markers               |
 * | capacity            | 12     | 8    | extent size in sectors                               |
 * | grainSize           | 20     | 8    | grain size in sectors (VMware: power of two)         |
 * | descriptorOffset    | 28     | 8    | embedded descriptor, sectors (0: none)               |
 * | descriptorSize      | 36     | 8    | embedded descriptor, sectors                         |
 * | numGTEsPerGT        | 44     | 4    | entries per grain table (512)                        |
 * | rgdOffset           | 48     | 8    | redundant grain directory, sectors                   |
 * | gdOffset            | 56     | 8    | grain directory, sectors; ~0 = GD_AT_END (footer)    |
 * | overHead            | 64     | 8    | sectors of metadata before the first grain           |
 * | uncleanShutdown     | 72     | 1    |                                                      |
 * | newline test chars  | 73     | 4    | '\n', ' ', '\r', '\n'                                |
 * | compressAlgorithm   | 77     | 2    | 0 none, 1 deflate (zlib); decides compression (qemu) |
 *
 * Grain directory (GD): u32 sector offsets of grain tables, ceil(capacity / (grainSize *
 * numGTEsPerGT)) entries; 0 = table absent. Grain table (GT): numGTEsPerGT u32 grain
 * sector offsets; 0 = unallocated (read the parent), 1 = zero grain (when zero grains are
 * enabled). streamOptimized grains start with a 12-byte marker {u64 lba, u32 size} then
 * `size` bytes of zlib data; metadata markers have size 0 and a u32 type at 12
 * (0 EOS, 1 GT, 2 GD, 3 footer). With gdOffset = GD_AT_END the file ends with
 * footer marker, footer (a copy of this header with the real gdOffset), EOS marker.
 */
import { badImage, unsupportedImage } from '../image-error.ts';

export const SECTOR = 512;
export const VMDK_SPARSE_MAGIC = 0x564d444b; // 'KDMV' read as u32 LE
export const VMDK3_COWD_MAGIC = 0x44574f43; // 'COWD' (VMware 3 / ESX sparse), not read
export const VMDK_HEADER_SIZE = 512;

const HDR_MAGIC = 0;
const HDR_VERSION = 4;
const HDR_FLAGS = 8;
const HDR_CAPACITY = 12;
const HDR_GRAIN_SIZE = 20;
const HDR_DESCRIPTOR_OFFSET = 28;
const HDR_DESCRIPTOR_SIZE = 36;
const HDR_GTES_PER_GT = 44;
const HDR_RGD_OFFSET = 48;
const HDR_GD_OFFSET = 56;
const HDR_OVERHEAD = 64;
const HDR_UNCLEAN_SHUTDOWN = 72;
const HDR_NEWLINE_CHARS = 73;
const HDR_COMPRESS_ALGORITHM = 77;

export const FLAG_NEWLINE_TEST = 1 << 0;
export const FLAG_REDUNDANT_GD = 1 << 1;
export const FLAG_ZERO_GRAIN = 1 << 2;
export const FLAG_COMPRESSED = 1 << 16;
export const FLAG_MARKERS = 1 << 17;

export const COMPRESS_NONE = 0;
export const COMPRESS_DEFLATE = 1;

/** gdOffset value meaning "the grain directory location is in the footer". */
export const GD_AT_END = 0xffffffffffffffffn;
export const GTE_UNALLOCATED = 0;
export const GTE_ZERO_GRAIN = 1;

export const MARKER_EOS = 0;
export const MARKER_GT = 1;
export const MARKER_GD = 2;
export const MARKER_FOOTER = 3;
/** {u64 lba/value, u32 size} in front of every grain or metadata block. */
export const MARKER_HEADER_SIZE = 12;
export const MARKER_TYPE_OFFSET = 12;

/** Sane limits (qemu's own limits where it has them). */
const MAX_GRAIN_SECTORS = 0x200000; // 1 GiB grains: qemu's "invalid granularity"
const MAX_COMPRESSED_GRAIN_BYTES = 16 * 1024 * 1024;
const MAX_GTES_PER_GT = 4096;
export const MAX_GD_BYTES = 64 * 1024 * 1024;
/** 2^53 bytes: offsets stay exact JavaScript numbers. */
const MAX_CAPACITY_SECTORS = 2 ** 44;

export interface SparseHeader {
  version: number;
  flags: number;
  capacitySectors: number;
  grainSectors: number;
  descriptorOffset: number;
  descriptorSize: number;
  gtesPerGt: number;
  rgdOffset: number;
  /** Sectors; -1 when the header says GD_AT_END. */
  gdOffset: number;
  overheadSectors: number;
  compressAlgorithm: number;
}

function readU64(buffer: Buffer, offset: number): bigint {
  return buffer.readBigUInt64LE(offset);
}

function sectorsField(file: string, buffer: Buffer, offset: number, field: string, max: number): number {
  const value = readU64(buffer, offset);
  if (value > BigInt(max)) throw badImage(file, field, `value ${value} is out of range (max ${max})`);
  return Number(value);
}

/** Parses and range-checks a sparse header (`buffer` is at least 512 bytes at offset 0). */
export function parseSparseHeader(file: string, buffer: Buffer): SparseHeader {
  if (buffer.length < VMDK_HEADER_SIZE) throw badImage(file, 'vmdk.header', 'file is shorter than the 512-byte sparse header');
  const magic = buffer.readUInt32LE(HDR_MAGIC);
  if (magic === VMDK3_COWD_MAGIC) throw unsupportedImage(file, 'vmdk.header.magicNumber', 'VMware 3 / ESX COWD sparse extents are not supported');
  if (magic !== VMDK_SPARSE_MAGIC) throw badImage(file, 'vmdk.header.magicNumber', `bad magic 0x${magic.toString(16)} (expected KDMV)`);
  const version = buffer.readUInt32LE(HDR_VERSION);
  if (version > 3) throw unsupportedImage(file, 'vmdk.header.version', `sparse extent version ${version} is not supported (1-3)`);
  const flags = buffer.readUInt32LE(HDR_FLAGS);
  const capacitySectors = sectorsField(file, buffer, HDR_CAPACITY, 'vmdk.header.capacity', MAX_CAPACITY_SECTORS);
  // Like qemu: any grain size from 1 sector up to 1 GiB (VMware writes powers of two).
  const grainSectors = sectorsField(file, buffer, HDR_GRAIN_SIZE, 'vmdk.header.grainSize', MAX_GRAIN_SECTORS);
  if (grainSectors < 1) throw badImage(file, 'vmdk.header.grainSize', 'grain size is 0 sectors');
  const gtesPerGt = buffer.readUInt32LE(HDR_GTES_PER_GT);
  if (gtesPerGt < 1 || gtesPerGt > MAX_GTES_PER_GT) {
    throw badImage(file, 'vmdk.header.numGTEsPerGT', `${gtesPerGt} entries per grain table is out of range (1-${MAX_GTES_PER_GT})`);
  }
  const compressAlgorithm = buffer.readUInt16LE(HDR_COMPRESS_ALGORITHM);
  if (compressAlgorithm === COMPRESS_DEFLATE && grainSectors * SECTOR > MAX_COMPRESSED_GRAIN_BYTES) {
    throw badImage(file, 'vmdk.header.grainSize', `compressed grains of ${grainSectors * SECTOR} bytes exceed ${MAX_COMPRESSED_GRAIN_BYTES}`);
  }
  const rawGd = readU64(buffer, HDR_GD_OFFSET);
  const gdOffset = rawGd === GD_AT_END ? -1 : sectorsField(file, buffer, HDR_GD_OFFSET, 'vmdk.header.gdOffset', MAX_CAPACITY_SECTORS);
  return {
    version,
    flags,
    capacitySectors,
    grainSectors,
    descriptorOffset: sectorsField(file, buffer, HDR_DESCRIPTOR_OFFSET, 'vmdk.header.descriptorOffset', MAX_CAPACITY_SECTORS),
    descriptorSize: sectorsField(file, buffer, HDR_DESCRIPTOR_SIZE, 'vmdk.header.descriptorSize', MAX_CAPACITY_SECTORS),
    gtesPerGt,
    rgdOffset: sectorsField(file, buffer, HDR_RGD_OFFSET, 'vmdk.header.rgdOffset', MAX_CAPACITY_SECTORS),
    gdOffset,
    overheadSectors: sectorsField(file, buffer, HDR_OVERHEAD, 'vmdk.header.overHead', MAX_CAPACITY_SECTORS),
    compressAlgorithm,
  };
}

/** Like qemu, grains are compressed when the algorithm is deflate, whatever flag bit 16 says. */
export function isCompressedHeader(header: SparseHeader): boolean {
  return header.compressAlgorithm === COMPRESS_DEFLATE;
}

/** Number of grain directory entries for a header. */
export function gdEntryCount(header: SparseHeader): number {
  const sectorsPerGt = header.grainSectors * header.gtesPerGt;
  return Math.ceil(header.capacitySectors / sectorsPerGt);
}

/** Serialises a header for the writers (version 1 sparse or version 3 streamOptimized). */
export function serializeSparseHeader(header: SparseHeader): Buffer {
  const buffer = Buffer.alloc(VMDK_HEADER_SIZE);
  buffer.writeUInt32LE(VMDK_SPARSE_MAGIC, HDR_MAGIC);
  buffer.writeUInt32LE(header.version, HDR_VERSION);
  buffer.writeUInt32LE(header.flags >>> 0, HDR_FLAGS);
  buffer.writeBigUInt64LE(BigInt(header.capacitySectors), HDR_CAPACITY);
  buffer.writeBigUInt64LE(BigInt(header.grainSectors), HDR_GRAIN_SIZE);
  buffer.writeBigUInt64LE(BigInt(header.descriptorOffset), HDR_DESCRIPTOR_OFFSET);
  buffer.writeBigUInt64LE(BigInt(header.descriptorSize), HDR_DESCRIPTOR_SIZE);
  buffer.writeUInt32LE(header.gtesPerGt, HDR_GTES_PER_GT);
  buffer.writeBigUInt64LE(BigInt(header.rgdOffset), HDR_RGD_OFFSET);
  buffer.writeBigUInt64LE(header.gdOffset < 0 ? GD_AT_END : BigInt(header.gdOffset), HDR_GD_OFFSET);
  buffer.writeBigUInt64LE(BigInt(header.overheadSectors), HDR_OVERHEAD);
  buffer.writeUInt8(0, HDR_UNCLEAN_SHUTDOWN);
  Buffer.from('\n \r\n', 'latin1').copy(buffer, HDR_NEWLINE_CHARS);
  buffer.writeUInt16LE(header.compressAlgorithm, HDR_COMPRESS_ALGORITHM);
  return buffer;
}
