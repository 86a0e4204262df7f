/**
 * Replaying an ext3/4 journal in memory: when the superblock says the journal needs
 * recovery (a point of a running or crashed guest), the internal journal's committed
 * transactions are found (ext-journal.ts) and a read overlay serves each block they hold
 * from its newest committed, not revoked copy in the log; every other block comes from
 * the volume. Nothing is written. With csum v2/v3 a copy whose tag checksum fails is
 * skipped as jbd2 skips it (an older copy or the volume's block is served). A damaged
 * journal is not replayed: the caller reads the volume as it is and says why.
 */
import { recallRecent, rememberBounded } from '../../disk/bounded-cache.ts';
import { ErrorCodes, isLabvaultError } from '../../../../shared/errors.ts';
import type { BlockSource } from '../guest-filesystem.ts';
import { guestDamage, guestUnsupported } from '../guest-errors.ts';
import type { FileBlockMap } from './ext-block-map.ts';
import type { ExtInode } from './ext-inode.ts';
import { JBD2_MAGIC, MAX_JOURNAL_BLOCKS, parseJournalSuperblock, scanJournal, tagChecksum } from './ext-journal.ts';
import type { JournalBlockReader, JournalCopy, JournalSuperblock } from './ext-journal.ts';
import { parseSuperblock, SUPERBLOCK_OFFSET } from './ext-superblock.ts';
import type { ExtSuperblock } from './ext-superblock.ts';

const CACHED_BLOCKS = 256;
const LOG = 'The ext journal';

/** What became of a journal that needed recovery. */
export interface JournalState {
  /** replayed: read through the journal; empty: nothing to replay; not-replayed: read as the volume has it. */
  status: 'replayed' | 'empty' | 'not-replayed';
  transactions: number;
  /** Filesystem blocks served from the journal. */
  blocks: number;
  /** Why it was not replayed or holds nothing to replay. */
  reason?: string;
  /** The journal has fast commits, whose blocks are not replayed (changes after the last full commit are missing). */
  fastCommit?: boolean;
  /** Set when replayed: verifies every replayed copy's checksum, returns how many failed. */
  verify?: () => Promise<number>;
}

/** The part of an ExtFilesystem the replay reads the journal inode through. */
export interface JournalHost {
  readonly sb: ExtSuperblock;
  readonly source: BlockSource;
  inode(ino: number): Promise<ExtInode>;
  blockMap(inode: ExtInode): Promise<FileBlockMap>;
}

/** Serves the journal's copies of blocks over a volume; everything else reads through. */
export class JournalOverlay implements BlockSource {
  readonly size: number;
  private readonly source: BlockSource;
  private readonly jsb: JournalSuperblock;
  private readonly copies: Map<number, JournalCopy[]>;
  private readonly readLog: JournalBlockReader;
  private readonly cache = new Map<number, Buffer | null>();
  private readonly failed = new Set<string>();

  constructor(source: BlockSource, jsb: JournalSuperblock, copies: Map<number, JournalCopy[]>,
    readLog: JournalBlockReader) {
    this.source = source;
    this.size = source.size;
    this.jsb = jsb;
    this.copies = copies;
    this.readLog = readLog;
  }

  /** The replayed bytes of `fsBlock`, or null when the volume's own block stands. */
  async block(fsBlock: number): Promise<Buffer | null> {
    const cached = recallRecent(this.cache, fsBlock);
    if (cached !== undefined) return cached;
    const list = this.copies.get(fsBlock) ?? [];
    let bytes: Buffer | null = null;
    for (let i = list.length - 1; i >= 0 && bytes === null; i -= 1) {
      const copy = list[i] as JournalCopy;
      const stored = await this.readLog(copy.journalBlock);
      if (copy.checksum !== undefined && tagChecksum(this.jsb, copy.sequence, stored) !== copy.checksum) {
        this.failed.add(`${fsBlock}:${copy.journalBlock}`);
        continue;
      }
      bytes = Buffer.from(stored);
      if (copy.escaped) bytes.writeUInt32BE(JBD2_MAGIC, 0);
    }
    rememberBounded(this.cache, fsBlock, bytes, CACHED_BLOCKS);
    return bytes;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const out = await this.source.read(offset, length);
    if (length <= 0) return out;
    const bs = this.jsb.blockSize;
    const first = Math.floor(offset / bs);
    const last = Math.floor((offset + length - 1) / bs);
    const blocks = last - first + 1 <= this.copies.size
      ? Array.from({ length: last - first + 1 }, (_, i) => first + i)
      : [...this.copies.keys()].filter((block) => block >= first && block <= last);
    for (const fsBlock of blocks) {
      if (!this.copies.has(fsBlock)) continue;
      const bytes = await this.block(fsBlock);
      if (bytes === null) continue;
      const blockStart = fsBlock * bs;
      const from = Math.max(blockStart, offset);
      const to = Math.min(blockStart + bs, offset + length);
      bytes.copy(out, from - offset, from - blockStart, to - blockStart);
    }
    return out;
  }

