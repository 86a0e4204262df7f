/**
 * Reads the VHDX file identifier, picks the current header and the valid region table.
 * Layouts in vhdx-layout.ts. A structure is valid when its signature and CRC-32C match;
 * headers must also be version 1.
 */
import type { PositionedReader } from '../table-pages.ts';
import { badImage, truncatedImage, unsupportedImage } from '../image-error.ts';
import { crc32cWithZeroedField } from './crc32c.ts';
import { guidBytes, guidText } from './vhdx-guid.ts';
import {
  GUID_BAT_REGION, GUID_METADATA_REGION, HEADER_CHECKSUM, REGION_CHECKSUM, REGION_ENTRIES, REGION_ENTRY_COUNT,
  REGION_ENTRY_SIZE, VHDX_ALIGNMENT, VHDX_HEADER_OFFSETS, VHDX_HEADER_SIGNATURE, VHDX_HEADER_SIZE,
  VHDX_MAX_TABLE_ENTRIES, VHDX_REGION_SIGNATURE, VHDX_REGION_TABLE_OFFSETS, VHDX_REGION_TABLE_SIZE, VHDX_SIGNATURE,
  parseHeader, readU64LE,
} from './vhdx-layout.ts';
import type { VhdxHeader, VhdxRegion } from './vhdx-layout.ts';

/** Where the structures before the first region end: identifier, 2 headers, 2 region tables. */
export const VHDX_HEADER_AREA_END = VHDX_REGION_TABLE_OFFSETS[1] + VHDX_REGION_TABLE_SIZE;

export interface HeaderCandidate {
  index: number;
  header: VhdxHeader | null;
  problem: string | null;
  /** The header's 4 KiB as read (null when it lies past the end of the file). */
  raw: Buffer | null;
}

export async function readIdentifier(file: PositionedReader): Promise<void> {
  if (file.size < 8) throw truncatedImage(file.path, 'vhdx.file_identifier', 0, 8, file.size);
  const signature = (await file.readAt(0, 8, 'vhdx.file_identifier')).toString('latin1');
  if (signature !== VHDX_SIGNATURE) throw badImage(file.path, 'vhdx.file_identifier.signature', 'no "vhdxfile" signature at offset 0: not a VHDX image');
}

/** Both headers, each valid (header set) or with the reason it is not. Never throws on damage. */
export async function readHeaderCandidates(file: PositionedReader): Promise<HeaderCandidate[]> {
  const candidates: HeaderCandidate[] = [];
  for (const [index, offset] of VHDX_HEADER_OFFSETS.entries()) {
    if (offset + VHDX_HEADER_SIZE > file.size) {
      candidates.push({ index, header: null, problem: `header ${index + 1} lies past the end of the file`, raw: null });
      continue;
    }
    const raw = await file.readAt(offset, VHDX_HEADER_SIZE, `vhdx.header${index + 1}`);
    let problem: string | null = null;
    if (raw.toString('latin1', 0, 4) !== VHDX_HEADER_SIGNATURE) problem = `header ${index + 1} has no "head" signature`;
    else if (crc32cWithZeroedField(raw, HEADER_CHECKSUM) !== raw.readUInt32LE(HEADER_CHECKSUM)) problem = `header ${index + 1} has a wrong CRC-32C checksum`;
    const header = problem === null ? parseHeader(raw) : null;
    if (header && header.version !== 1) problem = `header ${index + 1} has version ${header.version}, expected 1`;
    candidates.push({ index, header: problem === null ? header : null, problem, raw });
  }
  return candidates;
}

/**
 * The current header: the valid one with the higher sequence number (qemu's rule). Two
 * valid headers with the same sequence number are accepted when they are byte-identical
 * (Microsoft Disk2VHD writes them so; qemu's vhdx_parse_header takes the first), and
 * refused when they differ (then nothing tells which one is current).
 */
export function chooseHeader(path: string, candidates: HeaderCandidate[]): VhdxHeader {
  const valid = candidates.filter((candidate) => candidate.header !== null);
  if (valid.length === 0) {
    throw badImage(path, 'vhdx.header', `no valid header: ${candidates.map((candidate) => candidate.problem).join('; ')}`);
  }
  if (valid.length === 2 && valid[0]!.header!.sequence === valid[1]!.header!.sequence) {
    if (sameBytes(valid[0]!.raw, valid[1]!.raw)) return valid[0]!.header!;
    throw badImage(path, 'vhdx.header.sequence_number', 'both headers are valid with the same sequence number but different contents: cannot tell which is current');
  }
  valid.sort((a, b) => (a.header!.sequence > b.header!.sequence ? -1 : 1));
  return valid[0]!.header!;
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a !== null && b !== null && a.equals(b);
}

