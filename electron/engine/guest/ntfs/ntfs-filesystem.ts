/**
 * A read-only NTFS filesystem over a BlockSource. Directories are $I30 B-trees (the root in
 * $INDEX_ROOT, nodes in $INDEX_ALLOCATION's INDX blocks with their fixups), walked with a
 * bound on nodes and entries; DOS (8.3) names are dropped in favour of the Win32/POSIX
 * names of the same file; hardlinks are the same MFT record under several names.
 * Files: the unnamed $DATA (resident, non-resident, sparse, LZNT1-compressed); alternate
 * data streams are listed in `streams` and read as "path:stream". Symlinks and junctions
 * are reparse points (target from the print name, "\" as "/"); ntfs-3g's Interix symlinks
 * are read too. Times from $STANDARD_INFORMATION, label from $Volume.
 */
import { recallRecent, rememberBounded } from '../../disk/bounded-cache.ts';
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import type { BlockSource, GuestCheckFinding, GuestEntry, GuestEntryType, GuestFilesystem } from '../guest-filesystem.ts';
import { check, guestDamage } from '../guest-errors.ts';
import { pathComponents } from '../guest-path.ts';
import { readNtfsBootSector } from './ntfs-boot-sector.ts';
import { parseIndexNode } from './ntfs-index.ts';
import type { IndexEntry } from './ntfs-index.ts';
import { Mft } from './ntfs-mft.ts';
import type { NtfsFile } from './ntfs-mft.ts';
import { applyFixups, AttributeType, ntfsTimeMs, RecordFlags, ROOT_RECORD } from './ntfs-record.ts';
import type { NtfsStream } from './ntfs-stream.ts';
import { checkNtfsMetadata } from './ntfs-check.ts';

const VOLUME_RECORD = 3;
/** Records 0-15 are system files ($MFT .. $Extend and reserved ones): not listed. */
const FIRST_USER_RECORD = 16;
const CACHED_DIRS = 64;
const MAX_DIRECTORY_ENTRIES = 4_000_000;
const MAX_SYMLINK_HOPS = 40;
const MAX_REPARSE_BYTES = 16 * 1024;
const DEFAULT_CHUNK = 1024 * 1024;
const MAX_CHUNK = 16 * 1024 * 1024;
const DOS_NAMESPACE = 2;
const FILE_ATTRIBUTE_READONLY = 0x1;
const FILE_ATTRIBUTE_SYSTEM = 0x4;
const REPARSE_SYMLINK = 0xa000000c;
const REPARSE_MOUNT_POINT = 0xa0000003;
const INTERIX_LINK = Buffer.from('IntxLNK\u0001', 'latin1');

export interface NtfsDirent {
  name: string;
  record: number;
  /** The record's sequence number the entry was written for (0: not recorded). */
  sequence: number;
}

/** An index entry left behind by a deleted file whose record was reused names another sequence. */
function isStale(entry: NtfsDirent, file: NtfsFile): boolean {
  return entry.sequence !== 0 && file.sequence !== entry.sequence;
}

interface FileInfo {
  type: GuestEntryType;
  size: number;
  mtimeMs: number;
  mode: number;
  target?: string;
  streams: string[];
}

function notFound(path: string): LabvaultError {
  return new LabvaultError(ErrorCodes.NOT_FOUND, `${path} does not exist in this filesystem.`, { field: 'path', details: { path } });
}

function notFolder(path: string): LabvaultError {
  return new LabvaultError(ErrorCodes.INVALID_INPUT, `${path} is not a folder.`, { field: 'path' });
}

/** A reparse point's link target: the print name (else the substitute name less "\??\"), "\" as "/". */
export function reparseTarget(data: Buffer, tag: number, what: string): string {
  const bufferAt = tag === REPARSE_SYMLINK ? 20 : 16;
  check(data.length >= bufferAt, what, 'its reparse data is cut off');
  const name = (offset: number, length: number): string => {
    check(bufferAt + offset + length <= data.length, what, 'a reparse name lies outside its data');
    return data.toString('utf16le', bufferAt + offset, bufferAt + offset + length);
  };
  const print = name(data.readUInt16LE(12), data.readUInt16LE(14));
  const target = print !== '' ? print : name(data.readUInt16LE(8), data.readUInt16LE(10)).replace(/^\\\?\?\\/, '');
  return target.replace(/\\/g, '/');
}

