/**
 * Counts the references to every host cluster of a qcow2 file and compares them with the
 * stored refcounts (see qcow2-check.ts). Refcount entries are 2^refcount_order bits wide,
 * big-endian, packed in refcount blocks of one cluster; the refcount table (u64 BE
 * entries, bits 9-63 = block offset, 0 = no block) lists the blocks.
 */
import { Qcow2TableCache } from './qcow2-table-cache.ts';
import {
  L1_RESERVED_MASK_HI, L1_RESERVED_MASK_LO, L2_COMPRESSED_BIT_HI, L2_COPIED_BIT_HI, L2_RESERVED_MASK_HI,
  L2_RESERVED_MASK_LO, L2_ZERO_BIT_LO, compressedLocation, entryHi, entryLo, entryOffset,
} from './qcow2-entries.ts';
import type { ImageFile } from '../image-file.ts';
import type { CheckFinding } from '../virtual-disk.ts';
import type { Qcow2Header } from './qcow2-header.ts';
import type { Qcow2Snapshot } from './qcow2-snapshots.ts';

export const MAX_FINDINGS_PER_KIND = 20;
const COUNTER_MAX = 0xffff;

export class Qcow2ReferenceCounter {
  private readonly file: ImageFile;
  private readonly header: Qcow2Header;
  private readonly references: Uint16Array;
  private readonly findings: CheckFinding[];
  private readonly perKind = new Map<string, number>();
  private readonly l2Cache: Qcow2TableCache;

  constructor(file: ImageFile, header: Qcow2Header, clusters: number, findings: CheckFinding[]) {
    this.file = file;
    this.header = header;
    this.references = new Uint16Array(clusters);
    this.findings = findings;
    this.l2Cache = new Qcow2TableCache(file, header.clusterSize, 'qcow2 table', 4 * 1024 * 1024);
    this.reference(0, header.clusterSize, 'header');
  }

  private report(severity: CheckFinding['severity'], kind: string, message: string): void {
    const count = (this.perKind.get(kind) ?? 0) + 1;
    this.perKind.set(kind, count);
    if (count <= MAX_FINDINGS_PER_KIND) this.findings.push({ severity, kind, message: `${this.file.path}: ${message}` });
    else if (count === MAX_FINDINGS_PER_KIND + 1) this.findings.push({ severity, kind, message: `${this.file.path}: more ${kind} findings not listed` });
  }

  /** Counts one reference to every cluster of [offset, offset+length); false when out of the file. */
  private reference(offset: number, length: number, what: string): boolean {
    if (offset + length > this.file.size && offset >= this.file.size) {
      this.report('corruption', 'offset-past-eof', `${what} at offset ${offset} lies past the end of the file (${this.file.size} bytes)`);
      return false;
    }
    const first = Math.floor(offset / this.header.clusterSize);
    const last = Math.floor((Math.min(offset + length, this.file.size) - 1) / this.header.clusterSize);
    for (let cluster = first; cluster <= last && cluster < this.references.length; cluster += 1) {
      if (this.references[cluster]! < COUNTER_MAX) this.references[cluster]! += 1;
    }
    return true;
  }

  private aligned(offset: number, what: string): boolean {
    if (offset % this.header.clusterSize === 0) return true;
    this.report('corruption', 'misaligned-offset', `${what} offset ${offset} is not aligned to the cluster size ${this.header.clusterSize}`);
    return false;
  }

