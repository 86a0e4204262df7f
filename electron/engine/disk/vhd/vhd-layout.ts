/**
 * VHD (qemu-img: "vpc") on-disk layout. All integers are big-endian.
 *
 * Hard disk footer, 512 bytes: at the end of every VHD, and a copy at offset 0 of
 * dynamic and differencing disks.
 *   field                 offset size
 *   cookie "conectix"        0    8
 *   features                 8    4
 *   format version          12    4   0x00010000
 *   data offset             16    8   dynamic header offset; all ones for fixed disks
 *   timestamp               24    4   seconds since 2000-01-01 UTC
 *   creator application     28    4   "vpc ", "qemu", "qem2", "win ", "d2v "...
 *   creator version         32    4
 *   creator host OS         36    4
 *   original size           40    8
 *   current size            48    8   bytes
 *   geometry                56    4   cylinders (2), heads (1), sectors per track (1)
 *   disk type               60    4   2 fixed, 3 dynamic, 4 differencing
 *   checksum                64    4   one's complement of the byte sum, this field as 0
 *   unique id               68   16
 *   saved state             84    1
 *
 * Dynamic disk header, 1024 bytes, at the footer's data offset:
 *   cookie "cxsparse"        0    8
 *   data offset              8    8   unused (all ones)
 *   table offset            16    8   BAT position
 *   header version          24    4
 *   max table entries       28    4   BAT entries
 *   block size              32    4   bytes, a power of two (2 MiB by default)
 *   checksum                36    4   as the footer's, over 1024 bytes
 *   parent unique id        40   16
 *   parent timestamp        56    4
 *   parent unicode name     64  512   UTF-16BE
 *   parent locators        576  8x24  platform code 4, data space 4, data length 4,
 *                                      reserved 4, data offset 8
 *
 * BAT: max-table-entries 32-bit entries; 0xFFFFFFFF = block not allocated, otherwise the
 * 512-byte sector of the block's sector bitmap, followed by the block data. The bitmap is
 * ceil(block size / 512 / 8) bytes rounded up to 512; bit 7 of byte 0 is sector 0.
 */
import { badImage } from '../image-error.ts';

export const VHD_FOOTER_SIZE = 512;
export const VHD_DYNAMIC_HEADER_SIZE = 1024;
export const VHD_SECTOR = 512;
export const VHD_FOOTER_COOKIE = 'conectix';
export const VHD_DYNAMIC_COOKIE = 'cxsparse';
export const VHD_BAT_UNUSED = 0xffffffff;

export const FOOTER_DATA_OFFSET = 16;
export const FOOTER_CREATOR_APP = 28;
export const FOOTER_ORIGINAL_SIZE = 40;
export const FOOTER_CURRENT_SIZE = 48;
export const FOOTER_CYLINDERS = 56;
export const FOOTER_HEADS = 58;
export const FOOTER_SECTORS_PER_TRACK = 59;
export const FOOTER_DISK_TYPE = 60;
export const FOOTER_CHECKSUM = 64;
export const FOOTER_UNIQUE_ID = 68;

export const DYN_TABLE_OFFSET = 16;
export const DYN_MAX_TABLE_ENTRIES = 28;
export const DYN_BLOCK_SIZE = 32;
export const DYN_CHECKSUM = 36;
const DYN_PARENT_UNIQUE_ID = 40;
const DYN_PARENT_NAME = 64;
const DYN_PARENT_NAME_SIZE = 512;
const DYN_PARENT_LOCATORS = 576;
const DYN_PARENT_LOCATOR_SIZE = 24;
const DYN_PARENT_LOCATOR_COUNT = 8;

export const VHD_TYPE_FIXED = 2;
export const VHD_TYPE_DYNAMIC = 3;
const VHD_TYPE_DIFFERENCING = 4;

/** qemu's limits: 2040 GiB of sectors, and the CHS geometry that means "use current size". */
export const VHD_MAX_SECTORS = 0xff000000;
export const VHD_MAX_GEOMETRY = 65535 * 16 * 255;
/** Largest block size we accept (qemu accepts any power of two; real ones are <= 2 MiB). */
export const VHD_MAX_BLOCK_SIZE = 256 * 1024 * 1024;

export type VhdType = 'fixed' | 'dynamic' | 'differencing';

export interface VhdFooter {
  creatorApp: string;
  currentSize: number;
  cylinders: number;
  heads: number;
  sectorsPerTrack: number;
  diskType: number;
  dataOffset: number;
  uniqueId: Buffer;
  checksumValid: boolean;
}

export interface VhdParentLocator {
  platform: string;
  dataLength: number;
  dataOffset: number;
}

export interface VhdDynamicHeader {
  tableOffset: number;
  maxTableEntries: number;
  blockSize: number;
  parentUniqueId: Buffer;
  parentName: string;
  locators: VhdParentLocator[];
  checksumValid: boolean;
}

/** One's complement of the sum of all bytes, the checksum field counted as zero. */
export function vhdChecksum(buffer: Buffer, checksumOffset: number): number {
  let sum = 0;
  for (let i = 0; i < buffer.length; i += 1) {
    if (i >= checksumOffset && i < checksumOffset + 4) continue;
    sum = (sum + buffer[i]!) >>> 0;
  }
  return ~sum >>> 0;
}

