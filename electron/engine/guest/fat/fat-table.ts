/**
 * The file allocation table: entries read through a small cache of FAT blocks, and cluster
 * chains followed with bounds and loop detection (a cluster met twice is a loop, a next
 * cluster outside the volume or marked bad is damage). Chains are returned as runs of
 * consecutive clusters, so a contiguous 4 GiB file costs one run, not a million numbers.
 */
import { recallRecent, rememberBounded } from '../../disk/bounded-cache.ts';
import type { BlockSource } from '../guest-filesystem.ts';
import { guestDamage } from '../guest-errors.ts';
import type { FatGeometry } from './fat-boot-sector.ts';

const BLOCK = 64 * 1024;
const CACHED_BLOCKS = 64;

export interface ClusterRun {
  /** First cluster of the run. */
  cluster: number;
  /** Consecutive clusters. */
  count: number;
}

export interface ClusterChain {
  runs: ClusterRun[];
  clusters: number;
  ended: boolean;
}

/** Clusters met on one chain: a Set while short, a bitmap of the volume once long. */
class VisitedClusters {
  private readonly total: number;
  private small: Set<number> | undefined = new Set();
  private bitmap: Uint8Array | undefined;

  constructor(total: number) {
    this.total = total;
  }

  /** false when `cluster` was met already. */
  add(cluster: number): boolean {
    if (this.small) {
      if (this.small.has(cluster)) return false;
      this.small.add(cluster);
      if (this.small.size < 4096) return true;
      this.bitmap = new Uint8Array(Math.ceil(this.total / 8));
      for (const each of this.small) this.bitmap[each >> 3] = (this.bitmap[each >> 3] as number) | (1 << (each & 7));
      this.small = undefined;
      return true;
    }
    const bitmap = this.bitmap as Uint8Array;
    const bit = 1 << (cluster & 7);
    if (((bitmap[cluster >> 3] as number) & bit) !== 0) return false;
    bitmap[cluster >> 3] = (bitmap[cluster >> 3] as number) | bit;
    return true;
  }
}

export class FatTable {
  private readonly geometry: FatGeometry;
  private readonly source: BlockSource;
  private readonly blocks = new Map<number, Buffer>();
  private readonly endMark: number;
  private readonly badMark: number;

  constructor(geometry: FatGeometry, source: BlockSource) {
    this.geometry = geometry;
    this.source = source;
    this.endMark = geometry.type === 12 ? 0xff8 : geometry.type === 16 ? 0xfff8 : 0x0ffffff8;
    this.badMark = this.endMark - 1;
  }

  private async byteAt(offset: number): Promise<number> {
    const index = Math.floor(offset / BLOCK);
    let block = recallRecent(this.blocks, index);
    if (!block) {
      const start = this.geometry.fatOffset + index * BLOCK;
      const length = Math.min(BLOCK, this.geometry.fatBytes - index * BLOCK, this.source.size - start);
      if (length <= 0) throw guestDamage('The FAT', 'it lies past the end of the volume');
      block = await this.source.read(start, length);
      rememberBounded(this.blocks, index, block, CACHED_BLOCKS);
    }
    const value = block[offset - index * BLOCK];
    if (value === undefined) throw guestDamage('The FAT', 'it lies past the end of the volume');
    return value;
  }

  /** The FAT entry of `cluster` (the next cluster, an end mark, 0 for free). */
  async entry(cluster: number): Promise<number> {
    const type = this.geometry.type;
    if (type === 12) {
      const at = Math.floor(cluster * 1.5);
      const pair = (await this.byteAt(at)) | ((await this.byteAt(at + 1)) << 8);
      return cluster % 2 === 0 ? pair & 0xfff : pair >> 4;
    }
    if (type === 16) return (await this.byteAt(cluster * 2)) | ((await this.byteAt(cluster * 2 + 1)) << 8);
    const at = cluster * 4;
    const value = (await this.byteAt(at)) | ((await this.byteAt(at + 1)) << 8) | ((await this.byteAt(at + 2)) << 16)
      | ((await this.byteAt(at + 3)) << 24);
    return (value >>> 0) & 0x0fffffff;
  }

  async isEndOfChain(cluster: number): Promise<boolean> {
    return (await this.entry(cluster)) >= this.endMark;
  }

  isValidCluster(cluster: number): boolean {
    return Number.isInteger(cluster) && cluster >= 2 && cluster < this.geometry.clusterCount + 2;
  }

  /**
   * The chain from `first`, as runs, up to `maxClusters` clusters (a file's size decides it;
   * a directory passes its own bound). `ended` says whether the chain reached its end mark
   * within that many clusters.
   */
  async chain(first: number, maxClusters: number, what: string): Promise<ClusterChain> {
    const runs: ClusterRun[] = [];
    if (!this.isValidCluster(first)) throw guestDamage(what, `its first cluster ${first} is outside the volume`);
    const seen = new VisitedClusters(this.geometry.clusterCount + 2);
    let cluster = first;
    let clusters = 0;
    for (;;) {
      if (!seen.add(cluster)) throw guestDamage(what, `its cluster chain loops back to cluster ${cluster}`);
      const last = runs[runs.length - 1];
      if (last && last.cluster + last.count === cluster) last.count += 1;
      else runs.push({ cluster, count: 1 });
      clusters += 1;
      if (clusters >= maxClusters) {
        const next = await this.entry(cluster);
        return { runs, clusters, ended: next >= this.endMark };
      }
      const next = await this.entry(cluster);
      if (next >= this.endMark) return { runs, clusters, ended: true };
      if (next === this.badMark) throw guestDamage(what, `its cluster chain reaches a cluster marked bad after ${clusters} clusters`);
      if (next === 0) throw guestDamage(what, `its cluster chain reaches a free cluster after ${clusters} clusters`);
      if (!this.isValidCluster(next)) throw guestDamage(what, `its cluster chain points to cluster ${next}, outside the volume`);
      cluster = next;
    }
  }
}
