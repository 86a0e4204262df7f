/**
 * ext inodes: located through their group's descriptor, parsed into what the reader
 * needs (type, size, times with their extra precision and epoch bits, flags, i_block), and
 * the in-inode extended attribute "system.data" that holds inline data past 60 bytes.
 */
import type { GuestEntryType } from '../guest-filesystem.ts';
import { guestDamage } from '../guest-errors.ts';
import type { ExtSuperblock } from './ext-superblock.ts';

export const ROOT_INODE = 2;
export const InodeFlags = { INDEX: 0x1000, ENCRYPT: 0x800, EXTENTS: 0x80000, INLINE_DATA: 0x10000000 } as const;
const S_IFMT = 0o170000;
const EXTRA_MTIME = 0x88;
const XATTR_MAGIC = 0xea020000;
const XATTR_SYSTEM = 7;
/** Entries walked in an inode's xattr area (it holds a few hundred bytes at most). */
const MAX_XATTRS = 64;

export interface ExtInode {
  ino: number;
  mode: number;
  type: GuestEntryType | 'unknown';
  size: number;
  linksCount: number;
  mtimeMs: number;
  flags: number;
  /** 512-byte sectors, as i_blocks_lo counts them without huge_file. */
  blocks: number;
  fileAcl: number;
  /** The 60 bytes of i_block: block map, extent root, fast symlink target or inline data. */
  iBlock: Buffer;
  /** The value of system.data (inline data past i_block), when present. */
  inlineExtra?: Buffer;
}

function typeOf(mode: number): GuestEntryType | 'unknown' {
  switch (mode & S_IFMT) {
    case 0o100000: return 'file';
    case 0o040000: return 'dir';
    case 0o120000: return 'symlink';
    case 0: return 'unknown';
    default: return 'other';
  }
}

function mtimeOf(raw: Buffer, extraSize: number): number {
  const seconds = raw.readInt32LE(16);
  if (raw.length < EXTRA_MTIME + 4 || extraSize < EXTRA_MTIME + 4 - 128) return seconds * 1000;
  const extra = raw.readUInt32LE(EXTRA_MTIME);
  const epoch = extra & 3;
  const nanos = extra >>> 2;
  return (seconds + epoch * 2 ** 32) * 1000 + Math.floor(nanos / 1e6);
}

/** The value of system.data among the inode's in-inode xattrs, or undefined. */
function systemData(raw: Buffer, extraSize: number, ino: number): Buffer | undefined {
  const start = 128 + extraSize;
  if (start + 4 > raw.length || raw.readUInt32LE(start) !== XATTR_MAGIC) return undefined;
  const base = start + 4;
  let at = base;
  for (let n = 0; n < MAX_XATTRS && at + 16 <= raw.length; n += 1) {
    const nameLength = raw[at] ?? 0;
    if (nameLength === 0 && raw.readUInt32LE(at) === 0) return undefined;
    const nameIndex = raw[at + 1] ?? 0;
    const valueOffset = raw.readUInt16LE(at + 2);
    const valueInode = raw.readUInt32LE(at + 4);
    const valueSize = raw.readUInt32LE(at + 8);
    const name = raw.toString('latin1', at + 16, at + 16 + nameLength);
    if (nameIndex === XATTR_SYSTEM && name === 'data' && valueInode === 0) {
      if (base + valueOffset + valueSize > raw.length) throw guestDamage(`ext inode ${ino}`, 'its inline data runs past the inode');
      return Buffer.from(raw.subarray(base + valueOffset, base + valueOffset + valueSize));
    }
    at += (16 + nameLength + 3) & ~3;
  }
  return undefined;
}

export function parseInode(sb: ExtSuperblock, ino: number, raw: Buffer): ExtInode {
  const mode = raw.readUInt16LE(0);
  const size = raw.readUInt32LE(4) + raw.readUInt32LE(108) * 2 ** 32;
  // Extents and block maps address 2^32 logical blocks: no file is larger.
  if (!Number.isSafeInteger(size) || size > 2 ** 32 * sb.blockSize) throw guestDamage(`ext inode ${ino}`, `its size ${size} is impossible`);
  const extraSize = sb.inodeSize > 128 ? raw.readUInt16LE(128) : 0;
  if (extraSize > sb.inodeSize - 128) throw guestDamage(`ext inode ${ino}`, `its extra size ${extraSize} runs past the inode`);
  const flags = raw.readUInt32LE(32);
  const inode: ExtInode = {
    ino, mode, type: typeOf(mode), size, linksCount: raw.readUInt16LE(26), mtimeMs: mtimeOf(raw, extraSize), flags,
    blocks: raw.readUInt32LE(28), fileAcl: raw.readUInt32LE(104), iBlock: Buffer.from(raw.subarray(40, 100)),
  };
  if ((flags & InodeFlags.INLINE_DATA) !== 0) {
    const extra = systemData(raw, extraSize, ino);
    if (extra !== undefined) inode.inlineExtra = extra;
  }
  return inode;
}

/** The inode's inline bytes (i_block then system.data), up to its size. */
export function inlineBytes(inode: ExtInode): Buffer {
  const all = inode.inlineExtra ? Buffer.concat([inode.iBlock, inode.inlineExtra]) : inode.iBlock;
  if (inode.size > all.length) throw guestDamage(`ext inode ${inode.ino}`, `its inline data holds ${all.length} bytes, not ${inode.size}`);
  return all.subarray(0, inode.size);
}