export class NtfsFilesystem implements GuestFilesystem {
  readonly kind = 'ntfs' as const;
  readonly mft: Mft;
  label: string | undefined;
  private readonly dirs = new Map<number, NtfsDirent[]>();

  constructor(mft: Mft) {
    this.mft = mft;
  }

  async readLabel(): Promise<string | undefined> {
    const volume = await this.mft.file(VOLUME_RECORD);
    const name = this.mft.stream(volume, AttributeType.VOLUME_NAME, '');
    if (!name?.resident) return undefined;
    const label = name.resident.toString('utf16le', 0, name.resident.length & ~1);
    return label === '' ? undefined : label;
  }

  private async indexBlock(allocation: NtfsStream, vcn: number, blockSize: number, what: string): Promise<Buffer> {
    const cs = this.mft.geometry.clusterSize;
    const offset = vcn * (blockSize >= cs ? cs : 512);
    check(Number.isSafeInteger(offset) && offset + blockSize <= allocation.dataSize, what, `its node at VCN ${vcn} lies outside its allocation`);
    const bytes = await this.mft.streams.read(allocation, offset, blockSize);
    applyFixups(bytes, 'INDX', `${what} (node at VCN ${vcn})`);
    return bytes;
  }

  /** The entries of a directory's $I30 index, DOS names dropped, system files hidden. */
  async directory(file: NtfsFile): Promise<NtfsDirent[]> {
    const cached = recallRecent(this.dirs, file.number);
    if (cached) return cached;
    const what = `The folder index of MFT record ${file.number}`;
    const root = this.mft.stream(file, AttributeType.INDEX_ROOT, '$I30');
    if (!root?.resident) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `MFT record ${file.number} is not a folder.`, { field: 'path' });
    check(root.resident.length >= 32, what, 'its root is cut off');
    const blockSize = root.resident.readUInt32LE(8);
    check(blockSize >= 512 && blockSize <= 65536 && (blockSize & (blockSize - 1)) === 0, what, `its block size ${blockSize} is impossible`);
    const allocation = this.mft.stream(file, AttributeType.INDEX_ALLOCATION, '$I30');
    const maxNodes = allocation ? Math.ceil(allocation.dataSize / blockSize) + 1 : 1;
    const found: IndexEntry[] = [];
    const pending: IndexEntry[][] = [parseIndexNode(root.resident, 16, what).entries];
    const seen = new Set<number>();
    while (pending.length > 0) {
      for (const entry of pending.pop() as IndexEntry[]) {
        if (entry.key) found.push(entry);
        if (entry.child === undefined) continue;
        if (!allocation) throw guestDamage(what, 'a node has children but the folder has no $INDEX_ALLOCATION');
        if (seen.has(entry.child)) throw guestDamage(what, `its B-tree reaches the node at VCN ${entry.child} twice`);
        seen.add(entry.child);
        if (seen.size > maxNodes) throw guestDamage(what, 'its B-tree has more nodes than its allocation holds');
        const block = await this.indexBlock(allocation, entry.child, blockSize, what);
        pending.push(parseIndexNode(block, 24, what).entries);
      }
      if (found.length > MAX_DIRECTORY_ENTRIES) throw guestDamage(what, 'it has too many entries');
    }
    const entries: NtfsDirent[] = [];
    const names = new Set<string>();
    for (const entry of found) {
      const key = entry.key;
      const hidden = entry.record < FIRST_USER_RECORD || entry.record === file.number;
      if (!key || key.namespace === DOS_NAMESPACE || hidden) continue;
      const id = `${entry.record}/${key.name}`;
      if (names.has(id)) continue;
      names.add(id);
      entries.push({ name: key.name, record: entry.record, sequence: entry.sequence });
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    rememberBounded(this.dirs, file.number, entries, CACHED_DIRS);
    return entries;
  }

