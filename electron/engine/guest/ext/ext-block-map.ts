/**
 * Where a file's logical blocks live: the extent tree (depth-bounded, each node's header
 * checked, leaves kept in logical order) or the classic block map (12 direct, single,
 * double and triple indirect). Holes and uninitialized extents read as zeros. Every
 * physical block named is checked to lie inside the filesystem.
 */
import type { BlockSource } from '../guest-filesystem.ts';
import { guestDamage } from '../guest-errors.ts';
import type { ExtInode } from './ext-inode.ts';
import type { ExtSuperblock } from './ext-superblock.ts';

const EXTENT_MAGIC = 0xf30a;
const MAX_DEPTH = 5;
/** Extent tree nodes read for one file. */
const MAX_NODES = 65536;
/** Leaf extents kept for one file (a 32 MiB table at most). */
const MAX_EXTENTS = 1 << 20;
const UNINIT_LENGTH = 32768;

export interface BlockRun {
  logical: number;
  /** First physical block, or -1 for a hole (zeros). */
  physical: number;
  length: number;
}

export interface FileBlockMap {
  /** Runs covering [first, first + count) in order, holes included. */
  runs(first: number, count: number): Promise<BlockRun[]>;
}

function fail(inode: ExtInode, problem: string): Error {
  return guestDamage(`The block map of ext inode ${inode.ino}`, problem);
}

function checkPhysical(sb: ExtSuperblock, inode: ExtInode, start: number, length: number): void {
  if (start < sb.firstDataBlock || start + length > sb.blocksCount) {
    throw fail(inode, `blocks ${start}-${start + length - 1} lie outside the filesystem's ${sb.blocksCount} blocks`);
  }
}

/** Fills the gaps between `extents` (sorted, inside the range) with holes. */
function withHoles(extents: BlockRun[], first: number, count: number): BlockRun[] {
  const out: BlockRun[] = [];
  let at = first;
  const end = first + count;
  for (const extent of extents) {
    const start = Math.max(extent.logical, at);
    const stop = Math.min(extent.logical + extent.length, end);
    if (stop <= start) continue;
    if (start > at) out.push({ logical: at, physical: -1, length: start - at });
    const physical = extent.physical < 0 ? -1 : extent.physical + (start - extent.logical);
    out.push({ logical: start, physical, length: stop - start });
    at = stop;
  }
  if (at < end) out.push({ logical: at, physical: -1, length: end - at });
  return out;
}

class ExtentMap implements FileBlockMap {
  private readonly leaves: BlockRun[];

  constructor(leaves: BlockRun[]) {
    this.leaves = leaves;
  }

  async runs(first: number, count: number): Promise<BlockRun[]> {
    let low = 0;
    let high = this.leaves.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      const leaf = this.leaves[mid] as BlockRun;
      if (leaf.logical + leaf.length <= first) low = mid + 1;
      else high = mid;
    }
    const picked: BlockRun[] = [];
    for (let i = low; i < this.leaves.length; i += 1) {
      const leaf = this.leaves[i] as BlockRun;
      if (leaf.logical >= first + count) break;
      picked.push(leaf);
    }
    return withHoles(picked, first, count);
  }
}

