/**
 * A read-only ext2/3/4 filesystem over a BlockSource, written for hostile input: every
 * inode number, block number and size read from the volume is checked before use, loops
 * are bounded, and positions are plain numbers checked to be safe integers (files past
 * 4 GiB read at their true offsets). Inodes, block maps and directories are cached with
 * fixed budgets; file data is read straight from the source (whose chunk cache bounds it).
 */
import { recallRecent, rememberBounded } from '../../disk/bounded-cache.ts';
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import type { BlockSource, GuestCheckFinding, GuestEntry, GuestFilesystem, GuestFilesystemKind } from '../guest-filesystem.ts';
import { guestDamage, guestUnsupported } from '../guest-errors.ts';
import { detectFilesystemIn } from '../detect-filesystem.ts';
import { pathComponents } from '../guest-path.ts';
import { IndirectMap, readExtentTree } from './ext-block-map.ts';
import type { FileBlockMap } from './ext-block-map.ts';
import { parseDirectoryBlock } from './ext-directory.ts';
import type { ExtDirent } from './ext-directory.ts';
import { GroupDescriptors } from './ext-group-descriptors.ts';
import { InodeFlags, inlineBytes, parseInode, ROOT_INODE } from './ext-inode.ts';
import type { ExtInode } from './ext-inode.ts';
import { readSuperblock } from './ext-superblock.ts';
import type { ExtSuperblock } from './ext-superblock.ts';
import { checkExtMetadata } from './ext-check.ts';
import { replayJournal } from './ext-journal-replay.ts';
import type { JournalState } from './ext-journal-replay.ts';

const CACHED_INODES = 1024;
const CACHED_MAPS = 64;
const CACHED_DIRS = 64;
/** Symlinks followed while resolving one path (Linux's limit). */
const MAX_SYMLINK_HOPS = 40;
const MAX_SYMLINK_LENGTH = 4096;
/** A directory this large is damage, not data (2^28 bytes of 8-byte records is 32 M entries). */
const MAX_DIRECTORY_BYTES = 256 * 1024 * 1024;
const MAX_DIRECTORY_ENTRIES = 4_000_000;
const DEFAULT_CHUNK = 1024 * 1024;
const MAX_CHUNK = 16 * 1024 * 1024;

function notFound(path: string): LabvaultError {
  return new LabvaultError(ErrorCodes.NOT_FOUND, `${path} does not exist in this filesystem.`, { field: 'path', details: { path } });
}

export class ExtFilesystem implements GuestFilesystem {
  readonly kind: GuestFilesystemKind;
  readonly label: string | undefined;
  readonly sb: ExtSuperblock;
  readonly source: BlockSource;
  readonly groups: GroupDescriptors;
  /** Set when the superblock asked for journal recovery: what the in-memory replay did. */
  journal: JournalState | undefined;
  private readonly inodes = new Map<number, ExtInode>();
  private readonly maps = new Map<number, FileBlockMap>();
  private readonly dirs = new Map<number, ExtDirent[]>();

  constructor(source: BlockSource, sb: ExtSuperblock, kind: GuestFilesystemKind, journal?: JournalState) {
    this.source = source;
    this.journal = journal;
    this.sb = sb;
    this.kind = kind;
    this.label = sb.label;
    this.groups = new GroupDescriptors(sb, source);
  }

  async inode(ino: number): Promise<ExtInode> {
    const cached = recallRecent(this.inodes, ino);
    if (cached) return cached;
    const sb = this.sb;
    if (!Number.isSafeInteger(ino) || ino < 1 || ino > sb.inodesCount) throw guestDamage('An ext directory entry', `inode ${ino} does not exist`);
    const group = Math.floor((ino - 1) / sb.inodesPerGroup);
    const index = (ino - 1) % sb.inodesPerGroup;
    const descriptor = await this.groups.get(group);
    const raw = await this.source.read(descriptor.inodeTable * sb.blockSize + index * sb.inodeSize, sb.inodeSize);
    const inode = parseInode(sb, ino, raw);
    rememberBounded(this.inodes, ino, inode, CACHED_INODES);
    return inode;
  }

