/**
 * qcow2 header and header extensions (all integers big-endian). Versions 2 and 3.
 *
 * | offset | size | field                    | checked                                          |
 * |--------|------|--------------------------|--------------------------------------------------|
 * | 0      | 4    | magic 'QFI\xfb'          | equal                                            |
 * | 4      | 4    | version                  | 2 or 3                                           |
 * | 8      | 8    | backing_file_offset      | <= cluster size (checked even when unused)       |
 * | 16     | 4    | backing_file_size        | <= 1023                                          |
 * | 20     | 4    | cluster_bits             | 9..21                                            |
 * | 24     | 8    | size (virtual, bytes)    | <= 2^53, rounded down to 512 like qemu; L1 must  |
 * |        |      |                          | be large enough to map it                        |
 * | 32     | 4    | crypt_method             | 0, else UNSUPPORTED (AES / LUKS)                 |
 * | 36     | 4    | l1_size (entries)        | <= 32 MiB of table, table inside the file        |
 * | 40     | 8    | l1_table_offset          | cluster aligned                                  |
 * | 48     | 8    | refcount_table_offset    | cluster aligned                                  |
 * | 56     | 4    | refcount_table_clusters  | <= 8 MiB of table                                |
 * | 60     | 4    | nb_snapshots             | <= 65536                                         |
 * | 64     | 8    | snapshots_offset         | cluster aligned (qemu checks it always)          |
 * | 72     | 8    | incompatible_features    | v3: bit 0 dirty, 1 corrupt, 2 external data file,|
 * |        |      |                          | 3 compression type, 4 extended L2; others refused|
 * | 80     | 8    | compatible_features      | v3 (bit 0 lazy refcounts)                        |
 * | 88     | 8    | autoclear_features       | v3 (bit 0 bitmaps, bit 1 raw external data)      |
 * | 96     | 4    | refcount_order           | v3, <= 6 (v2: always 4)                          |
 * | 100    | 4    | header_length            | v3, 104..cluster size (v2: 72)                   |
 * | 104    | 1    | compression_type         | when header_length > 104: 0 deflate, 1 zstd      |
 *
 * Header extensions follow the header (at header_length), each: type u32, length u32,
 * data padded to 8 bytes; type 0 ends the list. Read: 0xe2792aca backing format name,
 * 0x6803f857 feature name table (type u8, bit u8, name 46 bytes), 0x44415441 external
 * data file name. Others (bitmaps 0x23852875, crypto header 0x0537be77) are skipped.
 */
import { badImage, unsupportedImage } from '../image-error.ts';
import type { ImageFile } from '../image-file.ts';

export const QCOW2_MAGIC_NUMBER = 0x514649fb;
const QCOW2_V2_HEADER_LENGTH = 72;
const QCOW2_V3_MIN_HEADER_LENGTH = 104;
const QCOW2_MIN_CLUSTER_BITS = 9;
const QCOW2_MAX_CLUSTER_BITS = 21;
const QCOW2_MAX_BACKING_NAME = 1023;
const QCOW2_MAX_L1_BYTES = 32 * 1024 * 1024;
const QCOW2_MAX_REFTABLE_BYTES = 8 * 1024 * 1024;
const QCOW2_MAX_SNAPSHOTS = 65536;
const SECTOR = 512;
const INT64_LIMIT = 1n << 63n;

export const HEADER = {
  magic: 0, version: 4, backingFileOffset: 8, backingFileSize: 16, clusterBits: 20, size: 24,
  cryptMethod: 32, l1Size: 36, l1TableOffset: 40, refcountTableOffset: 48, refcountTableClusters: 56,
  nbSnapshots: 60, snapshotsOffset: 64, incompatibleFeatures: 72, compatibleFeatures: 80,
  autoclearFeatures: 88, refcountOrder: 96, headerLength: 100, compressionType: 104,
} as const;

const INCOMPAT_DIRTY = 1n << 0n;
const INCOMPAT_CORRUPT = 1n << 1n;
const INCOMPAT_DATA_FILE = 1n << 2n;
const INCOMPAT_COMPRESSION = 1n << 3n;
const INCOMPAT_EXTL2 = 1n << 4n;
const INCOMPAT_KNOWN = INCOMPAT_DIRTY | INCOMPAT_CORRUPT | INCOMPAT_DATA_FILE | INCOMPAT_COMPRESSION | INCOMPAT_EXTL2;
const AUTOCLEAR_DATA_FILE_RAW = 1n << 1n;

const EXT_END = 0x00000000;
const EXT_BACKING_FORMAT = 0xe2792aca;
const EXT_FEATURE_NAMES = 0x6803f857;
const EXT_DATA_FILE = 0x44415441;
const FEATURE_NAME_ENTRY = 48;

const COMPRESSION_DEFLATE = 0;
export const COMPRESSION_ZSTD = 1;

