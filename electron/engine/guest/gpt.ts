/**
 * GPT: the header at LBA 1 (CRC-checked over its declared size), the partition entry
 * array (CRC-checked), and, when the primary header or its entries are damaged, the backup
 * header at the disk's last LBA. Sector sizes 512 and 4096 are tried. Entry counts and
 * sizes are bounded before anything is allocated.
 */
import { crc32 } from 'node:zlib';
import type { BlockSource } from './guest-filesystem.ts';
import type { PartitionEntry } from './partition-entry.ts';

export const GPT_SIGNATURE = 'EFI PART';
const MIN_HEADER_SIZE = 92;
const MIN_ENTRY_SIZE = 128;
const MAX_ENTRY_SIZE = 4096;
/** The entry array a GPT may have (the spec's usual 128 x 128 is 16 KiB). */
const MAX_ENTRY_ARRAY = 1024 * 1024;
const NAME_OFFSET = 56;
const NAME_BYTES = 72;

export interface GptHeader {
  sectorSize: number;
  myLba: bigint;
  alternateLba: bigint;
  firstUsable: bigint;
  lastUsable: bigint;
  entriesLba: bigint;
  entryCount: number;
  entrySize: number;
  entriesCrc: number;
}

export interface GptReadResult {
  partitions: PartitionEntry[];
  warnings: string[];
}

/** Why a GPT header sector is not valid, or the header. */
export function parseGptHeader(sector: Buffer, sectorSize: number, expectedLba: bigint): GptHeader | string {
  if (sector.toString('latin1', 0, 8) !== GPT_SIGNATURE) return 'no "EFI PART" signature';
  const headerSize = sector.readUInt32LE(12);
  if (headerSize < MIN_HEADER_SIZE || headerSize > sectorSize) return `header size ${headerSize} is out of range`;
  const copy = Buffer.from(sector.subarray(0, headerSize));
  const stored = copy.readUInt32LE(16);
  copy.writeUInt32LE(0, 16);
  if (crc32(copy) !== stored) return 'header CRC32 does not match';
  const header: GptHeader = {
    sectorSize,
    myLba: sector.readBigUInt64LE(24),
    alternateLba: sector.readBigUInt64LE(32),
    firstUsable: sector.readBigUInt64LE(40),
    lastUsable: sector.readBigUInt64LE(48),
    entriesLba: sector.readBigUInt64LE(72),
    entryCount: sector.readUInt32LE(80),
    entrySize: sector.readUInt32LE(84),
    entriesCrc: sector.readUInt32LE(88),
  };
  if (header.myLba !== expectedLba) return `header says it is at LBA ${header.myLba}, read at ${expectedLba}`;
  if (header.entrySize < MIN_ENTRY_SIZE || header.entrySize > MAX_ENTRY_SIZE || header.entrySize % 8 !== 0) {
    return `entry size ${header.entrySize} is invalid`;
  }
  if (header.entryCount * header.entrySize > MAX_ENTRY_ARRAY) return `${header.entryCount} entries is more than a GPT holds`;
  return header;
}

function guidAt(bytes: Buffer, at: number): string {
  const hex = (start: number, end: number, reverse: boolean): string => {
    const part = Buffer.from(bytes.subarray(at + start, at + end));
    return (reverse ? part.reverse() : part).toString('hex');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}

function utf16Name(bytes: Buffer): string {
  const text = bytes.toString('utf16le');
  const end = text.indexOf('\u0000');
  return end === -1 ? text : text.slice(0, end);
}

/** Entries of a valid header, or why they cannot be used. */
async function readEntries(source: BlockSource, header: GptHeader): Promise<PartitionEntry[] | string> {
  const arrayBytes = header.entryCount * header.entrySize;
  const start = header.entriesLba * BigInt(header.sectorSize);
  if (start + BigInt(arrayBytes) > BigInt(source.size)) return 'the partition entry array lies past the disk end';
  const array = await source.read(Number(start), arrayBytes);
  if (crc32(array) !== header.entriesCrc) return 'the partition entry array CRC32 does not match';
  const sector = BigInt(header.sectorSize);
  const partitions: PartitionEntry[] = [];
  for (let i = 0; i < header.entryCount; i += 1) {
    const at = i * header.entrySize;
    const typeGuid = guidAt(array, at);
    if (typeGuid === '00000000-0000-0000-0000-000000000000') continue;
    const first = array.readBigUInt64LE(at + 32);
    const last = array.readBigUInt64LE(at + 40);
    if (last < first || (last + 1n) * sector > BigInt(source.size)) {
      return `partition ${i + 1} spans LBA ${first}-${last}, outside the disk`;
    }
    const name = utf16Name(array.subarray(at + NAME_OFFSET, at + NAME_OFFSET + NAME_BYTES));
    partitions.push({
      id: String(i + 1), offset: Number(first * sector), size: Number((last - first + 1n) * sector), typeCode: typeGuid,
      ...(name === '' ? {} : { name }),
    });
  }
  return partitions;
}

async function tryHeader(source: BlockSource, sectorSize: number, lba: bigint): Promise<GptReadResult | string> {
  const at = lba * BigInt(sectorSize);
  if (at < 0n || at + BigInt(sectorSize) > BigInt(source.size)) return 'header lies outside the disk';
  const header = parseGptHeader(await source.read(Number(at), sectorSize), sectorSize, lba);
  if (typeof header === 'string') return header;
  const entries = await readEntries(source, header);
  if (typeof entries === 'string') return entries;
  return { partitions: entries, warnings: [] };
}

/**
 * The GPT of a disk: the primary when valid, else the backup (with a warning naming the
 * primary's damage). null when neither sector size finds a GPT signature; a string when a
 * signature is there but no header and entry array is valid.
 */
export async function readGpt(source: BlockSource): Promise<GptReadResult | string | null> {
  const problems: string[] = [];
  let sawSignature = false;
  for (const sectorSize of [512, 4096]) {
    if (source.size < sectorSize * 3) continue;
    const primary = await tryHeader(source, sectorSize, 1n);
    if (typeof primary !== 'string') return primary;
    const lastLba = BigInt(Math.floor(source.size / sectorSize) - 1);
    const backup = await tryHeader(source, sectorSize, lastLba);
    const primaryHadSignature = primary !== 'no "EFI PART" signature';
    if (typeof backup !== 'string') {
      backup.warnings.push(`The primary GPT header is damaged (${primary}); the backup header at LBA ${lastLba} was used.`);
      return backup;
    }
    if (primaryHadSignature || backup !== 'no "EFI PART" signature') {
      sawSignature = true;
      problems.push(`${sectorSize}-byte sectors: primary ${primary}; backup ${backup}`);
    }
  }
  return sawSignature ? problems.join('; ') : null;
}
