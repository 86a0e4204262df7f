/**
 * The MFT: records read through $MFT's own $DATA runlist (the MFT may be fragmented, and
 * its runlist may continue in extension records named by its $ATTRIBUTE_LIST), and files
 * assembled from a base record and the extension records its attribute list names.
 */
import { recallRecent, rememberBounded } from '../../disk/bounded-cache.ts';
import type { BlockSource } from '../guest-filesystem.ts';
import { check, guestDamage } from '../guest-errors.ts';
import type { NtfsGeometry } from './ntfs-boot-sector.ts';
import { AttributeType, fileReference, parseMftRecord, readSafe } from './ntfs-record.ts';
import type { MftRecord, NtfsAttribute } from './ntfs-record.ts';
import { StreamReader, streamOf } from './ntfs-stream.ts';
import type { NtfsStream } from './ntfs-stream.ts';

const CACHED_FILES = 2048;
/** An attribute list past this is damage (Windows' grow to a few hundred KiB at most). */
const MAX_ATTRIBUTE_LIST = 4 * 1024 * 1024;
/** Extension records one file may span. */
const MAX_EXTENSION_RECORDS = 4096;

export interface NtfsFile {
  number: number;
  sequence: number;
  flags: number;
  attributes: NtfsAttribute[];
}

interface ListEntry {
  type: number;
  name: string;
  startVcn: number;
  record: number;
}

function parseAttributeList(value: Buffer, what: string): ListEntry[] {
  const entries: ListEntry[] = [];
  let at = 0;
  while (at + 26 <= value.length) {
    const length = value.readUInt16LE(at + 4);
    check(length >= 26 && at + length <= value.length, what, `an attribute list entry of ${length} bytes does not fit`);
    const nameLength = value[at + 6] as number;
    const nameOffset = value[at + 7] as number;
    check(nameOffset + nameLength * 2 <= length, what, 'an attribute list name lies outside its entry');
    entries.push({
      type: value.readUInt32LE(at), name: value.toString('utf16le', at + nameOffset, at + nameOffset + nameLength * 2),
      startVcn: readSafe(value, at + 8, what), record: fileReference(value, at + 16).record,
    });
    at += length;
  }
  return entries;
}

export class Mft {
  readonly geometry: NtfsGeometry;
  readonly source: BlockSource;
  readonly streams: StreamReader;
  private mftStream: NtfsStream | undefined;
  private readonly files = new Map<number, NtfsFile>();

  constructor(geometry: NtfsGeometry, source: BlockSource) {
    this.geometry = geometry;
    this.source = source;
    this.streams = new StreamReader(source, geometry.clusterSize);
  }

  /** Number of records $MFT's data holds. */
  get recordCount(): number {
    return Math.floor((this.mftStream?.dataSize ?? 0) / this.geometry.recordSize);
  }

  /** Reads $MFT's own record and runlist; call once before anything else. */
  async load(): Promise<void> {
    const { recordSize, clusterSize, mftLcn, clusterCount } = this.geometry;
    const first = parseMftRecord(await this.source.read(mftLcn * clusterSize, recordSize), 0, clusterCount);
    check((first.flags & 1) !== 0, 'MFT record 0 ($MFT)', 'it is not in use');
    const own = first.attributes.filter((attribute) => attribute.type === AttributeType.DATA && attribute.name === '');
    check(own.length > 0 && own[0]?.nonResident !== undefined, 'MFT record 0 ($MFT)', 'it has no non-resident $DATA');
    this.mftStream = streamOf(own, '$MFT');
    const list = first.attributes.find((attribute) => attribute.type === AttributeType.ATTRIBUTE_LIST);
    if (list) {
      // The rest of $MFT's runlist lives in extension records reachable with the part read so far.
      const pieces = [...own];
      const entries = parseAttributeList(await this.attributeListValue(list, '$MFT'), 'the $MFT attribute list')
        .filter((entry) => entry.type === AttributeType.DATA && entry.name === '' && entry.record !== 0)
        .sort((a, b) => a.startVcn - b.startVcn);
      for (const entry of entries.slice(0, MAX_EXTENSION_RECORDS)) {
        const record = await this.record(entry.record);
        for (const attribute of record.attributes) {
          if (attribute.type === AttributeType.DATA && attribute.name === '' && attribute.nonResident?.startVcn === entry.startVcn) {
            pieces.push(attribute);
          }
        }
        this.mftStream = streamOf(pieces, '$MFT');
      }
    }
    check(this.recordCount > 11, '$MFT', `it holds ${this.recordCount} records, fewer than the system files`);
  }

