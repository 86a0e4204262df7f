/**
 * VHDX on-disk layout (MS-VHDX v1). All integers little-endian; every checksum is CRC-32C
 * of the structure with its checksum field as zero.
 *
 * File identifier, at 0 (64 KiB):      signature "vhdxfile" 0/8, creator UTF-16LE 8/512
 * Headers at 64 KiB and 128 KiB (4 KiB each; the valid one with the higher sequence
 * number is current; equal sequence numbers only when both headers are byte-identical):
 *   signature "head" 0/4, checksum 4/4 (over 4 KiB), sequence number 8/8,
 *   file write guid 16/16, data write guid 32/16, log guid 48/16 (zero = no log to replay),
 *   log version 64/2 (0), version 66/2 (1), log length 68/4, log offset 72/8
 * Region tables at 192 KiB and 256 KiB (64 KiB each):
 *   signature "regi" 0/4, checksum 4/4 (over 64 KiB), entry count 8/4 (<= 2047)
 *   entries from 16, 32 bytes: guid 0/16, file offset 16/8, length 24/4, flags 28/4 (bit 0 required)
 * Metadata region (the metadata region entry's offset), table at its start:
 *   signature "metadata" 0/8, entry count 10/2 (<= 2047)
 *   entries from 32, 32 bytes: item id 0/16, offset 16/4 (from region start), length 20/4,
 *   flags 24/4 (bit 0 user, bit 1 virtual disk, bit 2 required)
 *   items: file parameters (block size 0/4, flags 4/4: bit 0 leave blocks allocated,
 *   bit 1 has parent), virtual disk size 0/8, logical sector size 0/4, physical sector
 *   size 0/4, page 83 data 0/16, parent locator (see vhdx-metadata.ts)
 * BAT (the BAT region entry's offset): 64-bit entries, state bits 0-2, file offset in MiB
 * in bits 20-63. Per chunk of `chunk ratio` payload entries, one sector bitmap entry:
 *   chunk ratio = 2^23 * logical sector size / block size
 *   payload block i is entry i + floor(i / chunk ratio); bitmap of chunk c is entry
 *   c * (chunk ratio + 1) + chunk ratio. A sector bitmap block is 1 MiB, bit (n % 8) of
 *   byte n / 8 set when sector n of the chunk is present in this file.
 */

export const KiB = 1024;
export const MiB = 1024 * 1024;

export const VHDX_SIGNATURE = 'vhdxfile';
export const VHDX_CREATOR_OFFSET = 8;
export const VHDX_HEADER_OFFSETS = [64 * KiB, 128 * KiB] as const;
export const VHDX_HEADER_SIZE = 4 * KiB;
export const VHDX_HEADER_SIGNATURE = 'head';
export const VHDX_REGION_TABLE_OFFSETS = [192 * KiB, 256 * KiB] as const;
export const VHDX_REGION_TABLE_SIZE = 64 * KiB;
export const VHDX_REGION_SIGNATURE = 'regi';
export const VHDX_METADATA_SIGNATURE = 'metadata';
export const VHDX_METADATA_TABLE_SIZE = 64 * KiB;
export const VHDX_MAX_TABLE_ENTRIES = 2047;
/** Structures (regions, log, blocks) are placed on 1 MiB boundaries. */
export const VHDX_ALIGNMENT = MiB;
export const VHDX_SECTOR_BITMAP_BLOCK = MiB;
export const VHDX_MAX_VIRTUAL_SIZE = 64 * 1024 * 1024 * MiB;
export const VHDX_MIN_BLOCK_SIZE = MiB;
export const VHDX_MAX_BLOCK_SIZE = 256 * MiB;
/** 2^23 sectors are described by one sector bitmap block. */
const VHDX_SECTORS_PER_BITMAP = 2 ** 23;

export const HEADER_CHECKSUM = 4;
export const HEADER_SEQUENCE = 8;
export const HEADER_FILE_WRITE_GUID = 16;
export const HEADER_DATA_WRITE_GUID = 32;
const HEADER_LOG_GUID = 48;
const HEADER_LOG_VERSION = 64;
export const HEADER_VERSION = 66;
export const HEADER_LOG_LENGTH = 68;
export const HEADER_LOG_OFFSET = 72;

export const REGION_CHECKSUM = 4;
export const REGION_ENTRY_COUNT = 8;
export const REGION_ENTRIES = 16;
export const REGION_ENTRY_SIZE = 32;

export const METADATA_ENTRY_COUNT = 10;
export const METADATA_ENTRIES = 32;
export const METADATA_ENTRY_SIZE = 32;
export const METADATA_FLAG_VIRTUAL_DISK = 2;
export const METADATA_FLAG_REQUIRED = 4;

export const FILE_PARAMS_LEAVE_ALLOCATED = 1;
export const FILE_PARAMS_HAS_PARENT = 2;