export interface RegionTable {
  bat: VhdxRegion;
  metadata: VhdxRegion;
}

/** Parses one region table; returns the reason when it is not valid. */
export function parseRegionTable(path: string, raw: Buffer): RegionTable | string {
  if (raw.toString('latin1', 0, 4) !== VHDX_REGION_SIGNATURE) return 'no "regi" signature';
  if (crc32cWithZeroedField(raw, REGION_CHECKSUM) !== raw.readUInt32LE(REGION_CHECKSUM)) return 'wrong CRC-32C checksum';
  const count = raw.readUInt32LE(REGION_ENTRY_COUNT);
  if (count > VHDX_MAX_TABLE_ENTRIES) return `${count} entries exceed the limit of ${VHDX_MAX_TABLE_ENTRIES}`;
  let bat: VhdxRegion | null = null;
  let metadata: VhdxRegion | null = null;
  const batGuid = guidBytes(GUID_BAT_REGION);
  const metadataGuid = guidBytes(GUID_METADATA_REGION);
  for (let i = 0; i < count; i += 1) {
    const at = REGION_ENTRIES + i * REGION_ENTRY_SIZE;
    const region: VhdxRegion = {
      guid: Buffer.from(raw.subarray(at, at + 16)),
      offset: readU64LE(raw, at + 16),
      length: raw.readUInt32LE(at + 24),
      required: (raw.readUInt32LE(at + 28) & 1) === 1,
    };
    if (region.guid.equals(batGuid)) bat = region;
    else if (region.guid.equals(metadataGuid)) metadata = region;
    else if (region.required) {
      throw unsupportedImage(path, `vhdx.region_table[${guidText(region.guid)}]`, 'unknown required region: this VHDX uses a feature we do not read');
    }
  }
  if (!bat) return 'no BAT region';
  if (!metadata) return 'no metadata region';
  return { bat, metadata };
}

/** The first valid region table (the second is a copy), with each region checked. */
export async function readRegionTable(file: PositionedReader): Promise<RegionTable> {
  const problems: string[] = [];
  for (const [index, offset] of VHDX_REGION_TABLE_OFFSETS.entries()) {
    if (offset + VHDX_REGION_TABLE_SIZE > file.size) {
      problems.push(`region table ${index + 1} lies past the end of the file`);
      continue;
    }
    const parsed = parseRegionTable(file.path, await file.readAt(offset, VHDX_REGION_TABLE_SIZE, `vhdx.region_table${index + 1}`));
    if (typeof parsed === 'string') {
      problems.push(`region table ${index + 1}: ${parsed}`);
      continue;
    }
    checkRegion(file, parsed.bat, 'bat');
    checkRegion(file, parsed.metadata, 'metadata');
    if (overlaps(parsed.bat, parsed.metadata)) throw badImage(file.path, 'vhdx.region_table', 'the BAT and metadata regions overlap');
    return parsed;
  }
  throw badImage(file.path, 'vhdx.region_table', `no valid region table: ${problems.join('; ')}`);
}

function checkRegion(file: PositionedReader, region: VhdxRegion, name: string): void {
  const field = `vhdx.region_table.${name}`;
  if (
    !Number.isSafeInteger(region.offset) || region.offset < VHDX_HEADER_AREA_END
    || region.offset % VHDX_ALIGNMENT !== 0
  ) {
    throw badImage(file.path, `${field}.file_offset`, `region offset ${region.offset} is not a 1 MiB boundary past the headers`);
  }
  if (region.length === 0 || region.length % VHDX_ALIGNMENT !== 0) {
    throw badImage(file.path, `${field}.length`, `region length ${region.length} is not a non-zero multiple of 1 MiB`);
  }
  if (region.offset >= file.size) throw truncatedImage(file.path, field, region.offset, region.length, file.size);
}

export function overlaps(a: { offset: number; length: number }, b: { offset: number; length: number }): boolean {
  return a.offset < b.offset + b.length && b.offset < a.offset + a.length;
}