  /** Counts an L1 table, its L2 tables and the data they map. */
  async countImage(l1Offset: number, l1Size: number, what: string): Promise<void> {
    if (l1Size === 0) return;
    if (!this.aligned(l1Offset, what) || l1Size * 8 > 32 * 1024 * 1024) return;
    if (!this.reference(l1Offset, l1Size * 8, what)) return;
    if (l1Offset + l1Size * 8 > this.file.size) {
      this.report('corruption', 'offset-past-eof', `${what} (${l1Size * 8} bytes at ${l1Offset}) runs past the end of the file`);
      return;
    }
    const l1 = await this.file.readAt(l1Offset, l1Size * 8, what);
    const entryBytes = this.header.extendedL2 ? 16 : 8;
    const hasDataFile = this.header.dataFile !== null;
    for (let index = 0; index < l1Size; index += 1) {
      if ((entryHi(l1, index * 8) & L1_RESERVED_MASK_HI) || (entryLo(l1, index * 8) & L1_RESERVED_MASK_LO)) {
        this.report('corruption', 'reserved-bits', `${what} entry ${index} has reserved bits set`);
      }
      const l2Offset = entryOffset(l1, index * 8);
      if (l2Offset === 0) continue;
      const l2What = `L2 table of ${what} entry ${index}`;
      if (!this.aligned(l2Offset, l2What) || !this.reference(l2Offset, this.header.clusterSize, l2What)) continue;
      if (l2Offset + this.header.clusterSize > this.file.size) {
        this.report('corruption', 'offset-past-eof', `${l2What} at ${l2Offset} runs past the end of the file`);
        continue;
      }
      const l2 = await this.l2Cache.get(l2Offset, l2What);
      for (let at = 0; at + entryBytes <= l2.length; at += entryBytes) {
        const hi = entryHi(l2, at);
        const entryWhat = `data cluster of ${l2What} entry ${at / entryBytes}`;
        if (hi & L2_COMPRESSED_BIT_HI) {
          const location = compressedLocation(l2, at, this.header.clusterBits);
          this.reference(location.hostOffset, location.size, `compressed ${entryWhat}`);
          continue;
        }
        const reservedLo = L2_RESERVED_MASK_LO | (this.header.extendedL2 ? L2_ZERO_BIT_LO : 0);
        if ((hi & L2_RESERVED_MASK_HI) || (entryLo(l2, at) & reservedLo)) {
          this.report('corruption', 'reserved-bits', `${l2What} entry ${at / entryBytes} has reserved bits set`);
        }
        const host = entryOffset(l2, at);
        if (host === 0 || hasDataFile) continue;
        if (this.aligned(host, entryWhat)) this.reference(host, this.header.clusterSize, entryWhat);
      }
    }
  }

  countSnapshotTable(offset: number, snapshots: readonly Qcow2Snapshot[]): void {
    if (snapshots.length === 0) return;
    const length = snapshots.reduce((sum, snapshot) => sum + snapshot.entryBytes, 0);
    this.reference(offset, length, 'snapshot table');
  }

  private refcountTableEntries = 0;
  private refcountTable: Buffer | null = null;

  async countRefcountStructures(): Promise<void> {
    const { refcountTableOffset, refcountTableClusters, clusterSize } = this.header;
    const length = refcountTableClusters * clusterSize;
    if (length === 0) return;
    if (!this.reference(refcountTableOffset, length, 'refcount table') || refcountTableOffset + length > this.file.size) return;
    this.refcountTable = await this.file.readAt(refcountTableOffset, length, 'refcount table');
    this.refcountTableEntries = length / 8;
    for (let index = 0; index < this.refcountTableEntries; index += 1) {
      if (this.refcountTable.readUInt32BE(index * 8 + 4) & 0x1ff) this.report('corruption', 'reserved-bits', `refcount table entry ${index} has reserved bits set`);
      const block = this.blockOffset(index);
      if (block === 0) continue;
      const what = `refcount block of refcount table entry ${index}`;
      if (this.aligned(block, what)) this.reference(block, clusterSize, what);
    }
  }

  private blockOffset(index: number): number {
    const table = this.refcountTable!;
    const value = table.readBigUInt64BE(index * 8) & ~0x1ffn;
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(value);
  }

  /** The refcount stored for a host cluster (0 when no refcount block covers it). */
  async storedRefcount(cluster: number): Promise<number> {
    const { clusterSize, refcountOrder } = this.header;
    const bits = 2 ** refcountOrder;
    const perBlock = (clusterSize * 8) / bits;
    const tableIndex = Math.floor(cluster / perBlock);
    if (!this.refcountTable || tableIndex >= this.refcountTableEntries) return 0;
    const block = this.blockOffset(tableIndex);
    if (block <= 0 || block % clusterSize !== 0 || block + clusterSize > this.file.size) return 0;
    const table = await this.l2Cache.get(block, `refcount block at ${block}`);
    return readRefcount(table, cluster % perBlock, bits);
  }