export const GUID_BAT_REGION = '2DC27766-F623-4200-9D64-115E9BFD4A08';
export const GUID_METADATA_REGION = '8B7CA206-4790-4B9A-B8FE-575F050F886E';
export const GUID_FILE_PARAMETERS = 'CAA16737-FA36-4D43-B3B6-33F0AA44E76B';
export const GUID_VIRTUAL_DISK_SIZE = '2FA54224-CD1B-4876-B211-5DBED83BF4B8';
export const GUID_PAGE83_DATA = 'BECA12AB-B2E6-4523-93EF-C309E000C746';
export const GUID_LOGICAL_SECTOR_SIZE = '8141BF1D-A96F-4709-BA47-F233A8FAAB5F';
export const GUID_PHYSICAL_SECTOR_SIZE = 'CDA348C7-445D-4471-9CC9-E9885251C556';
export const GUID_PARENT_LOCATOR = 'A8D35F2D-B30B-454D-ABF7-D3D84834AB0C';
export const GUID_VHDX_PARENT_LOCATOR_TYPE = 'B04AEFB7-D19E-4A81-B789-25B8E9445913';

/** Payload block states (BAT entry bits 0-2). */
export const PAYLOAD_NOT_PRESENT = 0;
export const PAYLOAD_UNDEFINED = 1;
export const PAYLOAD_ZERO = 2;
export const PAYLOAD_UNMAPPED = 3;
export const PAYLOAD_FULLY_PRESENT = 6;
export const PAYLOAD_PARTIALLY_PRESENT = 7;
/** Sector bitmap block states. */
export const BITMAP_NOT_PRESENT = 0;
export const BITMAP_PRESENT = 6;
const BAT_STATE_MASK = 7;

export interface VhdxHeader {
  sequence: bigint;
  fileWriteGuid: Buffer;
  dataWriteGuid: Buffer;
  logGuid: Buffer;
  logVersion: number;
  version: number;
  logLength: number;
  logOffset: number;
}

export interface VhdxRegion {
  guid: Buffer;
  offset: number;
  length: number;
  required: boolean;
}

/** A little-endian 64-bit field as a number; past 2^53 it becomes Infinity (always out of range). */
export function readU64LE(buffer: Buffer, at: number): number {
  const value = buffer.readUInt32LE(at + 4) * 0x1_0000_0000 + buffer.readUInt32LE(at);
  return Number.isSafeInteger(value) ? value : Number.POSITIVE_INFINITY;
}

export function parseHeader(buffer: Buffer): VhdxHeader {
  return {
    sequence: buffer.readBigUInt64LE(HEADER_SEQUENCE),
    fileWriteGuid: Buffer.from(buffer.subarray(HEADER_FILE_WRITE_GUID, HEADER_FILE_WRITE_GUID + 16)),
    dataWriteGuid: Buffer.from(buffer.subarray(HEADER_DATA_WRITE_GUID, HEADER_DATA_WRITE_GUID + 16)),
    logGuid: Buffer.from(buffer.subarray(HEADER_LOG_GUID, HEADER_LOG_GUID + 16)),
    logVersion: buffer.readUInt16LE(HEADER_LOG_VERSION),
    version: buffer.readUInt16LE(HEADER_VERSION),
    logLength: buffer.readUInt32LE(HEADER_LOG_LENGTH),
    logOffset: readU64LE(buffer, HEADER_LOG_OFFSET),
  };
}

/** One BAT entry split into its state and file offset (Infinity when absurdly large). */
export function decodeBatEntry(page: Buffer, at: number): { state: number; offset: number } {
  const low = page.readUInt32LE(at);
  const high = page.readUInt32LE(at + 4);
  const megabytes = (low >>> 20) + high * 4096;
  const offset = megabytes * MiB;
  return { state: low & BAT_STATE_MASK, offset: Number.isSafeInteger(offset) ? offset : Number.POSITIVE_INFINITY };
}

export function encodeBatEntry(target: Buffer, at: number, state: number, offset: number): void {
  const megabytes = Math.floor(offset / MiB);
  target.writeUInt32LE((((megabytes % 4096) << 20) | state) >>> 0, at);
  target.writeUInt32LE(Math.floor(megabytes / 4096), at + 4);
}

/** Payload blocks, chunk ratio and BAT entry count of a disk (spec section 2.5). */
export function batGeometry(virtualSize: number, blockSize: number, logicalSectorSize: number, hasParent: boolean): {
  chunkRatio: number; dataBlocks: number; bitmapBlocks: number; totalEntries: number;
} {
  const chunkRatio = (VHDX_SECTORS_PER_BITMAP * logicalSectorSize) / blockSize;
  const dataBlocks = Math.ceil(virtualSize / blockSize);
  const bitmapBlocks = Math.ceil(dataBlocks / chunkRatio);
  const totalEntries = hasParent
    ? bitmapBlocks * (chunkRatio + 1)
    : dataBlocks + Math.floor(Math.max(0, dataBlocks - 1) / chunkRatio);
  return { chunkRatio, dataBlocks, bitmapBlocks, totalEntries };
}

export function payloadEntryIndex(block: number, chunkRatio: number): number {
  return block + Math.floor(block / chunkRatio);
}

export function bitmapEntryIndex(chunk: number, chunkRatio: number): number {
  return chunk * (chunkRatio + 1) + chunkRatio;
}
