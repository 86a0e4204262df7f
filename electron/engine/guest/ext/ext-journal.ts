/**
 * The JBD2 journal of ext3/4, read-only and for hostile input: its superblock (v1/v2,
 * big-endian, checksummed with csum v2/v3) and the scan and revoke passes of a recovery as
 * jbd2 and e2fsprogs run them. From s_start with s_sequence, descriptor blocks name the
 * filesystem blocks that the following log blocks hold (tags with SAME_UUID, LAST_TAG and
 * ESCAPE flags), a commit block closes a transaction, revoke blocks cancel older copies of
 * a block. The walk ends at the first block that is not the next transaction's (wrong
 * magic or sequence, a failed descriptor/commit/revoke checksum, v1's crc32_be over a
 * transaction's descriptor and data blocks included): a transaction without a
 * valid commit is not replayed. Nothing is written; the result says which journal block
 * holds each filesystem block's newest copy, for a read overlay (ext-journal-replay.ts).
 */
import { check, guestDamage, guestUnsupported } from '../guest-errors.ts';
import { crc32Be } from './crc32-be.ts';
import { crc32cRaw } from './crc32c.ts';

export const JBD2_MAGIC = 0xc03b3998;
const BlockType = { DESCRIPTOR: 1, COMMIT: 2, SUPERBLOCK_V1: 3, SUPERBLOCK_V2: 4, REVOKE: 5 } as const;
const JCompat = { CHECKSUM: 0x1 } as const;
export const JIncompat = {
  REVOKE: 0x1, BIT64: 0x2, ASYNC_COMMIT: 0x4, CSUM_V2: 0x8, CSUM_V3: 0x10, FAST_COMMIT: 0x20,
} as const;
const KNOWN_INCOMPAT = 0x3f;
const TagFlag = { ESCAPE: 0x1, SAME_UUID: 0x2, LAST_TAG: 0x8 } as const;
const CRC32C_CHECKSUM_TYPE = 4;
/** A v1 commit block's checksum type and size (crc32_be, 4 bytes). */
const V1_CHECKSUM_TYPE = 1;
const V1_CHECKSUM_SIZE = 4;
const DEFAULT_FAST_COMMIT_BLOCKS = 256;
const HEADER_BYTES = 12;
const TAIL_BYTES = 4;
/** The largest journal read (2^24 blocks: 64 GiB of 4 KiB blocks; jbd2 makes at most 10240000). */
export const MAX_JOURNAL_BLOCKS = 1 << 24;
/** Revoke records kept from one walk (a full 1 GiB journal of 4 KiB revoke blocks holds 2^28). */
const MAX_REVOKES = 1 << 22;

const JSB = 'The ext journal superblock';
const LOG = 'The ext journal';

export interface JournalSuperblock {
  version: 1 | 2;
  blockSize: number;
  /** Blocks in the journal (s_maxlen). */
  maxlen: number;
  /** First block of the log (s_first). */
  first: number;
  /** End of the log area, exclusive (s_maxlen less the fast-commit area). */
  last: number;
  /** Sequence of the first transaction to replay (s_sequence). */
  sequence: number;
  /** Block of the first transaction, 0 when the journal is empty (s_start). */
  start: number;
  compat: number;
  incompat: number;
  /** Bytes per descriptor tag (without the UUID that follows a tag without SAME_UUID). */
  tagBytes: number;
  csum: 'none' | 'v1' | 'v2' | 'v3';
  bit64: boolean;
  fastCommit: boolean;
  /** crc32c of the journal UUID: the seed of every csum v2/v3 checksum. */
  csumSeed: number;
}

/** A filesystem block's copy in the log. */
export interface JournalCopy {
  /** Journal (logical) block holding the copy. */
  journalBlock: number;
  /** Raw sequence number of its transaction (the tag checksum covers it). */
  sequence: number;
  /** Index of its transaction in the walk (0 = the one at s_start). */
  transaction: number;
  /** The first 4 bytes were the JBD2 magic and are stored as zeros. */
  escaped: boolean;
  /** The tag's checksum of the stored block (csum v2: low 16 bits), when the journal has one. */
  checksum?: number;
}