/** Reads the whole extent tree of `inode` into its leaves, in logical order. */
export async function readExtentTree(sb: ExtSuperblock, source: BlockSource, inode: ExtInode): Promise<FileBlockMap> {
  const leaves: BlockRun[] = [];
  let nodes = 0;
  const walk = async (node: Buffer, expectedDepth: number | null, capacity: number): Promise<void> => {
    nodes += 1;
    if (nodes > MAX_NODES) throw fail(inode, `its extent tree has more than ${MAX_NODES} nodes`);
    if (node.readUInt16LE(0) !== EXTENT_MAGIC) throw fail(inode, 'an extent node has no magic number 0xF30A');
    const entries = node.readUInt16LE(2);
    const max = node.readUInt16LE(4);
    const depth = node.readUInt16LE(6);
    if (depth > MAX_DEPTH || (expectedDepth !== null && depth !== expectedDepth)) throw fail(inode, `an extent node has depth ${depth}`);
    if (entries > max || max > capacity) throw fail(inode, `an extent node holds ${entries} of ${max} entries (room for ${capacity})`);
    for (let i = 0; i < entries; i += 1) {
      const at = 12 + i * 12;
      const logical = node.readUInt32LE(at);
      if (depth === 0) {
        const rawLength = node.readUInt16LE(at + 4);
        const uninit = rawLength > UNINIT_LENGTH;
        const length = uninit ? rawLength - UNINIT_LENGTH : rawLength;
        const physical = node.readUInt16LE(at + 6) * 2 ** 32 + node.readUInt32LE(at + 8);
        if (length === 0) continue;
        checkPhysical(sb, inode, physical, length);
        const previous = leaves[leaves.length - 1];
        if (previous && previous.logical + previous.length > logical) throw fail(inode, 'its extents overlap or are out of order');
        if (leaves.length >= MAX_EXTENTS) throw fail(inode, `it has more than ${MAX_EXTENTS} extents`);
        leaves.push({ logical, physical: uninit ? -1 : physical, length });
      } else {
        const child = node.readUInt16LE(at + 8) * 2 ** 32 + node.readUInt32LE(at + 4);
        checkPhysical(sb, inode, child, 1);
        const block = await source.read(child * sb.blockSize, sb.blockSize);
        await walk(block, depth - 1, (sb.blockSize - 12) / 12);
      }
    }
  };
  await walk(inode.iBlock, null, 4);
  return new ExtentMap(leaves);
}

/** The classic ext2/3 block map: 12 direct pointers, then single, double and triple indirect blocks. */
export class IndirectMap implements FileBlockMap {
  private readonly sb: ExtSuperblock;
  private readonly source: BlockSource;
  private readonly inode: ExtInode;
  private readonly cache = new Map<number, Buffer>();

  constructor(sb: ExtSuperblock, source: BlockSource, inode: ExtInode) {
    this.sb = sb;
    this.source = source;
    this.inode = inode;
  }

  private async pointers(block: number): Promise<Buffer> {
    let cached = this.cache.get(block);
    if (cached === undefined) {
      checkPhysical(this.sb, this.inode, block, 1);
      cached = await this.source.read(block * this.sb.blockSize, this.sb.blockSize);
      if (this.cache.size >= 16) this.cache.delete(this.cache.keys().next().value as number);
      this.cache.set(block, cached);
    }
    return cached;
  }

  /** Physical block of logical block `n`, 0 for a hole. */
  private async map(n: number): Promise<number> {
    const per = this.sb.blockSize / 4;
    if (n < 12) return this.inode.iBlock.readUInt32LE(n * 4);
    let rest = n - 12;
    let levels = 1;
    let span = per;
    while (rest >= span) {
      rest -= span;
      levels += 1;
      span *= per;
      if (levels > 3) throw fail(this.inode, `logical block ${n} is past what a block map addresses`);
    }
    let block = this.inode.iBlock.readUInt32LE((11 + levels) * 4);
    for (let level = levels; level >= 1; level -= 1) {
      if (block === 0) return 0;
      span /= per;
      const slot = Math.floor(rest / span);
      rest %= span;
      block = (await this.pointers(block)).readUInt32LE(slot * 4);
    }
    return block;
  }

  async runs(first: number, count: number): Promise<BlockRun[]> {
    const out: BlockRun[] = [];
    for (let n = first; n < first + count; n += 1) {
      const block = await this.map(n);
      if (block !== 0) checkPhysical(this.sb, this.inode, block, 1);
      const physical = block === 0 ? -1 : block;
      const last = out[out.length - 1];
      const continues = last !== undefined && (physical === -1
        ? last.physical === -1
        : last.physical !== -1 && last.physical + last.length === physical);
      if (last && continues) last.length += 1;
      else out.push({ logical: n, physical, length: 1 });
    }
    return out;
  }
}
