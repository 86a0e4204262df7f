/**
 * qcow2 persistent dirty bitmaps (qemu docs/interop/qcow2.txt, "Bitmaps"), read-only and
 * bounded like the other qcow2 structures. All integers big-endian.
 *
 * Header extension 0x23852875 (24 bytes): nb_bitmaps u32 (1..65535), reserved u32 (0),
 * bitmap_directory_size u64 (bytes, <= 64 MiB), bitmap_directory_offset u64 (cluster
 * aligned, directory inside the file). Autoclear feature bit 0 ("bitmaps") must be set,
 * else a writer that does not know bitmaps opened the image and every bitmap is stale.
 *
 * Directory entry (padded to 8 bytes), exactly nb_bitmaps of them filling the directory:
 * | 0  | 8 | bitmap_table_offset (cluster aligned, not 0)                             |
 * | 8  | 4 | bitmap_table_size (entries, 1..2^27; table inside the file)              |
 * | 12 | 4 | flags: bit 0 in_use, bit 1 auto (enabled), bit 2 extra_data_compatible   |
 * | 16 | 1 | type (1: dirty tracking)                                                 |
 * | 17 | 1 | granularity_bits (9..31)                                                 |
 * | 18 | 2 | name_size (1..1023), the name follows the extra data, UTF-8, no NUL      |
 * | 20 | 4 | extra_data_size (<= 1 MiB here)                                          |
 * A name appears once.
 *
 * Bitmap table entry (u64): bits 9-55 host offset of a cluster of bitmap data (cluster
 * aligned, inside the file); with offset 0, bit 0 says the cluster's bits are all 1 (else
 * all 0); bits 1-8 and 56-63 reserved (0). The data is the bitmap serialized least
 * significant bit first: bit k (byte k >> 3, bit k & 7) covers guest bytes
 * [k * granularity, (k + 1) * granularity). The table has exactly as many entries as the
 * virtual size needs.
 *
 * Anything out of these bounds is a BAD_IMAGE error naming the field; a bitmap this reader
 * cannot vouch for (unknown flags, extra data not marked compatible) is listed with
 * `usable: false` and the reason.
 */
import { badImage } from '../image-error.ts';
import type { ImageFile } from '../image-file.ts';
import type { Qcow2Header } from './qcow2-header.ts';
import { readQcow2Extension } from './qcow2-header.ts';

export const QCOW2_BITMAPS_EXTENSION = 0x23852875;
export const AUTOCLEAR_BITMAPS = 1n;
const EXTENSION_BYTES = 24;
const MAX_BITMAPS = 65535;
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;
const ENTRY_FIXED_BYTES = 24;
const MAX_TABLE_ENTRIES = 0x8000000;
const MIN_GRANULARITY_BITS = 9;
const MAX_GRANULARITY_BITS = 31;
const MAX_NAME_BYTES = 1023;
const MAX_EXTRA_DATA = 1024 * 1024;
const TYPE_DIRTY_TRACKING = 1;
const FLAG_IN_USE = 1;
const FLAG_AUTO = 2;
const FLAG_EXTRA_DATA_COMPATIBLE = 4;
const KNOWN_FLAGS = FLAG_IN_USE | FLAG_AUTO | FLAG_EXTRA_DATA_COMPATIBLE;
const TWO_32 = 2 ** 32;
/** Bitmap data loaded into memory at most (1 bit per granule: 64 MiB covers 32 TiB at 64 KiB). */
export const MAX_BITMAP_DATA_BYTES = 64 * 1024 * 1024;

const F = 'qcow2 bitmaps';

export interface Qcow2BitmapEntry {
  name: string;
  tableOffset: number;
  tableSize: number;
  flags: number;
  inUse: boolean;
  /** Enabled: the writer sets bits for every guest write while the image is open. */
  auto: boolean;
  granularityBits: number;
  /** False with the reason when this reader cannot vouch for the bitmap's bits. */
  usable: boolean;
  why?: string;
}

export interface Qcow2Bitmaps {
  /** Autoclear bit 0: off means a bitmap-unaware writer opened the image (every bitmap stale). */
  consistent: boolean;
  directoryOffset: number;
  directorySize: number;
  bitmaps: Qcow2BitmapEntry[];
}

function u64(buffer: Buffer, at: number, field: string, path: string): number {
  const value = buffer.readBigUInt64BE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw badImage(path, field, `value ${value} is out of range`);
  return Number(value);
}