  private async attributeListValue(list: NtfsAttribute, owner: string): Promise<Buffer> {
    const stream = streamOf([list], `the attribute list of ${owner}`);
    if (stream.dataSize > MAX_ATTRIBUTE_LIST) throw guestDamage(`The attribute list of ${owner}`, `its ${stream.dataSize} bytes are impossible`);
    return this.streams.read(stream, 0, stream.dataSize);
  }

  /** One raw record (fixups applied), read through $MFT's runlist. */
  async record(number: number): Promise<MftRecord> {
    const stream = this.mftStream;
    if (!stream) throw guestDamage('$MFT', 'it was not read');
    if (!Number.isSafeInteger(number) || number < 0 || number >= this.recordCount) {
      throw guestDamage('An NTFS file reference', `record ${number} lies outside $MFT (${this.recordCount} records)`);
    }
    const size = this.geometry.recordSize;
    const bytes = await this.streams.read(stream, number * size, size);
    return parseMftRecord(bytes, number, this.geometry.clusterCount);
  }

  /** A file: its base record's attributes plus those its attribute list keeps in extension records. */
  async file(number: number): Promise<NtfsFile> {
    const cached = recallRecent(this.files, number);
    if (cached) return cached;
    const base = await this.record(number);
    if ((base.flags & 1) === 0) throw guestDamage(`MFT record ${number}`, 'a directory names it but it is not in use');
    if (base.baseRecord !== 0) throw guestDamage(`MFT record ${number}`, `it is an extension of record ${base.baseRecord}, not a file`);
    const attributes = base.attributes.filter((attribute) => attribute.type !== AttributeType.ATTRIBUTE_LIST);
    const list = base.attributes.find((attribute) => attribute.type === AttributeType.ATTRIBUTE_LIST);
    if (list) {
      const entries = parseAttributeList(await this.attributeListValue(list, `MFT record ${number}`), `the attribute list of record ${number}`);
      const extensions = [...new Set(entries.map((entry) => entry.record).filter((record) => record !== number))];
      if (extensions.length > MAX_EXTENSION_RECORDS) throw guestDamage(`The attribute list of record ${number}`, 'it names too many records');
      for (const extension of extensions) {
        const record = await this.record(extension);
        if ((record.flags & 1) === 0 || record.baseRecord !== number) {
          throw guestDamage(`MFT record ${extension}`, `record ${number}'s attribute list names it but it does not belong to it`);
        }
        attributes.push(...record.attributes.filter((attribute) => attribute.type !== AttributeType.ATTRIBUTE_LIST));
      }
    }
    const file: NtfsFile = { number, sequence: base.sequence, flags: base.flags, attributes };
    rememberBounded(this.files, number, file, CACHED_FILES);
    return file;
  }

  /** The stream of attribute `type` named `name` of a file, or undefined. */
  stream(file: NtfsFile, type: number, name: string): NtfsStream | undefined {
    const pieces = file.attributes.filter((attribute) => attribute.type === type && attribute.name === name);
    return pieces.length === 0 ? undefined : streamOf(pieces, `attribute 0x${type.toString(16)} "${name}" of MFT record ${file.number}`);
  }
}
