/**
 * The ext2/3/4 superblock (1024 bytes at byte 1024): geometry checked against the volume
 * size and sane limits, features checked against what this reader understands, and the
 * metadata_csum checksum verified when the feature is on.
 */
import type { BlockSource } from '../guest-filesystem.ts';
import { guestDamage, guestUnsupported } from '../guest-errors.ts';
import { crc32cRaw } from './crc32c.ts';

export const SUPERBLOCK_OFFSET = 1024;
const MAGIC = 0xef53;

export const Incompat = {
  COMPRESSION: 0x1, FILETYPE: 0x2, RECOVER: 0x4, JOURNAL_DEV: 0x8, META_BG: 0x10, EXTENTS: 0x40, BIT64: 0x80,
  MMP: 0x100, FLEX_BG: 0x200, EA_INODE: 0x400, DIRDATA: 0x1000, CSUM_SEED: 0x2000, LARGEDIR: 0x4000,
  INLINE_DATA: 0x8000, ENCRYPT: 0x10000, CASEFOLD: 0x20000,
} as const;
export const RoCompat = { SPARSE_SUPER: 0x1, GDT_CSUM: 0x10, METADATA_CSUM: 0x400 } as const;
const Compat = { HAS_JOURNAL: 0x4, SPARSE_SUPER2: 0x200 } as const;

const NOT_READ: [number, string][] = [
  [Incompat.COMPRESSION, 'ext2 compression'],
  [Incompat.JOURNAL_DEV, 'an external ext3/4 journal device'],
  [Incompat.DIRDATA, 'ext4 dirdata'],
];
const KNOWN_INCOMPAT = Object.values(Incompat).reduce((all, bit) => all | bit, 0);

export interface ExtSuperblock {
  blockSize: number;
  blocksCount: number;
  inodesCount: number;
  firstDataBlock: number;
  blocksPerGroup: number;
  inodesPerGroup: number;
  inodeSize: number;
  groupCount: number;
  descSize: number;
  firstMetaBg: number;
  compat: number;
  incompat: number;
  roCompat: number;
  uuid: Buffer;
  label: string | undefined;
  /** metadata_csum seed (crc32c of the UUID, or s_checksum_seed). */
  csumSeed: number;
  backupGroups: [number, number];
  /** The journal needs recovery: what is read is the state before the journal replays. */
  needsRecovery: boolean;
  /** has_journal: the journal's inode (s_journal_inum, 0 with an external journal device). */
  hasJournal: boolean;
  journalInode: number;
  has(flag: 'metadata_csum' | 'extents' | 'inline_data' | 'filetype' | 'meta_bg' | '64bit' | 'sparse_super'
    | 'sparse_super2'): boolean;
}

const SB = 'The ext superblock';

export function superblockChecksumOk(raw: Buffer): boolean {
  return crc32cRaw(0xffffffff, raw.subarray(0, 1020)) === raw.readUInt32LE(1020);
}

