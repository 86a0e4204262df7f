/**
 * ext group descriptors (32 bytes, or the superblock's descriptor size with 64bit), read
 * one descriptor block at a time and cached with a fixed budget. With meta_bg, the
 * descriptors of each meta group live in that meta group's first group. metadata_csum
 * descriptors are checksum-verified.
 */
import { recallRecent, rememberBounded } from '../../disk/bounded-cache.ts';
import type { BlockSource } from '../guest-filesystem.ts';
import { guestDamage } from '../guest-errors.ts';
import { crc32cRaw } from './crc32c.ts';
import type { ExtSuperblock } from './ext-superblock.ts';

const CACHED_BLOCKS = 64;
const CHECKSUM_OFFSET = 30;

export interface GroupDescriptor {
  group: number;
  blockBitmap: number;
  inodeBitmap: number;
  inodeTable: number;
  flags: number;
  checksum: number;
}

/** True when group `group` holds a superblock backup (and so, without meta_bg, descriptors). */
export function groupHasSuper(sb: ExtSuperblock, group: number): boolean {
  if (group === 0) return true;
  if (sb.has('sparse_super2')) return group === sb.backupGroups[0] || group === sb.backupGroups[1];
  if (group === 1 || !sb.has('sparse_super')) return true;
  for (const base of [3, 5, 7]) {
    let power = base;
    while (power < group) power *= base;
    if (power === group) return true;
  }
  return false;
}

/** The block holding descriptor block `index` (descriptors index*perBlock...). */
export function descriptorBlock(sb: ExtSuperblock, index: number): number {
  if (!sb.has('meta_bg') || index < sb.firstMetaBg) return sb.firstDataBlock + 1 + index;
  const first = index * (sb.blockSize / sb.descSize);
  return sb.firstDataBlock + first * sb.blocksPerGroup + (groupHasSuper(sb, first) ? 1 : 0);
}

/** The descriptor's metadata_csum checksum (low 16 bits of crc32c over group number and descriptor). */
export function descriptorChecksum(sb: ExtSuperblock, group: number, raw: Buffer): number {
  const number = Buffer.alloc(4);
  number.writeUInt32LE(group);
  let crc = crc32cRaw(sb.csumSeed, number);
  crc = crc32cRaw(crc, raw.subarray(0, CHECKSUM_OFFSET));
  crc = crc32cRaw(crc, Buffer.alloc(2));
  if (sb.descSize > CHECKSUM_OFFSET + 2) crc = crc32cRaw(crc, raw.subarray(CHECKSUM_OFFSET + 2, sb.descSize));
  return crc & 0xffff;
}

function parseDescriptor(sb: ExtSuperblock, group: number, raw: Buffer): GroupDescriptor {
  const wide = sb.has('64bit') && sb.descSize >= 64;
  const hi = (at: number): number => (wide ? raw.readUInt32LE(at) * 2 ** 32 : 0);
  return {
    group,
    blockBitmap: raw.readUInt32LE(0) + hi(32),
    inodeBitmap: raw.readUInt32LE(4) + hi(36),
    inodeTable: raw.readUInt32LE(8) + hi(40),
    flags: raw.readUInt16LE(18),
    checksum: raw.readUInt16LE(CHECKSUM_OFFSET),
  };
}

export class GroupDescriptors {
  private readonly sb: ExtSuperblock;
  private readonly source: BlockSource;
  private readonly blocks = new Map<number, Buffer>();

  constructor(sb: ExtSuperblock, source: BlockSource) {
    this.sb = sb;
    this.source = source;
  }

  /** The raw bytes of group `group`'s descriptor. */
  async raw(group: number): Promise<Buffer> {
    const sb = this.sb;
    if (!Number.isSafeInteger(group) || group < 0 || group >= sb.groupCount) {
      throw guestDamage('An ext group descriptor', `group ${group} does not exist (${sb.groupCount} groups)`);
    }
    const perBlock = sb.blockSize / sb.descSize;
    const index = Math.floor(group / perBlock);
    let block = recallRecent(this.blocks, index);
    if (block === undefined) {
      const number = descriptorBlock(sb, index);
      if (number >= sb.blocksCount) throw guestDamage('The ext group descriptor table', `its block ${number} is past the end`);
      block = await this.source.read(number * sb.blockSize, sb.blockSize);
      rememberBounded(this.blocks, index, block, CACHED_BLOCKS);
    }
    const at = (group % perBlock) * sb.descSize;
    return block.subarray(at, at + sb.descSize);
  }

  /** Group `group`'s descriptor, checksum-verified with metadata_csum, its inode table inside the volume. */
  async get(group: number): Promise<GroupDescriptor> {
    const raw = await this.raw(group);
    const descriptor = parseDescriptor(this.sb, group, raw);
    if (this.sb.has('metadata_csum') && descriptorChecksum(this.sb, group, raw) !== descriptor.checksum) {
      throw guestDamage(`The ext group descriptor of group ${group}`, 'its checksum does not match');
    }
    const tableBlocks = Math.ceil((this.sb.inodesPerGroup * this.sb.inodeSize) / this.sb.blockSize);
    if (descriptor.inodeTable === 0 || descriptor.inodeTable + tableBlocks > this.sb.blocksCount) {
      throw guestDamage(`The ext group descriptor of group ${group}`, `its inode table at block ${descriptor.inodeTable} is outside the volume`);
    }
    return descriptor;
  }
}