export interface Qcow2Header {
  version: 2 | 3;
  clusterBits: number;
  clusterSize: number;
  virtualSize: number;
  l1Size: number;
  l1TableOffset: number;
  refcountTableOffset: number;
  refcountTableClusters: number;
  nbSnapshots: number;
  snapshotsOffset: number;
  incompatibleFeatures: bigint;
  compatibleFeatures: bigint;
  autoclearFeatures: bigint;
  refcountOrder: number;
  headerLength: number;
  compressionType: number;
  backingFile: string | null;
  backingFormat: string | null;
  dataFile: string | null;
  extendedL2: boolean;
  dirty: boolean;
  corrupt: boolean;
}

const F = 'qcow2.header';

function u64(buffer: Buffer, offset: number, file: string, field: string): number {
  const value = buffer.readBigUInt64BE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw badImage(file, `${F}.${field}`, `value ${value} is out of range`);
  return Number(value);
}

function aligned(value: number, clusterSize: number): boolean {
  return value % clusterSize === 0;
}

/** Reads and validates the header of a qcow2 file; every size and offset checked against the file. */
export async function readQcow2Header(file: ImageFile): Promise<Qcow2Header> {
  const path = file.path;
  const fixed = await file.readAt(0, QCOW2_V2_HEADER_LENGTH, `${F} (first 72 bytes)`);
  if (fixed.readUInt32BE(HEADER.magic) !== QCOW2_MAGIC_NUMBER) throw badImage(path, `${F}.magic`, 'not a qcow2 image (bad magic)');
  const version = fixed.readUInt32BE(HEADER.version);
  if (version !== 2 && version !== 3) throw unsupportedImage(path, `${F}.version`, `qcow2 version ${version} is not supported (only 2 and 3)`);
  const clusterBits = fixed.readUInt32BE(HEADER.clusterBits);
  if (clusterBits < QCOW2_MIN_CLUSTER_BITS || clusterBits > QCOW2_MAX_CLUSTER_BITS) {
    throw badImage(path, `${F}.cluster_bits`, `cluster_bits ${clusterBits} is outside ${QCOW2_MIN_CLUSTER_BITS}..${QCOW2_MAX_CLUSTER_BITS}`);
  }
  const clusterSize = 2 ** clusterBits;
  const cryptMethod = fixed.readUInt32BE(HEADER.cryptMethod);
  if (cryptMethod !== 0) {
    const kind = cryptMethod === 1 ? 'AES' : cryptMethod === 2 ? 'LUKS' : `method ${cryptMethod}`;
    throw unsupportedImage(path, `${F}.crypt_method`, `the image is encrypted (${kind}); encrypted qcow2 images are not supported: decrypt it first with qemu-img convert`);
  }
  let headerLength = QCOW2_V2_HEADER_LENGTH;
  let incompatibleFeatures = 0n;
  let compatibleFeatures = 0n;
  let autoclearFeatures = 0n;
  let refcountOrder = 4;
  let compressionType = COMPRESSION_DEFLATE;
  if (version === 3) {
    const v3 = await file.readAt(0, QCOW2_V3_MIN_HEADER_LENGTH, `${F} (v3 fields)`);
    incompatibleFeatures = v3.readBigUInt64BE(HEADER.incompatibleFeatures);
    compatibleFeatures = v3.readBigUInt64BE(HEADER.compatibleFeatures);
    autoclearFeatures = v3.readBigUInt64BE(HEADER.autoclearFeatures);
    refcountOrder = v3.readUInt32BE(HEADER.refcountOrder);
    headerLength = v3.readUInt32BE(HEADER.headerLength);
    if (headerLength < QCOW2_V3_MIN_HEADER_LENGTH || headerLength > clusterSize) {
      throw badImage(path, `${F}.header_length`, `header_length ${headerLength} is outside ${QCOW2_V3_MIN_HEADER_LENGTH}..${clusterSize}`);
    }
    if (refcountOrder > 6) throw badImage(path, `${F}.refcount_order`, `refcount_order ${refcountOrder} is larger than 6`);
    if (headerLength > HEADER.compressionType) {
      compressionType = (await file.readAt(HEADER.compressionType, 1, `${F}.compression_type`)).readUInt8(0);
    }
  }
  const unknown = incompatibleFeatures & ~INCOMPAT_KNOWN;
  const names = await readFeatureNames(file, headerLength, clusterSize).catch(() => new Map<number, string>());
  if (unknown !== 0n) {
    const bits: string[] = [];
    for (let bit = 0n; bit < 64n; bit += 1n) if (unknown & (1n << bit)) bits.push(names.get(Number(bit)) ?? `bit ${bit}`);
    throw unsupportedImage(path, `${F}.incompatible_features`, `the image uses incompatible features this reader does not know: ${bits.join(', ')}`);
  }
  if (compressionType !== COMPRESSION_DEFLATE && compressionType !== COMPRESSION_ZSTD) {
    throw unsupportedImage(path, `${F}.compression_type`, `compression type ${compressionType} is not supported (0 deflate, 1 zstd)`);
  }
  if (compressionType !== COMPRESSION_DEFLATE && !(incompatibleFeatures & INCOMPAT_COMPRESSION)) {
    throw badImage(path, `${F}.compression_type`, `compression type ${compressionType} is set but the compression incompatible feature bit is not`);
  }
  // Like qemu, the guest sees whole 512-byte sectors: a size that is not a multiple of 512
  // is rounded down.
  const virtualSize = Math.floor(u64(fixed, HEADER.size, path, 'size') / SECTOR) * SECTOR;
  const l1Size = fixed.readUInt32BE(HEADER.l1Size);
  const l1TableOffset = u64(fixed, HEADER.l1TableOffset, path, 'l1_table_offset');
  // Reading never uses the refcount table: keep an out-of-range offset (check reports it).
  const refcountTableOffset = Number(fixed.readBigUInt64BE(HEADER.refcountTableOffset));
  const refcountTableClusters = fixed.readUInt32BE(HEADER.refcountTableClusters);
  const nbSnapshots = fixed.readUInt32BE(HEADER.nbSnapshots);
  for (const [field, at] of [['l1_table_offset', HEADER.l1TableOffset], ['refcount_table_offset', HEADER.refcountTableOffset], ['snapshots_offset', HEADER.snapshotsOffset]] as const) {
    if (fixed.readBigUInt64BE(at) >= INT64_LIMIT) throw badImage(path, `${F}.${field}`, `offset ${fixed.readBigUInt64BE(at)} is past 2^63`);
  }
  const snapshotsOffset = nbSnapshots === 0 ? 0 : u64(fixed, HEADER.snapshotsOffset, path, 'snapshots_offset');
  const extendedL2 = (incompatibleFeatures & INCOMPAT_EXTL2) !== 0n;
  const entriesPerL2 = clusterSize / (extendedL2 ? 16 : 8);
  const neededL1 = Math.ceil(virtualSize / (clusterSize * entriesPerL2));
  if (l1Size * 8 > QCOW2_MAX_L1_BYTES) throw badImage(path, `${F}.l1_size`, `L1 table of ${l1Size} entries is larger than ${QCOW2_MAX_L1_BYTES} bytes`);
  if (l1Size < neededL1) throw badImage(path, `${F}.l1_size`, `L1 table of ${l1Size} entries is too small for a virtual size of ${virtualSize} bytes (needs ${neededL1})`);
  if (l1Size > 0) {
    if (!aligned(l1TableOffset, clusterSize)) throw badImage(path, `${F}.l1_table_offset`, `L1 table offset ${l1TableOffset} is not aligned to the cluster size ${clusterSize}`);
    if (l1TableOffset + l1Size * 8 > file.size) throw badImage(path, `${F}.l1_table_offset`, `L1 table (${l1Size * 8} bytes at ${l1TableOffset}) lies past the end of the file (${file.size} bytes)`, { reason: 'truncated' });
  }
  if (fixed.readBigUInt64BE(HEADER.refcountTableOffset) % BigInt(clusterSize) !== 0n) throw badImage(path, `${F}.refcount_table_offset`, `refcount table offset ${refcountTableOffset} is not aligned to the cluster size`);
  if (refcountTableClusters * clusterSize > QCOW2_MAX_REFTABLE_BYTES) throw badImage(path, `${F}.refcount_table_clusters`, `refcount table of ${refcountTableClusters} clusters is too large`);
  if (nbSnapshots > QCOW2_MAX_SNAPSHOTS) throw badImage(path, `${F}.nb_snapshots`, `${nbSnapshots} snapshots is more than ${QCOW2_MAX_SNAPSHOTS}`);
  const snapshotsMisaligned = fixed.readBigUInt64BE(HEADER.snapshotsOffset) % BigInt(clusterSize) !== 0n;
  if (snapshotsMisaligned || (nbSnapshots > 0 && snapshotsOffset >= file.size)) {
    throw badImage(path, `${F}.snapshots_offset`, `snapshot table offset ${snapshotsOffset} is not cluster aligned or lies past the end of the file`);
  }
  const backingFile = await readBackingName(file, fixed, clusterSize);
  // Extensions end where the backing file name starts (qemu's rule), else at the cluster end.
  const backingOffset = Number(fixed.readBigUInt64BE(HEADER.backingFileOffset));
  const extensionsEnd = backingOffset > 0 ? backingOffset : clusterSize;
  const extensions = await readExtensions(file, headerLength, extensionsEnd);
  if ((autoclearFeatures & AUTOCLEAR_DATA_FILE_RAW) && !(incompatibleFeatures & INCOMPAT_DATA_FILE)) {
    throw badImage(path, `${F}.autoclear_features`, 'the raw external data bit is set but the image has no external data file');
  }
  if ((incompatibleFeatures & INCOMPAT_DATA_FILE) && extensions.dataFile === null) {
    throw badImage(path, `${F}.incompatible_features`, 'the external data file bit is set but the image names no data file');
  }
  return {
    version, clusterBits, clusterSize, virtualSize, l1Size, l1TableOffset, refcountTableOffset, refcountTableClusters,
    nbSnapshots, snapshotsOffset, incompatibleFeatures, compatibleFeatures, autoclearFeatures, refcountOrder,
    headerLength, compressionType, backingFile, backingFormat: extensions.backingFormat,
    dataFile: (incompatibleFeatures & INCOMPAT_DATA_FILE) ? extensions.dataFile : null,
    extendedL2, dirty: (incompatibleFeatures & INCOMPAT_DIRTY) !== 0n,
    corrupt: (incompatibleFeatures & INCOMPAT_CORRUPT) !== 0n,
  };
}