  private async interixTarget(data: NtfsStream | undefined, attributes: number): Promise<string | undefined> {
    if ((attributes & FILE_ATTRIBUTE_SYSTEM) === 0 || !data) return undefined;
    if (data.dataSize < 10 || data.dataSize > MAX_REPARSE_BYTES) return undefined;
    const bytes = await this.mft.streams.read(data, 0, data.dataSize);
    if (!bytes.subarray(0, 8).equals(INTERIX_LINK)) return undefined;
    return bytes.toString('utf16le', 8, 8 + ((bytes.length - 8) & ~1)).replace(/\0+$/, '');
  }

  async info(file: NtfsFile): Promise<FileInfo> {
    const standard = this.mft.stream(file, AttributeType.STANDARD_INFORMATION, '');
    check(standard?.resident !== undefined && standard.resident.length >= 48, `MFT record ${file.number}`, 'its $STANDARD_INFORMATION is missing');
    const mtimeMs = ntfsTimeMs(standard.resident.readBigUInt64LE(8));
    const attributes = standard.resident.readUInt32LE(32);
    const streams = [...new Set(file.attributes.filter((attribute) => attribute.type === AttributeType.DATA && attribute.name !== '')
      .map((attribute) => attribute.name))];
    const reparse = this.mft.stream(file, AttributeType.REPARSE_POINT, '');
    const isDir = (file.flags & RecordFlags.DIRECTORY) !== 0;
    if (reparse) {
      check(reparse.dataSize >= 8 && reparse.dataSize <= MAX_REPARSE_BYTES, `The reparse point of MFT record ${file.number}`, 'its size is impossible');
      const data = await this.mft.streams.read(reparse, 0, reparse.dataSize);
      const tag = data.readUInt32LE(0);
      if (tag === REPARSE_SYMLINK || tag === REPARSE_MOUNT_POINT) {
        const target = reparseTarget(data, tag, `The reparse point of MFT record ${file.number}`);
        return { type: 'symlink', size: Buffer.byteLength(target), mtimeMs, mode: 0o777, target, streams };
      }
      if (!isDir) return { type: 'other', size: 0, mtimeMs, mode: 0o644, streams };
    }
    if (isDir) return { type: 'dir', size: 0, mtimeMs, mode: 0o755, streams };
    const data = this.mft.stream(file, AttributeType.DATA, '');
    const target = await this.interixTarget(data, attributes);
    if (target !== undefined) return { type: 'symlink', size: Buffer.byteLength(target), mtimeMs, mode: 0o777, target, streams };
    const mode = (attributes & FILE_ATTRIBUTE_READONLY) !== 0 ? 0o444 : 0o644;
    return { type: 'file', size: data?.dataSize ?? 0, mtimeMs, mode, streams };
  }

  private async entryOf(name: string, file: NtfsFile): Promise<GuestEntry> {
    const info = await this.info(file);
    const entry: GuestEntry = {
      name, type: info.type, size: info.size, mtimeMs: info.mtimeMs, mode: info.mode, inode: file.number,
    };
    if (info.target !== undefined) entry.target = info.target;
    if (info.streams.length > 0) entry.streams = info.streams;
    return entry;
  }

  private async child(dir: NtfsFile, name: string): Promise<NtfsDirent | undefined> {
    const entries = await this.directory(dir);
    const lower = name.toLowerCase();
    return entries.find((entry) => entry.name === name) ?? entries.find((entry) => entry.name.toLowerCase() === lower);
  }