/** The bitmap directory, or null when the image has no bitmaps extension. */
export async function readQcow2Bitmaps(file: ImageFile, header: Qcow2Header): Promise<Qcow2Bitmaps | null> {
  const path = file.path;
  const data = await readQcow2Extension(file, header, QCOW2_BITMAPS_EXTENSION);
  if (data === null) return null;
  const field = `${F} extension`;
  if (header.version !== 3) throw badImage(path, field, 'a bitmaps extension in a version 2 image');
  if (data.length < EXTENSION_BYTES) throw badImage(path, field, `extension of ${data.length} bytes is shorter than ${EXTENSION_BYTES}`);
  const count = data.readUInt32BE(0);
  if (count < 1 || count > MAX_BITMAPS) throw badImage(path, `${field}.nb_bitmaps`, `${count} bitmaps is outside 1..${MAX_BITMAPS}`);
  if (data.readUInt32BE(4) !== 0) throw badImage(path, `${field}.reserved`, 'reserved field is not zero');
  const directorySize = u64(data, 8, `${field}.bitmap_directory_size`, path);
  const directoryOffset = u64(data, 16, `${field}.bitmap_directory_offset`, path);
  if (directorySize < ENTRY_FIXED_BYTES || directorySize > MAX_DIRECTORY_BYTES) {
    throw badImage(path, `${field}.bitmap_directory_size`, `directory of ${directorySize} bytes is outside ${ENTRY_FIXED_BYTES}..${MAX_DIRECTORY_BYTES}`);
  }
  if (directoryOffset === 0 || directoryOffset % header.clusterSize !== 0) {
    throw badImage(path, `${field}.bitmap_directory_offset`, `directory offset ${directoryOffset} is 0 or not aligned to the cluster size ${header.clusterSize}`);
  }
  const directory = await file.readAt(directoryOffset, directorySize, `${F} directory`);
  const bitmaps: Qcow2BitmapEntry[] = [];
  const names = new Set<string>();
  let at = 0;
  // One entry per pass, each at least 24 bytes: the loop ends within count passes.
  for (let index = 0; index < count; index += 1) {
    const entryField = `${F} directory entry ${index}`;
    if (at + ENTRY_FIXED_BYTES > directory.length) throw badImage(path, entryField, `entry at ${at} runs past the directory (${directory.length} bytes)`);
    const tableOffset = u64(directory, at, `${entryField}.bitmap_table_offset`, path);
    const tableSize = directory.readUInt32BE(at + 8);
    const flags = directory.readUInt32BE(at + 12);
    const type = directory.readUInt8(at + 16);
    const granularityBits = directory.readUInt8(at + 17);
    const nameSize = directory.readUInt16BE(at + 18);
    const extraSize = directory.readUInt32BE(at + 20);
    if (tableOffset === 0 || tableOffset % header.clusterSize !== 0) throw badImage(path, `${entryField}.bitmap_table_offset`, `table offset ${tableOffset} is 0 or not cluster aligned`);
    if (tableSize < 1 || tableSize > MAX_TABLE_ENTRIES) throw badImage(path, `${entryField}.bitmap_table_size`, `${tableSize} entries is outside 1..${MAX_TABLE_ENTRIES}`);
    if (tableOffset + tableSize * 8 > file.size) throw badImage(path, `${entryField}.bitmap_table_offset`, `table (${tableSize * 8} bytes at ${tableOffset}) lies past the end of the file (${file.size} bytes)`);
    if (type !== TYPE_DIRTY_TRACKING) throw badImage(path, `${entryField}.type`, `type ${type} is not 1 (dirty tracking)`);
    if (granularityBits < MIN_GRANULARITY_BITS || granularityBits > MAX_GRANULARITY_BITS) {
      throw badImage(path, `${entryField}.granularity_bits`, `granularity_bits ${granularityBits} is outside ${MIN_GRANULARITY_BITS}..${MAX_GRANULARITY_BITS}`);
    }
    if (nameSize < 1 || nameSize > MAX_NAME_BYTES) throw badImage(path, `${entryField}.name_size`, `name of ${nameSize} bytes is outside 1..${MAX_NAME_BYTES}`);
    if (extraSize > MAX_EXTRA_DATA) throw badImage(path, `${entryField}.extra_data_size`, `extra data of ${extraSize} bytes is larger than ${MAX_EXTRA_DATA}`);
    const entryBytes = Math.ceil((ENTRY_FIXED_BYTES + extraSize + nameSize) / 8) * 8;
    if (at + entryBytes > directory.length) throw badImage(path, entryField, `entry of ${entryBytes} bytes runs past the directory (${directory.length} bytes)`);
    const nameStart = at + ENTRY_FIXED_BYTES + extraSize;
    const name = directory.toString('utf8', nameStart, nameStart + nameSize);
    if (names.has(name)) throw badImage(path, `${entryField}.name`, `bitmap name "${name.slice(0, 80)}" appears twice`);
    names.add(name);
    let why: string | undefined;
    if ((flags & ~KNOWN_FLAGS) !== 0) why = `unknown flags 0x${flags.toString(16)}`;
    else if (extraSize > 0 && (flags & FLAG_EXTRA_DATA_COMPATIBLE) === 0) why = 'extra data this reader does not know';
    bitmaps.push({
      name, tableOffset, tableSize, flags, inUse: (flags & FLAG_IN_USE) !== 0, auto: (flags & FLAG_AUTO) !== 0,
      granularityBits, usable: why === undefined, ...(why === undefined ? {} : { why }),
    });
    at += entryBytes;
  }
  if (at !== directory.length) throw badImage(path, `${F} directory`, `the ${count} entries take ${at} bytes, the directory is ${directory.length}`);
  return {
    consistent: (header.autoclearFeatures & AUTOCLEAR_BITMAPS) !== 0n, directoryOffset, directorySize, bitmaps,
  };
}