export interface JournalScan {
  /** Copies of each filesystem block that a replay writes, oldest first (revoked ones left out). */
  copies: Map<number, JournalCopy[]>;
  /** Committed transactions found. */
  transactions: number;
  /** Why the walk ended (a short phrase). */
  end: string;
}

/** Reads one journal (logical) block of the journal's size. */
export type JournalBlockReader = (journalBlock: number) => Promise<Buffer>;

export function parseJournalSuperblock(raw: Buffer, fsBlockSize: number, journalBlocks: number): JournalSuperblock {
  check(raw.length >= 1024 && raw.readUInt32BE(0) === JBD2_MAGIC, JSB, 'no JBD2 magic number 0xC03B3998');
  const type = raw.readUInt32BE(4);
  check(type === BlockType.SUPERBLOCK_V1 || type === BlockType.SUPERBLOCK_V2, JSB, `block type ${type} is not a journal superblock`);
  const version = type === BlockType.SUPERBLOCK_V1 ? 1 : 2;
  const blockSize = raw.readUInt32BE(12);
  check(blockSize === fsBlockSize, JSB, `its block size ${blockSize} is not the filesystem's ${fsBlockSize}`);
  const maxlen = raw.readUInt32BE(16);
  const first = raw.readUInt32BE(20);
  const sequence = raw.readUInt32BE(24);
  const start = raw.readUInt32BE(28);
  check(maxlen >= 2 && maxlen <= journalBlocks, JSB, `its ${maxlen} blocks do not fit the journal's ${journalBlocks}`);
  if (first < 1 || first >= maxlen) throw guestDamage(JSB, `its log starts at block ${first} of ${maxlen}`);
  const compat = version === 2 ? raw.readUInt32BE(36) : 0;
  const incompat = version === 2 ? raw.readUInt32BE(40) : 0;
  const unknown = incompat & ~KNOWN_INCOMPAT;
  if (unknown !== 0) throw guestUnsupported(`An ext journal with incompatible feature bits 0x${unknown.toString(16)}`);
  const bit64 = (incompat & JIncompat.BIT64) !== 0;
  const csum = (incompat & JIncompat.CSUM_V3) !== 0 ? 'v3' : (incompat & JIncompat.CSUM_V2) !== 0 ? 'v2'
    : (compat & JCompat.CHECKSUM) !== 0 ? 'v1' : 'none';
  if (csum === 'v2' || csum === 'v3') {
    if (raw[0x50] !== CRC32C_CHECKSUM_TYPE) throw guestDamage(JSB, `checksum type ${raw[0x50]} is not crc32c (4)`);
    const copy = Buffer.from(raw.subarray(0, 1024));
    copy.writeUInt32BE(0, 0xfc);
    if (crc32cRaw(0xffffffff, copy) !== raw.readUInt32BE(0xfc)) throw guestDamage(JSB, 'its checksum does not match');
  }
  const fastCommit = (incompat & JIncompat.FAST_COMMIT) !== 0;
  const fastCommitBlocks = fastCommit ? (raw.readUInt32BE(0x54) || DEFAULT_FAST_COMMIT_BLOCKS) : 0;
  const last = maxlen - fastCommitBlocks;
  if (last <= first + 1) throw guestDamage(JSB, `its fast-commit area of ${fastCommitBlocks} blocks leaves no log`);
  check(start === 0 || (start >= first && start < last), JSB,
    `its first transaction at block ${start} is outside the log ${first}-${last - 1}`);
  let tagBytes: number;
  if (csum === 'v3') tagBytes = 16;
  else tagBytes = (csum === 'v2' ? 14 : 12) - (bit64 ? 0 : 4);
  const uuid = version === 2 ? raw.subarray(48, 64) : Buffer.alloc(16);
  return {
    version, blockSize, maxlen, first, last, sequence, start, compat, incompat, tagBytes, csum, bit64, fastCommit,
    csumSeed: crc32cRaw(0xffffffff, uuid),
  };
}