async function readBackingName(file: ImageFile, fixed: Buffer, clusterSize: number): Promise<string | null> {
  const offset = u64(fixed, HEADER.backingFileOffset, file.path, 'backing_file_offset');
  const size = fixed.readUInt32BE(HEADER.backingFileSize);
  if (offset > clusterSize) throw badImage(file.path, `${F}.backing_file_offset`, `backing file name at ${offset} lies outside the header cluster`);
  if (offset === 0 || size === 0) return null;
  if (size > QCOW2_MAX_BACKING_NAME) throw badImage(file.path, `${F}.backing_file_size`, `backing file name of ${size} bytes is longer than ${QCOW2_MAX_BACKING_NAME}`);
  return (await file.readAt(offset, size, `${F}.backing_file_offset (backing file name)`)).toString('utf8');
}

interface Qcow2Extensions {
  backingFormat: string | null;
  dataFile: string | null;
}

/** Walks the header extensions inside the first cluster; calls visit for each. */
async function walkExtensions(
  file: ImageFile, start: number, areaEnd: number, visit: (type: number, data: Buffer) => void,
): Promise<void> {
  const end = Math.min(areaEnd, file.size);
  if (start >= end) return;
  const area = await file.readAt(start, end - start, `${F} extensions`);
  let position = 0;
  while (position + 8 <= area.length) {
    const type = area.readUInt32BE(position);
    const length = area.readUInt32BE(position + 4);
    const dataStart = position + 8;
    // Length first, even for the end marker (qemu's order).
    if (dataStart + length > area.length) throw badImage(file.path, `${F} extension 0x${type.toString(16)}`, `header extension of ${length} bytes is too large (runs past the end of the extension area)`);
    if (type === EXT_END) return;
    visit(type, area.subarray(dataStart, dataStart + length));
    position = dataStart + Math.ceil(length / 8) * 8;
  }
}

