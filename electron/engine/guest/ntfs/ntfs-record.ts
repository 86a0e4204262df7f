/**
 * MFT records and INDX blocks: the update sequence array checked and applied (the last two
 * bytes of every 512-byte stride must hold the sequence number; the array holds the real
 * bytes), then the record header and its attributes, each bounded by the record.
 */
import { check, guestDamage } from '../guest-errors.ts';
import { decodeRunlist } from './ntfs-runlist.ts';
import type { DataRun } from './ntfs-runlist.ts';

export const AttributeType = {
  STANDARD_INFORMATION: 0x10, ATTRIBUTE_LIST: 0x20, FILE_NAME: 0x30, VOLUME_NAME: 0x60, DATA: 0x80,
  INDEX_ROOT: 0x90, INDEX_ALLOCATION: 0xa0, BITMAP: 0xb0, REPARSE_POINT: 0xc0, END: 0xffffffff,
} as const;

export const AttributeFlags = { COMPRESSED: 0x0001, ENCRYPTED: 0x4000, SPARSE: 0x8000 } as const;
export const RecordFlags = { IN_USE: 0x0001, DIRECTORY: 0x0002 } as const;

const STRIDE = 512;

/** Applies the update sequence array of a multi-sector structure in place. */
export function applyFixups(bytes: Buffer, magic: string, what: string): void {
  check(bytes.toString('latin1', 0, 4) === magic, what, `its signature is ${JSON.stringify(bytes.toString('latin1', 0, 4))}, not ${magic}`);
  const usaOffset = bytes.readUInt16LE(4);
  const usaCount = bytes.readUInt16LE(6);
  check(usaCount === bytes.length / STRIDE + 1, what, `its update sequence array has ${usaCount} entries for ${bytes.length} bytes`);
  check(usaOffset >= 8 && usaOffset % 2 === 0 && usaOffset + usaCount * 2 <= Math.min(bytes.length, STRIDE - 2), what,
    'its update sequence array lies outside its header');
  const usn = bytes.readUInt16LE(usaOffset);
  for (let i = 1; i < usaCount; i += 1) {
    const at = i * STRIDE - 2;
    check(bytes.readUInt16LE(at) === usn, what, `sector ${i - 1} was not completely written (update sequence mismatch)`);
    bytes.writeUInt16LE(bytes.readUInt16LE(usaOffset + i * 2), at);
  }
}

export interface NonResidentInfo {
  startVcn: number;
  lastVcn: number;
  runs: DataRun[];
  compressionUnit: number;
  allocatedSize: number;
  dataSize: number;
  initializedSize: number;
}

export interface NtfsAttribute {
  type: number;
  name: string;
  flags: number;
  id: number;
  /** The value of a resident attribute. */
  value?: Buffer;
  nonResident?: NonResidentInfo;
}

export interface MftRecord {
  number: number;
  sequence: number;
  flags: number;
  /** The base record's number, 0 for a base record. */
  baseRecord: number;
  attributes: NtfsAttribute[];
}

/** An 8-byte value that must fit a safe integer. */
export function readSafe(bytes: Buffer, at: number, what: string): number {
  const value = bytes.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw guestDamage(what, `a size or position ${value} is impossible`);
  return Number(value);
}

/** A file reference: the record number (low 48 bits) and the sequence number (high 16). */
export function fileReference(bytes: Buffer, at: number): { record: number; sequence: number } {
  return { record: bytes.readUIntLE(at, 6), sequence: bytes.readUInt16LE(at + 6) };
}