  /** Reads every replayed block once; the number of copies whose tag checksum failed. */
  async verify(): Promise<number> {
    for (const fsBlock of this.copies.keys()) await this.block(fsBlock);
    return this.failed.size;
  }
}

async function journalReader(host: JournalHost, jsbBlocks: number, journal: ExtInode): Promise<JournalBlockReader> {
  const bs = host.sb.blockSize;
  const map = await host.blockMap(journal);
  return async (logical) => {
    if (!Number.isSafeInteger(logical) || logical < 0 || logical >= jsbBlocks) {
      throw guestDamage(LOG, `its block ${logical} is past its end`);
    }
    const [run] = await map.runs(logical, 1);
    if (run === undefined || run.physical < 0) throw guestDamage(LOG, `its block ${logical} is a hole`);
    return host.source.read(run.physical * bs, bs);
  };
}

type OpenedJournal = { overlay: JournalOverlay; sb: ExtSuperblock; state: JournalState } | { state: JournalState };

async function openJournal(host: JournalHost): Promise<OpenedJournal> {
  const sb = host.sb;
  if (!sb.hasJournal) throw guestDamage('The ext superblock', 'it asks for journal recovery but has no journal');
  if (sb.journalInode === 0) {
    throw guestUnsupported('An ext journal on an external device (replaying it)');
  }
  const journal = await host.inode(sb.journalInode);
  if (journal.type !== 'file') throw guestDamage(LOG, `its inode ${sb.journalInode} is not a regular file`);
  const blocks = Math.floor(journal.size / sb.blockSize);
  if (blocks < 2 || blocks > sb.blocksCount) throw guestDamage(LOG, `its inode is ${journal.size} bytes long`);
  if (blocks > MAX_JOURNAL_BLOCKS) throw guestUnsupported(`An ext journal of ${blocks} blocks`);
  const readLog = await journalReader(host, blocks, journal);
  const jsb = parseJournalSuperblock(await readLog(0), sb.blockSize, blocks);
  const scan = await scanJournal(jsb, readLog, sb.blocksCount);
  const fastCommit = jsb.fastCommit ? { fastCommit: true } : {};
  if (scan.transactions === 0) {
    return { state: { status: 'empty', transactions: 0, blocks: 0, reason: scan.end, ...fastCommit } };
  }
  const overlay = new JournalOverlay(host.source, jsb, scan.copies, readLog);
  const replayedSb = parseSuperblock(await overlay.read(SUPERBLOCK_OFFSET, 1024), overlay.size);
  const state: JournalState = {
    status: 'replayed', transactions: scan.transactions, blocks: scan.copies.size, verify: () => overlay.verify(), ...fastCommit,
  };
  return { overlay, sb: replayedSb, state };
}

/**
 * Replays the journal of `host` (whose superblock needs recovery) in memory. A journal that
 * is damaged or uses what is not read ends as 'not-replayed' with the reason; only errors
 * that are not about the bytes (I/O, time limits) are thrown.
 */
export async function replayJournal(host: JournalHost):
  Promise<{ source: BlockSource; sb: ExtSuperblock; state: JournalState }> {
  try {
    const opened = await openJournal(host);
    if ('overlay' in opened) return { source: opened.overlay, sb: opened.sb, state: opened.state };
    return { source: host.source, sb: host.sb, state: opened.state };
  } catch (error) {
    const aboutBytes = isLabvaultError(error)
      && (error.code === ErrorCodes.GUEST_UNREADABLE || error.code === ErrorCodes.UNSUPPORTED);
    if (!aboutBytes) throw error;
    const state: JournalState = { status: 'not-replayed', transactions: 0, blocks: 0, reason: error.message };
    return { source: host.source, sb: host.sb, state };
  }
}
