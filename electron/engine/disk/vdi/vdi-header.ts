/**
 * The VirtualBox VDI header, version 1.1 (the only version VirtualBox and qemu write).
 * All integers little-endian; UUIDs in VirtualBox byte order (first three fields LE).
 *
 * | field            | offset | size | meaning                                          |
 * |------------------|--------|------|--------------------------------------------------|
 * | text             | 0x000  | 64   | "<<< Oracle VM VirtualBox Disk Image >>>\n"       |
 * | signature        | 0x040  | 4    | 0xbeda107f                                       |
 * | version          | 0x044  | 4    | 0x00010001 (1.1)                                 |
 * | headerSize       | 0x048  | 4    | 0x180 (bytes from 0x48)                          |
 * | imageType        | 0x04c  | 4    | 1 dynamic, 2 fixed, 3 undo, 4 differencing       |
 * | flags            | 0x050  | 4    |                                                  |
 * | description      | 0x054  | 256  |                                                  |
 * | offsetBlocks     | 0x154  | 4    | block map offset (bytes, sector aligned)         |
 * | offsetData       | 0x158  | 4    | first block offset (bytes, sector aligned)       |
 * | legacy geometry  | 0x15c  | 16   | cylinders, heads, sectors, sectorSize (512)      |
 * | unused           | 0x16c  | 4    |                                                  |
 * | diskSize         | 0x170  | 8    | virtual size in bytes                            |
 * | blockSize        | 0x178  | 4    | 1 MiB                                            |
 * | blockExtra       | 0x17c  | 4    | bytes of per-block prefix data (0)               |
 * | blocksInImage    | 0x180  | 4    | block map entries                                |
 * | blocksAllocated  | 0x184  | 4    |                                                  |
 * | uuidImage        | 0x188  | 16   | this image                                       |
 * | uuidLastSnap     | 0x198  | 16   | changes on every modification                    |
 * | uuidLink         | 0x1a8  | 16   | differencing: the parent's uuidImage             |
 * | uuidParent       | 0x1b8  | 16   | differencing: the parent's uuidLastSnap          |
 *
 * Block map: blocksInImage u32 entries; entry n = block index in the data area (block
 * at offsetData + n * (blockSize + blockExtra) + blockExtra); 0xffffffff = unallocated
 * (zeros, or the parent's data in a differencing image); 0xfffffffe = zero block.
 */
import { badImage, unsupportedImage } from '../image-error.ts';

export const VDI_SIGNATURE = 0xbeda107f;
const VDI_VERSION_1_1 = 0x00010001;
const VDI_HEADER_SIZE_V1_1 = 0x180;
/** Bytes read for the header (the structure ends at 0x1c8; qemu writes 512). */
export const VDI_HEADER_BYTES = 512;

export const OFF_SIGNATURE = 0x40;
const OFF_VERSION = 0x44;
const OFF_HEADER_SIZE = 0x48;
const OFF_IMAGE_TYPE = 0x4c;
const OFF_FLAGS = 0x50;
const OFF_OFFSET_BLOCKS = 0x154;
const OFF_OFFSET_DATA = 0x158;
const OFF_SECTOR_SIZE = 0x168;
const OFF_DISK_SIZE = 0x170;
const OFF_BLOCK_SIZE = 0x178;
const OFF_BLOCK_EXTRA = 0x17c;
const OFF_BLOCKS_IN_IMAGE = 0x180;
const OFF_BLOCKS_ALLOCATED = 0x184;
export const OFF_UUID_IMAGE = 0x188;
export const OFF_UUID_LAST_SNAP = 0x198;
const OFF_UUID_LINK = 0x1a8;
const OFF_UUID_PARENT = 0x1b8;
export const UUID_BYTES = 16;

export const VDI_TYPE_DYNAMIC = 1;
export const VDI_TYPE_FIXED = 2;
export const VDI_TYPE_UNDO = 3;
export const VDI_TYPE_DIFF = 4;