function parseAttribute(raw: Buffer, what: string, clusterCount: number): NtfsAttribute {
  const type = raw.readUInt32LE(0);
  const nonResident = raw[8] as number;
  const nameLength = raw[9] as number;
  const nameOffset = raw.readUInt16LE(10);
  check(nameLength === 0 || nameOffset + nameLength * 2 <= raw.length, what, `an attribute's name lies outside it`);
  const name = raw.toString('utf16le', nameOffset, nameOffset + nameLength * 2);
  const attribute: NtfsAttribute = { type, name, flags: raw.readUInt16LE(12), id: raw.readUInt16LE(14) };
  if (nonResident === 0) {
    check(raw.length >= 24, what, 'a resident attribute is too short');
    const valueLength = raw.readUInt32LE(16);
    const valueOffset = raw.readUInt16LE(20);
    check(valueOffset + valueLength <= raw.length, what, `attribute 0x${type.toString(16)}'s value lies outside it`);
    attribute.value = Buffer.from(raw.subarray(valueOffset, valueOffset + valueLength));
    return attribute;
  }
  check(nonResident === 1 && raw.length >= 64, what, 'a non-resident attribute is too short');
  const startVcn = readSafe(raw, 16, what);
  const lastVcn = readSafe(raw, 24, what);
  const runOffset = raw.readUInt16LE(32);
  check(runOffset >= 64 && runOffset <= raw.length, what, `attribute 0x${type.toString(16)}'s runlist lies outside it`);
  const info: NonResidentInfo = {
    startVcn, lastVcn, runs: decodeRunlist(raw.subarray(runOffset), startVcn, clusterCount),
    compressionUnit: raw.readUInt16LE(34), allocatedSize: readSafe(raw, 40, what), dataSize: readSafe(raw, 48, what),
    initializedSize: readSafe(raw, 56, what),
  };
  check(info.compressionUnit <= 16, what, `a compression unit of 2^${info.compressionUnit} clusters is impossible`);
  attribute.nonResident = info;
  return attribute;
}

/**
 * Parses an MFT record (fixups applied here). An unused or never-written record comes back
 * with flags 0 and no attributes.
 */
export function parseMftRecord(bytes: Buffer, number: number, clusterCount: number): MftRecord {
  const what = `MFT record ${number}`;
  if (bytes.readUInt32LE(0) === 0) return { number, sequence: 0, flags: 0, baseRecord: 0, attributes: [] };
  applyFixups(bytes, 'FILE', what);
  const sequence = bytes.readUInt16LE(16);
  const attributesOffset = bytes.readUInt16LE(20);
  const flags = bytes.readUInt16LE(22);
  const used = bytes.readUInt32LE(24);
  check(used <= bytes.length && attributesOffset >= 24 && attributesOffset < used, what, 'its header sizes are impossible');
  const baseRecord = fileReference(bytes, 32).record;
  const attributes: NtfsAttribute[] = [];
  let at = attributesOffset;
  while (at + 4 <= used) {
    const type = bytes.readUInt32LE(at);
    if (type === AttributeType.END) break;
    check(at + 16 <= used, what, 'an attribute header is cut off');
    const length = bytes.readUInt32LE(at + 4);
    check(length >= 16 && length % 8 === 0 && at + length <= used, what, `an attribute of ${length} bytes does not fit`);
    attributes.push(parseAttribute(bytes.subarray(at, at + length), what, clusterCount));
    at += length;
  }
  return { number, sequence, flags, baseRecord, attributes };
}

/** A FILE_NAME value (in a record or as an index key). */
export interface FileNameValue {
  parent: number;
  /** 0 POSIX, 1 Win32, 2 DOS, 3 Win32 and DOS. */
  namespace: number;
  name: string;
  fileAttributes: number;
  mtime: bigint;
  dataSize: number;
}

export function parseFileName(value: Buffer, what: string): FileNameValue {
  check(value.length >= 66, what, 'a file name is cut off');
  const length = value[64] as number;
  check(66 + length * 2 <= value.length, what, 'a file name is longer than its attribute');
  return {
    parent: fileReference(value, 0).record, namespace: value[65] as number,
    name: value.toString('utf16le', 66, 66 + length * 2), fileAttributes: value.readUInt32LE(56),
    mtime: value.readBigUInt64LE(16), dataSize: Number(value.readBigUInt64LE(48) & 0xffffffffffffn),
  };
}

/** NTFS time (100 ns since 1601, UTC) as ms since the epoch. */
export function ntfsTimeMs(time: bigint): number {
  return Number(time / 10000n) - 11644473600000;
}

/** The MFT record of the root folder. */
export const ROOT_RECORD = 5;