/** A big-endian 64-bit field as a number; values past 2^53 become Infinity (always out of range). */
function readU64BE(buffer: Buffer, at: number): number {
  const high = buffer.readUInt32BE(at);
  const low = buffer.readUInt32BE(at + 4);
  const value = high * 0x1_0000_0000 + low;
  return Number.isSafeInteger(value) ? value : Number.POSITIVE_INFINITY;
}

export function hasFooterCookie(buffer: Buffer): boolean {
  return buffer.length >= VHD_FOOTER_SIZE && buffer.toString('latin1', 0, 8) === VHD_FOOTER_COOKIE;
}

export function parseFooter(buffer: Buffer): VhdFooter {
  return {
    creatorApp: buffer.toString('latin1', FOOTER_CREATOR_APP, FOOTER_CREATOR_APP + 4),
    currentSize: readU64BE(buffer, FOOTER_CURRENT_SIZE),
    cylinders: buffer.readUInt16BE(FOOTER_CYLINDERS),
    heads: buffer.readUInt8(FOOTER_HEADS),
    sectorsPerTrack: buffer.readUInt8(FOOTER_SECTORS_PER_TRACK),
    diskType: buffer.readUInt32BE(FOOTER_DISK_TYPE),
    dataOffset: readU64BE(buffer, FOOTER_DATA_OFFSET),
    uniqueId: Buffer.from(buffer.subarray(FOOTER_UNIQUE_ID, FOOTER_UNIQUE_ID + 16)),
    checksumValid:
      vhdChecksum(buffer.subarray(0, VHD_FOOTER_SIZE), FOOTER_CHECKSUM) === buffer.readUInt32BE(FOOTER_CHECKSUM),
  };
}

export function parseDynamicHeader(buffer: Buffer): VhdDynamicHeader {
  const locators: VhdParentLocator[] = [];
  for (let i = 0; i < DYN_PARENT_LOCATOR_COUNT; i += 1) {
    const at = DYN_PARENT_LOCATORS + i * DYN_PARENT_LOCATOR_SIZE;
    const platform = buffer.toString('latin1', at, at + 4);
    if (buffer.readUInt32BE(at) === 0) continue;
    locators.push({ platform, dataLength: buffer.readUInt32BE(at + 8), dataOffset: readU64BE(buffer, at + 16) });
  }
  return {
    tableOffset: readU64BE(buffer, DYN_TABLE_OFFSET),
    maxTableEntries: buffer.readUInt32BE(DYN_MAX_TABLE_ENTRIES),
    blockSize: buffer.readUInt32BE(DYN_BLOCK_SIZE),
    parentUniqueId: Buffer.from(buffer.subarray(DYN_PARENT_UNIQUE_ID, DYN_PARENT_UNIQUE_ID + 16)),
    parentName: decodeUtf16BE(buffer.subarray(DYN_PARENT_NAME, DYN_PARENT_NAME + DYN_PARENT_NAME_SIZE)),
    locators,
    checksumValid:
      vhdChecksum(buffer.subarray(0, VHD_DYNAMIC_HEADER_SIZE), DYN_CHECKSUM) === buffer.readUInt32BE(DYN_CHECKSUM),
  };
}

/** UTF-16BE up to the first NUL. */
function decodeUtf16BE(bytes: Buffer): string {
  const swapped = Buffer.from(bytes);
  swapped.swap16();
  return decodeUtf16LE(swapped);
}

/** UTF-16LE up to the first NUL. */
export function decodeUtf16LE(bytes: Buffer): string {
  const text = bytes.subarray(0, bytes.length & ~1).toString('utf16le');
  const nul = text.indexOf('\u0000');
  return nul < 0 ? text : text.slice(0, nul);
}

export function vhdTypeName(file: string, diskType: number): VhdType {
  if (diskType === VHD_TYPE_FIXED) return 'fixed';
  if (diskType === VHD_TYPE_DYNAMIC) return 'dynamic';
  if (diskType === VHD_TYPE_DIFFERENCING) return 'differencing';
  throw badImage(file, 'vhd.footer.disk_type', `unknown disk type ${diskType} (expected 2 fixed, 3 dynamic or 4 differencing)`);
}

/**
 * Guest-visible size, qemu's rule (block/vpc.c): Virtual PC ("vpc ") and old qemu ("qemu")
 * size a disk by its CHS geometry; every other creator (Hyper-V "win ", qemu force_size
 * "qem2", disk2vhd, XenServer, Azure...) by the footer's current size. A geometry of the
 * maximum CHS value also means "use current size" (the geometry would truncate the disk).
 */
export function vhdVirtualSize(footer: VhdFooter): number {
  const geometrySectors = footer.cylinders * footer.heads * footer.sectorsPerTrack;
  const useGeometry = footer.creatorApp === 'vpc ' || footer.creatorApp === 'qemu';
  if (!useGeometry || geometrySectors === VHD_MAX_GEOMETRY) {
    return Math.floor(footer.currentSize / VHD_SECTOR) * VHD_SECTOR;
  }
  return geometrySectors * VHD_SECTOR;
}

/** Bytes of the sector bitmap in front of each block. */
export function vhdBitmapSize(blockSize: number): number {
  return Math.ceil(blockSize / VHD_SECTOR / 8 / VHD_SECTOR) * VHD_SECTOR;
}