/** crc32c over a block with the 4 bytes at `at` read as zeros, seeded with the journal's seed. */
function blockChecksum(jsb: JournalSuperblock, block: Buffer, at: number): number {
  let crc = crc32cRaw(jsb.csumSeed, block.subarray(0, at));
  crc = crc32cRaw(crc, Buffer.alloc(4));
  return crc32cRaw(crc, block.subarray(at + 4));
}

/** The checksum a csum v2/v3 tag holds for a stored block of transaction `sequence`. */
export function tagChecksum(jsb: JournalSuperblock, sequence: number, stored: Buffer): number {
  const seq = Buffer.alloc(4);
  seq.writeUInt32BE(sequence >>> 0);
  const crc = crc32cRaw(crc32cRaw(jsb.csumSeed, seq), stored);
  return jsb.csum === 'v3' ? crc : crc & 0xffff;
}

interface Tag { fsBlock: number; flags: number; checksum: number }

function parseTags(jsb: JournalSuperblock, block: Buffer): Tag[] {
  const end = jsb.blockSize - (jsb.csum === 'v2' || jsb.csum === 'v3' ? TAIL_BYTES : 0);
  const tags: Tag[] = [];
  let at = HEADER_BYTES;
  while (at + jsb.tagBytes <= end) {
    let fsBlock: number;
    let flags: number;
    let checksum: number;
    if (jsb.csum === 'v3') {
      flags = block.readUInt32BE(at + 4);
      fsBlock = block.readUInt32BE(at) + (jsb.bit64 ? block.readUInt32BE(at + 8) * 2 ** 32 : 0);
      checksum = block.readUInt32BE(at + 12);
    } else {
      checksum = block.readUInt16BE(at + 4);
      flags = block.readUInt16BE(at + 6);
      fsBlock = block.readUInt32BE(at) + (jsb.bit64 ? block.readUInt32BE(at + 8) * 2 ** 32 : 0);
    }
    tags.push({ fsBlock, flags, checksum });
    at += jsb.tagBytes;
    if ((flags & TagFlag.SAME_UUID) === 0) at += 16;
    if ((flags & TagFlag.LAST_TAG) !== 0) break;
  }
  return tags;
}

function revokedBlocks(jsb: JournalSuperblock, block: Buffer): number[] {
  const count = block.readUInt32BE(HEADER_BYTES);
  const limit = jsb.blockSize - (jsb.csum === 'v2' || jsb.csum === 'v3' ? TAIL_BYTES : 0);
  if (count < 16 || count > limit) throw guestDamage(LOG, `a revoke block claims ${count} bytes of records`);
  const size = jsb.bit64 ? 8 : 4;
  const out: number[] = [];
  for (let at = 16; at + size <= count; at += size) {
    out.push(jsb.bit64 ? block.readUInt32BE(at) * 2 ** 32 + block.readUInt32BE(at + 4) : block.readUInt32BE(at));
  }
  return out;
}

/**
 * Walks the log from s_start and returns what a recovery replays. `fsBlocks` is the
 * filesystem's block count: a tag naming a block past it is damage (the whole journal is
 * then not replayed by the caller). One lap of the log at most.
 */