export function parseSuperblock(raw: Buffer, volumeSize: number): ExtSuperblock {
  if (raw.length < 1024 || raw.readUInt16LE(56) !== MAGIC) throw guestDamage(SB, 'no ext magic number 0xEF53');
  const logBlock = raw.readUInt32LE(24);
  if (logBlock > 6) throw guestDamage(SB, `block size 2^(10+${logBlock}) is out of range`);
  const blockSize = 1024 << logBlock;
  const compat = raw.readUInt32LE(92);
  const incompat = raw.readUInt32LE(96);
  const roCompat = raw.readUInt32LE(100);
  const bit64 = (incompat & Incompat.BIT64) !== 0;
  const blocksCount = raw.readUInt32LE(4) + (bit64 ? raw.readUInt32LE(336) * 2 ** 32 : 0);
  const revLevel = raw.readUInt32LE(76);
  const inodeSize = revLevel === 0 ? 128 : raw.readUInt16LE(88);
  const inodesCount = raw.readUInt32LE(0);
  const firstDataBlock = raw.readUInt32LE(20);
  const blocksPerGroup = raw.readUInt32LE(32);
  const inodesPerGroup = raw.readUInt32LE(40);
  const descSize = bit64 ? raw.readUInt16LE(254) : 32;
  if ((roCompat & RoCompat.METADATA_CSUM) !== 0) {
    if (raw[373] !== 1) throw guestDamage(SB, `checksum type ${raw[373]} is unknown (crc32c is 1)`);
    if (!superblockChecksumOk(raw)) throw guestDamage(SB, 'its metadata_csum checksum does not match');
  }
  if (inodeSize < 128 || inodeSize > blockSize || (inodeSize & (inodeSize - 1)) !== 0) {
    throw guestDamage(SB, `inode size ${inodeSize} is invalid`);
  }
  if (blocksCount === 0 || blocksCount * blockSize > volumeSize) {
    throw guestDamage(SB, `${blocksCount} blocks of ${blockSize} bytes do not fit the ${volumeSize}-byte volume`);
  }
  if (blocksPerGroup === 0 || blocksPerGroup > blockSize * 8) throw guestDamage(SB, `${blocksPerGroup} blocks per group is invalid`);
  if (inodesPerGroup === 0 || inodesPerGroup > blockSize * 8) throw guestDamage(SB, `${inodesPerGroup} inodes per group is invalid`);
  if (firstDataBlock >= blocksCount) throw guestDamage(SB, `first data block ${firstDataBlock} is past the end`);
  const groupCount = Math.ceil((blocksCount - firstDataBlock) / blocksPerGroup);
  if (inodesCount > groupCount * inodesPerGroup) throw guestDamage(SB, `${inodesCount} inodes do not fit ${groupCount} groups`);
  if (descSize < 32 || descSize > 1024 || (bit64 && descSize < 64) || (descSize & (descSize - 1)) !== 0) {
    throw guestDamage(SB, `group descriptor size ${descSize} is invalid`);
  }
  for (const [bit, feature] of NOT_READ) if ((incompat & bit) !== 0) throw guestUnsupported(`An ext filesystem with ${feature}`);
  const unknown = incompat & ~KNOWN_INCOMPAT;
  if (unknown !== 0) throw guestUnsupported(`An ext filesystem with incompatible feature bits 0x${unknown.toString(16)}`);
  const uuid = Buffer.from(raw.subarray(104, 120));
  const labelEnd = raw.subarray(120, 136).indexOf(0);
  const label = raw.subarray(120, labelEnd === -1 ? 136 : 120 + labelEnd).toString('utf8');
  const csumSeed = (incompat & Incompat.CSUM_SEED) !== 0 ? raw.readUInt32LE(624) : crc32cRaw(0xffffffff, uuid);
  const flags: Record<string, boolean> = {
    metadata_csum: (roCompat & RoCompat.METADATA_CSUM) !== 0, extents: (incompat & Incompat.EXTENTS) !== 0,
    inline_data: (incompat & Incompat.INLINE_DATA) !== 0, filetype: (incompat & Incompat.FILETYPE) !== 0,
    meta_bg: (incompat & Incompat.META_BG) !== 0, '64bit': bit64,
    sparse_super: (roCompat & RoCompat.SPARSE_SUPER) !== 0, sparse_super2: (compat & Compat.SPARSE_SUPER2) !== 0,
  };
  return {
    blockSize, blocksCount, inodesCount, firstDataBlock, blocksPerGroup, inodesPerGroup, inodeSize, groupCount,
    descSize,
    firstMetaBg: raw.readUInt32LE(260), compat, incompat, roCompat, uuid, label: label === '' ? undefined : label, csumSeed,
    backupGroups: [raw.readUInt32LE(588), raw.readUInt32LE(592)],
    needsRecovery: (incompat & Incompat.RECOVER) !== 0,
    hasJournal: (compat & Compat.HAS_JOURNAL) !== 0,
    journalInode: raw.readUInt32LE(224),
    has: (flag) => flags[flag] === true,
  };
}

export async function readSuperblock(source: BlockSource): Promise<ExtSuperblock> {
  if (source.size < SUPERBLOCK_OFFSET + 1024) throw guestDamage(SB, 'the volume is smaller than a superblock');
  return parseSuperblock(await source.read(SUPERBLOCK_OFFSET, 1024), source.size);
}