/** Table entries a bitmap of this granularity needs for the virtual size (a data cluster holds 8 bits a byte). */
export function bitmapTableEntriesNeeded(virtualSize: number, granularityBits: number, clusterSize: number): number {
  const bits = Math.ceil(virtualSize / 2 ** granularityBits);
  return Math.ceil(Math.ceil(bits / 8) / clusterSize);
}

/** The host offsets of a bitmap's table and data clusters (metadata), validated. */
export interface Qcow2BitmapTable {
  /** Per entry: host offset of its data cluster, 0 when none. */
  dataOffsets: number[];
  /** Per entry without data: all bits 1 (true) or all 0 (false). */
  allOnes: boolean[];
}

export async function readQcow2BitmapTable(
  file: ImageFile, header: Qcow2Header, bitmap: Qcow2BitmapEntry,
): Promise<Qcow2BitmapTable> {
  const path = file.path;
  const field = `${F} table of "${bitmap.name.slice(0, 80)}"`;
  const needed = bitmapTableEntriesNeeded(header.virtualSize, bitmap.granularityBits, header.clusterSize);
  if (bitmap.tableSize !== needed) throw badImage(path, field, `${bitmap.tableSize} entries, the virtual size needs ${needed}`);
  if (bitmap.tableSize * header.clusterSize > MAX_BITMAP_DATA_BYTES * 2) throw badImage(path, field, `${bitmap.tableSize} clusters of bitmap data is more than this reader loads`);
  const table = await file.readAt(bitmap.tableOffset, bitmap.tableSize * 8, field);
  const dataOffsets: number[] = [];
  const allOnes: boolean[] = [];
  for (let index = 0; index < bitmap.tableSize; index += 1) {
    const hi = table.readUInt32BE(index * 8);
    const lo = table.readUInt32BE(index * 8 + 4);
    if ((hi & 0xff000000) !== 0 || (lo & 0x1fe) !== 0) throw badImage(path, `${field} entry ${index}`, 'reserved bits are set');
    const offset = (hi & 0x00ffffff) * TWO_32 + ((lo & 0xfffffe00) >>> 0);
    if (offset !== 0) {
      if ((lo & 1) !== 0) throw badImage(path, `${field} entry ${index}`, 'the all-ones bit is set on an entry with data');
      if (offset % header.clusterSize !== 0) throw badImage(path, `${field} entry ${index}`, `data offset ${offset} is not cluster aligned`);
      if (offset + header.clusterSize > file.size) throw badImage(path, `${field} entry ${index}`, `data cluster at ${offset} lies past the end of the file (${file.size} bytes)`);
    }
    dataOffsets.push(offset);
    allOnes.push(offset === 0 && (lo & 1) !== 0);
  }
  return { dataOffsets, allOnes };
}

/** A loaded dirty bitmap: which guest ranges were written since it was added. */
export class Qcow2DirtyBitmap {
  readonly granularity: number;
  private readonly bits: Buffer;

  constructor(granularityBits: number, bits: Buffer) {
    this.granularity = 2 ** granularityBits;
    this.bits = bits;
  }

  static async load(
    file: ImageFile, header: Qcow2Header, bitmap: Qcow2BitmapEntry, table: Qcow2BitmapTable,
  ): Promise<Qcow2DirtyBitmap> {
    const bytes = Math.ceil(Math.ceil(header.virtualSize / 2 ** bitmap.granularityBits) / 8);
    if (bytes > MAX_BITMAP_DATA_BYTES) {
      throw badImage(file.path, `${F} "${bitmap.name.slice(0, 80)}"`, `${bytes} bytes of bitmap data is more than this reader loads (${MAX_BITMAP_DATA_BYTES})`);
    }
    const bits = Buffer.alloc(bytes);
    for (let index = 0; index < table.dataOffsets.length; index += 1) {
      const start = index * header.clusterSize;
      const length = Math.min(header.clusterSize, bytes - start);
      if (length <= 0) break;
      const offset = table.dataOffsets[index] as number;
      if (offset !== 0) await file.readInto(bits, start, length, offset, `${F} data of "${bitmap.name.slice(0, 80)}"`);
      else if (table.allOnes[index] === true) bits.fill(0xff, start, start + length);
    }
    return new Qcow2DirtyBitmap(bitmap.granularityBits, bits);
  }

  /** True when no bit covering guest bytes [offset, offset + length) is set. */
  isClean(offset: number, length: number): boolean {
    if (length <= 0) return true;
    const first = Math.floor(offset / this.granularity);
    const last = Math.floor((offset + length - 1) / this.granularity);
    if (last >= this.bits.length * 8) return false;
    for (let bit = first; bit <= last; bit += 1) {
      if ((this.bits[bit >> 3]! >> (bit & 7)) & 1) return false;
    }
    return true;
  }
}