export async function scanJournal(jsb: JournalSuperblock, readBlock: JournalBlockReader,
  fsBlocks: number): Promise<JournalScan> {
  const copies = new Map<number, JournalCopy[]>();
  const revoked = new Map<number, number>();
  if (jsb.start === 0) return { copies, transactions: 0, end: 'the journal is empty' };
  const lap = jsb.last - jsb.first;
  const wrap = (block: number): number => (block >= jsb.last ? block - lap : block);
  const checksummed = jsb.csum === 'v2' || jsb.csum === 'v3';
  const tailOk = (raw: Buffer): boolean => !checksummed
    || blockChecksum(jsb, raw, jsb.blockSize - TAIL_BYTES) === raw.readUInt32BE(jsb.blockSize - TAIL_BYTES);
  let block = jsb.start;
  let sequence = jsb.sequence;
  let transaction = 0;
  let used = 0;
  let pendingCopies: [number, JournalCopy][] = [];
  let pendingRevokes: number[] = [];
  // v1 checksum: crc32_be over each descriptor block and the blocks it names, up to the commit.
  let v1Sum = 0xffffffff;
  let end = 'the log ends';
  for (;;) {
    if (used >= lap) {
      end = 'the log wraps onto itself';
      break;
    }
    const raw = await readBlock(block);
    used += 1;
    block = wrap(block + 1);
    if (raw.readUInt32BE(0) !== JBD2_MAGIC) break;
    if (raw.readUInt32BE(8) !== sequence) break;
    const type = raw.readUInt32BE(4);
    if (type === BlockType.DESCRIPTOR) {
      if (!tailOk(raw)) {
        end = `a descriptor block's checksum does not match (transaction ${sequence} is not replayed)`;
        break;
      }
      const tags = parseTags(jsb, raw);
      if (used + tags.length > lap) {
        end = 'a descriptor names more blocks than the log holds';
        break;
      }
      if (jsb.csum === 'v1') {
        v1Sum = crc32Be(v1Sum, raw);
        for (let i = 0; i < tags.length; i += 1) v1Sum = crc32Be(v1Sum, await readBlock(wrap(block + i)));
      }
      for (const tag of tags) {
        if (!Number.isSafeInteger(tag.fsBlock) || tag.fsBlock >= fsBlocks) {
          throw guestDamage(LOG,
            `transaction ${sequence} holds a copy of block ${tag.fsBlock}, outside the filesystem's ${fsBlocks} blocks`);
        }
        const escaped = (tag.flags & TagFlag.ESCAPE) !== 0;
        const copy: JournalCopy = { journalBlock: block, sequence, transaction, escaped };
        if (checksummed) copy.checksum = tag.checksum;
        pendingCopies.push([tag.fsBlock, copy]);
        used += 1;
        block = wrap(block + 1);
      }
    } else if (type === BlockType.COMMIT) {
      if (checksummed && blockChecksum(jsb, raw, 16) !== raw.readUInt32BE(16)) {
        end = `the commit block of transaction ${sequence} has a bad checksum (not replayed)`;
        break;
      }
      if (jsb.csum === 'v1') {
        const found = raw.readUInt32BE(16);
        const type = raw[12];
        const size = raw[13];
        const summed = v1Sum === found && type === V1_CHECKSUM_TYPE && size === V1_CHECKSUM_SIZE;
        if (!summed && !(type === 0 && size === 0 && found === 0)) {
          end = `the commit block of transaction ${sequence} has a bad checksum (not replayed)`;
          break;
        }
        v1Sum = 0xffffffff;
      }
      for (const [fsBlock, copy] of pendingCopies) {
        const list = copies.get(fsBlock);
        if (list) list.push(copy);
        else copies.set(fsBlock, [copy]);
      }
      for (const fsBlock of pendingRevokes) revoked.set(fsBlock, transaction);
      pendingCopies = [];
      pendingRevokes = [];
      transaction += 1;
      sequence = (sequence + 1) >>> 0;
    } else if (type === BlockType.REVOKE) {
      if (!tailOk(raw)) {
        end = `a revoke block's checksum does not match (transaction ${sequence} is not replayed)`;
        break;
      }
      const records = revokedBlocks(jsb, raw);
      if (revoked.size + pendingRevokes.length + records.length > MAX_REVOKES) {
        throw guestDamage(LOG, `it holds more than ${MAX_REVOKES} revoke records`);
      }
      for (const record of records) pendingRevokes.push(record);
    } else {
      break;
    }
  }
  // The revoke pass: a block revoked in transaction T is not replayed from T or older.
  for (const [fsBlock, revokedIn] of revoked) {
    const list = copies.get(fsBlock);
    if (!list) continue;
    const kept = list.filter((copy) => copy.transaction > revokedIn);
    if (kept.length === 0) copies.delete(fsBlock);
    else copies.set(fsBlock, kept);
  }
  return { copies, transactions: transaction, end };
}