  async blockMap(inode: ExtInode): Promise<FileBlockMap> {
    const cached = recallRecent(this.maps, inode.ino);
    if (cached) return cached;
    if ((inode.flags & InodeFlags.ENCRYPT) !== 0) throw guestUnsupported(`Reading encrypted ext inode ${inode.ino}`);
    const map = (inode.flags & InodeFlags.EXTENTS) !== 0
      ? await readExtentTree(this.sb, this.source, inode)
      : new IndirectMap(this.sb, this.source, inode);
    rememberBounded(this.maps, inode.ino, map, CACHED_MAPS);
    return map;
  }

  /** Bytes [position, position + length) of an inode's data, holes as zeros, clipped to its size. */
  async readData(inode: ExtInode, position: number, length: number): Promise<Buffer> {
    const end = Math.min(inode.size, position + length);
    if (position >= end) return Buffer.alloc(0);
    if ((inode.flags & InodeFlags.INLINE_DATA) !== 0) return Buffer.from(inlineBytes(inode).subarray(position, end));
    const bs = this.sb.blockSize;
    const out = Buffer.alloc(end - position);
    const first = Math.floor(position / bs);
    const last = Math.ceil(end / bs);
    const map = await this.blockMap(inode);
    for (const run of await map.runs(first, last - first)) {
      if (run.physical < 0) continue;
      const runStart = run.logical * bs;
      const from = Math.max(runStart, position);
      const to = Math.min(runStart + run.length * bs, end);
      if (to <= from) continue;
      const bytes = await this.source.read(run.physical * bs + (from - runStart), to - from);
      bytes.copy(out, from - position);
    }
    return out;
  }

  async directory(inode: ExtInode): Promise<ExtDirent[]> {
    const cached = recallRecent(this.dirs, inode.ino);
    if (cached) return cached;
    if (inode.type !== 'dir') throw new LabvaultError(ErrorCodes.INVALID_INPUT, `ext inode ${inode.ino} is not a folder.`, { field: 'path' });
    const hasFileType = this.sb.has('filetype');
    const entries: ExtDirent[] = [];
    if ((inode.flags & InodeFlags.INLINE_DATA) !== 0) {
      parseDirectoryBlock(inode.iBlock.subarray(4), hasFileType, inode.ino, this.sb.inodesCount, entries);
      if (inode.inlineExtra && inode.inlineExtra.length > 0) {
        parseDirectoryBlock(inode.inlineExtra, hasFileType, inode.ino, this.sb.inodesCount, entries);
      }
    } else {
      if (inode.size > MAX_DIRECTORY_BYTES) throw guestDamage(`The ext directory of inode ${inode.ino}`, `its size ${inode.size} is impossible`);
      const bs = this.sb.blockSize;
      const step = Math.max(bs, 1024 * 1024);
      for (let at = 0; at < inode.size; at += step) {
        const bytes = await this.readData(inode, at, step);
        for (let block = 0; block < bytes.length; block += bs) {
          parseDirectoryBlock(bytes.subarray(block, block + bs), hasFileType, inode.ino, this.sb.inodesCount, entries);
        }
        if (entries.length > MAX_DIRECTORY_ENTRIES) throw guestDamage(`The ext directory of inode ${inode.ino}`, 'it has too many entries');
      }
    }
    rememberBounded(this.dirs, inode.ino, entries, CACHED_DIRS);
    return entries;
  }

  async symlinkTarget(inode: ExtInode): Promise<string> {
    if (inode.size > MAX_SYMLINK_LENGTH) throw guestDamage(`The ext symlink inode ${inode.ino}`, `its target is ${inode.size} bytes long`);
    const dataBlocks = inode.blocks - (inode.fileAcl !== 0 ? this.sb.blockSize / 512 : 0);
    const mapped = (inode.flags & (InodeFlags.EXTENTS | InodeFlags.INLINE_DATA)) !== 0;
    const fast = !mapped && inode.size < 60 && dataBlocks <= 0;
    const bytes = fast ? inode.iBlock.subarray(0, inode.size) : await this.readData(inode, 0, inode.size);
    return bytes.toString('utf8');
  }