  async compareRefcounts(): Promise<void> {
    const { clusterSize } = this.header;
    for (let cluster = 0; cluster < this.references.length; cluster += 1) {
      const stored = await this.storedRefcount(cluster);
      const expected = this.references[cluster]!;
      const at = cluster * clusterSize;
      if (stored < expected) {
        const kind = expected >= 2 && stored <= 1 ? 'overlapping-clusters' : 'refcount-mismatch';
        const detail = kind === 'overlapping-clusters' ? `host cluster at offset ${at} is used ${expected} times but its refcount is ${stored}` : `cluster at offset ${at} has refcount ${stored} but ${expected} references`;
        this.report('corruption', kind, detail);
      } else if (stored > expected) {
        this.report('leak', 'leaked-cluster', `cluster at offset ${at} has refcount ${stored} but ${expected} references`);
      }
    }
  }

  /**
   * The "copied" flag (bit 63) of active L1 and L2 entries must be set exactly when the
   * cluster's refcount is 1, and never on a compressed cluster (qemu-img check's
   * "OFLAG_COPIED" errors). Skipped on a dirty image, whose refcounts may lag.
   */
  async checkCopiedFlags(): Promise<void> {
    const { l1TableOffset, l1Size, clusterSize } = this.header;
    if (this.header.dirty || l1Size === 0) return;
    if (l1TableOffset % clusterSize !== 0 || l1TableOffset + l1Size * 8 > this.file.size) return;
    const l1 = await this.file.readAt(l1TableOffset, l1Size * 8, 'active L1 table');
    const entryBytes = this.header.extendedL2 ? 16 : 8;
    for (let index = 0; index < l1Size; index += 1) {
      const l2Offset = entryOffset(l1, index * 8);
      if (l2Offset === 0 || l2Offset % clusterSize !== 0 || l2Offset + clusterSize > this.file.size) continue;
      await this.expectCopied(entryHi(l1, index * 8), l2Offset, `L1 entry ${index}`);
      const l2 = await this.l2Cache.get(l2Offset, `L2 table of L1 entry ${index}`);
      for (let at = 0; at + entryBytes <= l2.length; at += entryBytes) {
        const hi = entryHi(l2, at);
        const what = `L2 entry ${at / entryBytes} of L1 entry ${index}`;
        if (hi & L2_COMPRESSED_BIT_HI) {
          if (hi & L2_COPIED_BIT_HI) this.report('corruption', 'copied-flag', `${what}: compressed cluster has the copied flag set`);
          continue;
        }
        const host = entryOffset(l2, at);
        if (host === 0 || this.header.dataFile !== null || host % clusterSize !== 0 || host >= this.file.size) continue;
        await this.expectCopied(hi, host, what);
      }
    }
  }

  private async expectCopied(hi: number, host: number, what: string): Promise<void> {
    const refcount = await this.storedRefcount(host / this.header.clusterSize);
    const copied = (hi & L2_COPIED_BIT_HI) !== 0;
    if (refcount === 0 || copied === (refcount === 1)) return;
    this.report('corruption', 'copied-flag', `${what}: copied flag is ${copied ? 'set' : 'clear'} but the refcount of the cluster at ${host} is ${refcount}`);
  }
}

/** Reads refcount entry `index` of a refcount block with entries `bits` wide. */
function readRefcount(block: Buffer, index: number, bits: number): number {
  if (bits >= 8) {
    const bytes = bits / 8;
    const at = index * bytes;
    if (bytes === 1) return block.readUInt8(at);
    if (bytes === 2) return block.readUInt16BE(at);
    if (bytes === 4) return block.readUInt32BE(at);
    return Number(block.readBigUInt64BE(at));
  }
  const bitOffset = index * bits;
  const byte = block.readUInt8(Math.floor(bitOffset / 8));
  return (byte >> (bitOffset % 8)) & ((1 << bits) - 1);
}