export const BLOCK_UNALLOCATED = 0xffffffff;
export const BLOCK_ZERO = 0xfffffffe;
export const SECTOR = 512;

const MIN_BLOCK_SIZE = 512;
const MAX_BLOCK_SIZE = 256 * 1024 * 1024;
const MAX_BLOCK_EXTRA = 64 * 1024 * 1024;
/** Block map entries: 16 Mi x 1 MiB blocks = 16 TiB (a 64 MiB map). */
export const MAX_BLOCKS = 16 * 1024 * 1024;

export interface VdiHeader {
  imageType: number;
  offsetBlocks: number;
  offsetData: number;
  /** Virtual size in bytes, whole sectors (qemu rounds diskSize down to sectors). */
  diskSize: number;
  blockSize: number;
  blockExtra: number;
  blocksInImage: number;
  blocksAllocated: number;
  uuidImage: Buffer;
  uuidLastSnap: Buffer;
  uuidLink: Buffer;
  uuidParent: Buffer;
}

export function isNullUuid(uuid: Buffer): boolean {
  return uuid.every((byte) => byte === 0);
}

/** VirtualBox byte order (first three fields little-endian) to the usual text form. */
export function formatVdiUuid(uuid: Buffer): string {
  const hex = (start: number, end: number, reverse: boolean): string => {
    const part = Buffer.from(uuid.subarray(start, end));
    return (reverse ? part.reverse() : part).toString('hex');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}

export function probeVdi(head: Buffer): boolean {
  return head.length >= OFF_VERSION + 4 && head.readUInt32LE(OFF_SIGNATURE) === VDI_SIGNATURE;
}

/** Parses and range-checks a VDI header against the file size. */
export function parseVdiHeader(file: string, head: Buffer, fileSize: number): VdiHeader {
  if (head.length < VDI_HEADER_BYTES) throw badImage(file, 'vdi.header', `file is shorter than the ${VDI_HEADER_BYTES}-byte header`, { reason: 'truncated' });
  const signature = head.readUInt32LE(OFF_SIGNATURE);
  if (signature !== VDI_SIGNATURE) throw badImage(file, 'vdi.header.signature', `bad signature 0x${signature.toString(16)} (expected 0xbeda107f)`);
  const version = head.readUInt32LE(OFF_VERSION);
  if (version !== VDI_VERSION_1_1) throw unsupportedImage(file, 'vdi.header.version', `VDI version 0x${version.toString(16)} is not supported (1.1)`);
  const imageType = head.readUInt32LE(OFF_IMAGE_TYPE);
  if (imageType < VDI_TYPE_DYNAMIC || imageType > VDI_TYPE_DIFF) throw unsupportedImage(file, 'vdi.header.imageType', `image type ${imageType} is not known`);
  const sectorSize = head.readUInt32LE(OFF_SECTOR_SIZE);
  if (sectorSize !== SECTOR) throw unsupportedImage(file, 'vdi.header.sectorSize', `sector size ${sectorSize} is not 512`);
  const offsetBlocks = head.readUInt32LE(OFF_OFFSET_BLOCKS);
  const offsetData = head.readUInt32LE(OFF_OFFSET_DATA);
  if (offsetBlocks % SECTOR !== 0 || offsetBlocks < OFF_UUID_PARENT) throw badImage(file, 'vdi.header.offsetBlocks', `block map offset ${offsetBlocks} is not a sector offset past the header`);
  if (offsetData % SECTOR !== 0) throw badImage(file, 'vdi.header.offsetData', `data offset ${offsetData} is not sector aligned`);
  const blockSize = head.readUInt32LE(OFF_BLOCK_SIZE);
  if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE || (blockSize & (blockSize - 1)) !== 0) {
    throw badImage(file, 'vdi.header.blockSize', `block size ${blockSize} is not a power of two between ${MIN_BLOCK_SIZE} and ${MAX_BLOCK_SIZE}`);
  }
  const blockExtra = head.readUInt32LE(OFF_BLOCK_EXTRA);
  if (blockExtra > MAX_BLOCK_EXTRA) throw badImage(file, 'vdi.header.blockExtra', `block extra ${blockExtra} exceeds ${MAX_BLOCK_EXTRA}`);
  const blocksInImage = head.readUInt32LE(OFF_BLOCKS_IN_IMAGE);
  if (blocksInImage > MAX_BLOCKS) throw badImage(file, 'vdi.header.blocksInImage', `${blocksInImage} blocks exceed the limit of ${MAX_BLOCKS}`);
  if (offsetBlocks + blocksInImage * 4 > fileSize) {
    throw badImage(file, 'vdi.blockMap', `block map (${blocksInImage * 4} bytes at ${offsetBlocks}) lies past the end of the file (${fileSize} bytes)`, { reason: 'truncated' });
  }
  const rawDiskSize = head.readBigUInt64LE(OFF_DISK_SIZE);
  if (rawDiskSize > BigInt(blocksInImage) * BigInt(blockSize)) {
    throw badImage(file, 'vdi.header.diskSize', `disk size ${rawDiskSize} is larger than ${blocksInImage} blocks of ${blockSize} bytes`);
  }
  const diskSize = Math.floor(Number(rawDiskSize) / SECTOR) * SECTOR;
  const uuid = (offset: number): Buffer => Buffer.from(head.subarray(offset, offset + UUID_BYTES));
  return {
    imageType, offsetBlocks, offsetData, diskSize, blockSize, blockExtra, blocksInImage,
    blocksAllocated: head.readUInt32LE(OFF_BLOCKS_ALLOCATED),
    uuidImage: uuid(OFF_UUID_IMAGE), uuidLastSnap: uuid(OFF_UUID_LAST_SNAP), uuidLink: uuid(OFF_UUID_LINK),
    uuidParent: uuid(OFF_UUID_PARENT),
  };
}