  /** The inode at `path`; the final symlink is followed only when `followLast`. */
  async resolve(path: string, followLast: boolean): Promise<ExtInode> {
    const pending = pathComponents(path).reverse();
    const stack: ExtInode[] = [await this.inode(ROOT_INODE)];
    let hops = 0;
    while (pending.length > 0) {
      const name = pending.pop() as string;
      const current = stack[stack.length - 1] as ExtInode;
      if (name === '..') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      if (current.type !== 'dir') throw notFound(path);
      const entry = (await this.directory(current)).find((candidate) => candidate.name === name);
      if (!entry) throw notFound(path);
      const next = await this.inode(entry.ino);
      if (next.type === 'symlink' && (pending.length > 0 || followLast)) {
        hops += 1;
        if (hops > MAX_SYMLINK_HOPS) throw guestDamage(`The path ${path}`, `it follows more than ${MAX_SYMLINK_HOPS} symlinks`);
        const target = await this.symlinkTarget(next);
        if (target.startsWith('/')) stack.splice(1);
        pending.push(...target.split('/').filter((part) => part !== '' && part !== '.').reverse());
        continue;
      }
      stack.push(next);
    }
    return stack[stack.length - 1] as ExtInode;
  }

  async entryOf(name: string, inode: ExtInode): Promise<GuestEntry> {
    const type = inode.type === 'unknown' ? 'other' : inode.type;
    const entry: GuestEntry = {
      name, type, size: inode.size, mtimeMs: inode.mtimeMs, mode: inode.mode & 0o7777, inode: inode.ino,
    };
    if (type === 'symlink') entry.target = await this.symlinkTarget(inode);
    return entry;
  }

  async list(path: string): Promise<GuestEntry[]> {
    const dir = await this.resolve(path, true);
    if (dir.type !== 'dir') throw new LabvaultError(ErrorCodes.INVALID_INPUT, `${path} is not a folder.`, { field: 'path' });
    const out: GuestEntry[] = [];
    for (const entry of await this.directory(dir)) {
      out.push(await this.entryOf(entry.name, await this.inode(entry.ino)));
    }
    return out;
  }

  async stat(path: string): Promise<GuestEntry> {
    const inode = await this.resolve(path, false);
    const parts = pathComponents(path);
    return this.entryOf(parts[parts.length - 1] ?? '/', inode);
  }

  async *readFile(path: string, chunkSize = DEFAULT_CHUNK): AsyncIterable<Buffer> {
    const inode = await this.resolve(path, false);
    if (inode.type !== 'file') throw new LabvaultError(ErrorCodes.INVALID_INPUT, `${path} is not a regular file.`, { field: 'path' });
    const step = Math.max(4096, Math.min(chunkSize, MAX_CHUNK));
    for (let at = 0; at < inode.size; at += step) yield await this.readData(inode, at, step);
  }

  checkMetadata(options: { maxInodes: number }): Promise<GuestCheckFinding[]> {
    return checkExtMetadata(this, options.maxInodes);
  }
}

/**
 * Opens the ext filesystem on `source`. When its journal needs recovery (a point of a
 * running guest), the journal is replayed in memory and the filesystem read through it;
 * a journal that cannot be replayed leaves the volume read as it is (the check says why).
 */
export async function openExtFilesystem(source: BlockSource): Promise<GuestFilesystem> {
  const sb = await readSuperblock(source);
  const detected = detectFilesystemIn(await source.read(0, 2048)).kind;
  const kind = detected === 'ext2' || detected === 'ext3' ? detected : 'ext4';
  const plain = new ExtFilesystem(source, sb, kind);
  if (!sb.needsRecovery) return plain;
  const replay = await replayJournal(plain);
  if (replay.state.status !== 'replayed') {
    plain.journal = replay.state;
    return plain;
  }
  return new ExtFilesystem(replay.source, replay.sb, kind, replay.state);
}