/**
 * The data of the header extension of `type` (the first one), or null when the image has
 * none; the same walk and bounds as the header's own extensions (inside the first cluster).
 */
export async function readQcow2Extension(file: ImageFile, header: Qcow2Header, type: number): Promise<Buffer | null> {
  const backingOffset = Number((await file.readAt(HEADER.backingFileOffset, 8, `${F}.backing_file_offset`)).readBigUInt64BE(0));
  let found: Buffer | null = null;
  const areaEnd = backingOffset > 0 ? backingOffset : header.clusterSize;
  await walkExtensions(file, header.headerLength, areaEnd, (seen, data) => {
    if (seen === type && found === null) found = Buffer.from(data);
  });
  return found;
}

async function readExtensions(file: ImageFile, start: number, areaEnd: number): Promise<Qcow2Extensions> {
  const found: Qcow2Extensions = { backingFormat: null, dataFile: null };
  await walkExtensions(file, start, areaEnd, (type, data) => {
    if (type === EXT_BACKING_FORMAT) found.backingFormat = data.toString('utf8');
    else if (type === EXT_DATA_FILE) found.dataFile = data.toString('utf8');
  });
  return found;
}

/** Names of incompatible feature bits from the feature name table, for error messages. */
async function readFeatureNames(file: ImageFile, start: number, clusterSize: number): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  await walkExtensions(file, start, clusterSize, (type, data) => {
    if (type !== EXT_FEATURE_NAMES) return;
    for (let at = 0; at + FEATURE_NAME_ENTRY <= data.length; at += FEATURE_NAME_ENTRY) {
      if (data.readUInt8(at) !== 0) continue;
      names.set(data.readUInt8(at + 1), data.toString('utf8', at + 2, at + FEATURE_NAME_ENTRY).replace(/\0+$/, ''));
    }
  }).catch(() => undefined);
  return names;
}