const VDI_TEXT = '<<< Oracle VM VirtualBox Disk Image >>>\n';

/** A dynamic or fixed VDI header (512 bytes) for the writer. */
export function serializeVdiHeader(header: VdiHeader): Buffer {
  const out = Buffer.alloc(VDI_HEADER_BYTES);
  out.write(VDI_TEXT, 0, 'latin1');
  out.writeUInt32LE(VDI_SIGNATURE, OFF_SIGNATURE);
  out.writeUInt32LE(VDI_VERSION_1_1, OFF_VERSION);
  out.writeUInt32LE(VDI_HEADER_SIZE_V1_1, OFF_HEADER_SIZE);
  out.writeUInt32LE(header.imageType, OFF_IMAGE_TYPE);
  out.writeUInt32LE(0, OFF_FLAGS);
  out.writeUInt32LE(header.offsetBlocks, OFF_OFFSET_BLOCKS);
  out.writeUInt32LE(header.offsetData, OFF_OFFSET_DATA);
  out.writeUInt32LE(SECTOR, OFF_SECTOR_SIZE);
  out.writeBigUInt64LE(BigInt(header.diskSize), OFF_DISK_SIZE);
  out.writeUInt32LE(header.blockSize, OFF_BLOCK_SIZE);
  out.writeUInt32LE(header.blockExtra, OFF_BLOCK_EXTRA);
  out.writeUInt32LE(header.blocksInImage, OFF_BLOCKS_IN_IMAGE);
  out.writeUInt32LE(header.blocksAllocated, OFF_BLOCKS_ALLOCATED);
  header.uuidImage.copy(out, OFF_UUID_IMAGE);
  header.uuidLastSnap.copy(out, OFF_UUID_LAST_SNAP);
  header.uuidLink.copy(out, OFF_UUID_LINK);
  header.uuidParent.copy(out, OFF_UUID_PARENT);
  return out;
}