  /** The file at `path`, following symlinks on the way (and the last one when `followLast`). */
  async resolve(path: string, followLast: boolean): Promise<{ file: NtfsFile; name: string }> {
    const pending = pathComponents(path).reverse();
    const stack: { file: NtfsFile; name: string }[] = [{ file: await this.mft.file(ROOT_RECORD), name: '/' }];
    let hops = 0;
    while (pending.length > 0) {
      const name = pending.pop() as string;
      const current = stack[stack.length - 1] as { file: NtfsFile; name: string };
      if (name === '..') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      if ((current.file.flags & RecordFlags.DIRECTORY) === 0) throw notFound(path);
      const entry = await this.child(current.file, name);
      if (!entry) throw notFound(path);
      const next = await this.mft.file(entry.record);
      if (isStale(entry, next)) throw notFound(path);
      if (pending.length > 0 || followLast) {
        const info = await this.info(next);
        if (info.type === 'symlink' && info.target !== undefined && !/^[A-Za-z]:/.test(info.target)) {
          hops += 1;
          if (hops > MAX_SYMLINK_HOPS) throw guestDamage(`The path ${path}`, `it follows more than ${MAX_SYMLINK_HOPS} symlinks`);
          if (info.target.startsWith('/')) stack.splice(1);
          pending.push(...info.target.split('/').filter((part) => part !== '' && part !== '.').reverse());
          continue;
        }
      }
      stack.push({ file: next, name: entry.name });
    }
    return stack[stack.length - 1] as { file: NtfsFile; name: string };
  }

  /** A path, or "path:stream" naming an alternate data stream when no file has that name. */
  private async resolveStream(path: string): Promise<{ file: NtfsFile; name: string; stream: string }> {
    try {
      return { ...(await this.resolve(path, false)), stream: '' };
    } catch (error) {
      const colon = path.lastIndexOf(':');
      if (!(error instanceof LabvaultError) || error.code !== ErrorCodes.NOT_FOUND || colon <= path.lastIndexOf('/')) throw error;
      const found = await this.resolve(path.slice(0, colon), false);
      const stream = path.slice(colon + 1);
      if (!this.mft.stream(found.file, AttributeType.DATA, stream)) throw notFound(path);
      return { ...found, name: `${found.name}:${stream}`, stream };
    }
  }

  async list(path: string): Promise<GuestEntry[]> {
    const { file } = await this.resolve(path, true);
    if ((file.flags & RecordFlags.DIRECTORY) === 0) throw notFolder(path);
    const out: GuestEntry[] = [];
    for (const entry of await this.directory(file)) {
      const child = await this.mft.file(entry.record);
      if (isStale(entry, child)) continue;
      out.push(await this.entryOf(entry.name, child));
    }
    return out;
  }

  async stat(path: string): Promise<GuestEntry> {
    const { file, name, stream } = await this.resolveStream(path);
    const entry = await this.entryOf(name, file);
    if (stream === '') return entry;
    const data = this.mft.stream(file, AttributeType.DATA, stream) as NtfsStream;
    return { name, type: 'file', size: data.dataSize, mtimeMs: entry.mtimeMs, mode: entry.mode };
  }

  async *readFile(path: string, chunkSize = DEFAULT_CHUNK): AsyncIterable<Buffer> {
    const { file, stream } = await this.resolveStream(path);
    if (stream === '' && (await this.info(file)).type !== 'file') {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, `${path} is not a regular file.`, { field: 'path' });
    }
    const data = this.mft.stream(file, AttributeType.DATA, stream);
    if (!data) return;
    const step = Math.max(4096, Math.min(chunkSize, MAX_CHUNK));
    for (let at = 0; at < data.dataSize; at += step) yield await this.mft.streams.read(data, at, step);
  }

  checkMetadata(options: { maxInodes: number }): Promise<GuestCheckFinding[]> {
    return checkNtfsMetadata(this, options.maxInodes);
  }
}

export async function openNtfsFilesystem(source: BlockSource): Promise<GuestFilesystem> {
  const mft = new Mft(await readNtfsBootSector(source), source);
  await mft.load();
  const fs = new NtfsFilesystem(mft);
  fs.label = await fs.readLabel();
  const root = await mft.file(ROOT_RECORD);
  if ((root.flags & RecordFlags.DIRECTORY) === 0) throw guestDamage('MFT record 5 (the root folder)', 'it is not a folder');
  return fs;
}

/** The volume label ($Volume's name) of an NTFS volume; undefined when it cannot be read. */
export async function ntfsVolumeLabel(source: BlockSource): Promise<string | undefined> {
  try {
    return (await openNtfsFilesystem(source)).label;
  } catch {
    return undefined;
  }
}
