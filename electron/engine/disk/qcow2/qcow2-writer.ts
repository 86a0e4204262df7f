/**
 * Writes any VirtualDisk as a qcow2 v3 image, 64 KiB clusters, 16-bit refcounts, no
 * backing file, only clusters holding non-zero data. One pass, bounded memory:
 *
 *   cluster 0            header (header_length 112, compression type deflate, no extensions)
 *   clusters 1..L        L1 table (size fixed by the virtual size, so known up front)
 *   then, in order       data clusters as found, each L2 table after the data it maps
 *   then                 refcount table, then refcount blocks (every cluster refcount 1)
 *
 * Every L1/L2 entry carries the "copied" flag (refcount 1), so `qemu-img check` is clean.
 * Data goes out through a 4 MiB write buffer; the source is read in 4 MiB chunks.
 */
import type { FileHandle } from 'node:fs/promises';
import { observed, throwIfAborted, writeFully, writeNewImageFile } from '../image-output.ts';
import { isAllZero } from '../../bytes/zero-bytes.ts';
import { HEADER, QCOW2_MAGIC_NUMBER } from './qcow2-header.ts';
import type { VirtualDisk } from '../virtual-disk.ts';
import type { WriteOptions } from '../disk-format-module.ts';

const WRITER_CLUSTER_BITS = 16;
const WRITER_CLUSTER = 2 ** WRITER_CLUSTER_BITS;
const WRITER_L2_ENTRIES = WRITER_CLUSTER / 8;
const WRITER_L2_SPAN = WRITER_L2_ENTRIES * WRITER_CLUSTER;
const WRITER_REFCOUNT_ORDER = 4;
export const WRITER_REFCOUNTS_PER_BLOCK = (WRITER_CLUSTER * 8) / 2 ** WRITER_REFCOUNT_ORDER;
const WRITER_HEADER_LENGTH = 112;
const WRITER_CHUNK = 4 * 1024 * 1024;
const COPIED = 1n << 63n;
const SECTOR = 512;

/**
 * Appends clusters at the end of the output through two large buffers: one fills while
 * the other is being written.
 */
class ClusterAppender {
  nextCluster: number;
  private readonly handle: FileHandle;
  private readonly path: string;
  private readonly buffers = [Buffer.allocUnsafe(WRITER_CHUNK), Buffer.allocUnsafe(WRITER_CHUNK)] as const;
  private current = 0;
  private pending: Promise<void> | null = null;
  private used = 0;
  private bufferStart: number;

  constructor(handle: FileHandle, path: string, firstCluster: number) {
    this.handle = handle;
    this.path = path;
    this.nextCluster = firstCluster;
    this.bufferStart = firstCluster * WRITER_CLUSTER;
  }

  /** Appends one cluster (data shorter than a cluster is zero-padded); returns its host offset. */
  async append(data: Buffer): Promise<number> {
    if (this.used + WRITER_CLUSTER > WRITER_CHUNK) await this.flush();
    const buffer = this.buffers[this.current]!;
    const host = this.nextCluster * WRITER_CLUSTER;
    data.copy(buffer, this.used);
    if (data.length < WRITER_CLUSTER) buffer.fill(0, this.used + data.length, this.used + WRITER_CLUSTER);
    this.used += WRITER_CLUSTER;
    this.nextCluster += 1;
    return host;
  }

  /** Starts writing the filled buffer (after the previous write finished) and switches buffers. */
  async flush(): Promise<void> {
    if (this.used === 0) return;
    if (this.pending) await this.pending;
    this.pending = observed(
      writeFully(this.handle, this.path, this.buffers[this.current]!, this.used, this.bufferStart),
    );
    this.current ^= 1;
    this.bufferStart += this.used;
    this.used = 0;
  }

  /** Writes what is left and waits for every write. */
  async finish(): Promise<void> {
    await this.flush();
    if (this.pending) await this.pending;
    this.pending = null;
  }
}

function buildHeader(
  virtualSize: number, l1Size: number, refcountTableOffset: number, refcountTableClusters: number,
): Buffer {
  const header = Buffer.alloc(WRITER_CLUSTER);
  header.writeUInt32BE(QCOW2_MAGIC_NUMBER, HEADER.magic);
  header.writeUInt32BE(3, HEADER.version);
  header.writeUInt32BE(WRITER_CLUSTER_BITS, HEADER.clusterBits);
  header.writeBigUInt64BE(BigInt(virtualSize), HEADER.size);
  header.writeUInt32BE(l1Size, HEADER.l1Size);
  header.writeBigUInt64BE(BigInt(WRITER_CLUSTER), HEADER.l1TableOffset);
  header.writeBigUInt64BE(BigInt(refcountTableOffset), HEADER.refcountTableOffset);
  header.writeUInt32BE(refcountTableClusters, HEADER.refcountTableClusters);
  header.writeUInt32BE(WRITER_REFCOUNT_ORDER, HEADER.refcountOrder);
  header.writeUInt32BE(WRITER_HEADER_LENGTH, HEADER.headerLength);
  return header;
}

/** Refcount blocks and table clusters needed to cover `used` clusters plus themselves. */
export function refcountLayout(used: number): { blocks: number; tableClusters: number } {
  let blocks = 0;
  let tableClusters = 0;
  for (;;) {
    const total = used + blocks + tableClusters;
    const nextBlocks = Math.ceil(total / WRITER_REFCOUNTS_PER_BLOCK);
    const nextTable = Math.max(1, Math.ceil((nextBlocks * 8) / WRITER_CLUSTER));
    if (nextBlocks === blocks && nextTable === tableClusters) return { blocks, tableClusters };
    blocks = nextBlocks;
    tableClusters = nextTable;
  }
}

export async function writeQcow2Image(source: VirtualDisk, outPath: string, options: WriteOptions = {}): Promise<void> {
  await writeNewImageFile(outPath, async (handle) => {
    const virtualSize = Math.ceil(source.virtualSize / SECTOR) * SECTOR;
    const l1Size = Math.ceil(virtualSize / WRITER_L2_SPAN);
    const l1Clusters = Math.max(1, Math.ceil((l1Size * 8) / WRITER_CLUSTER));
    const l1 = Buffer.alloc(l1Clusters * WRITER_CLUSTER);
    const appender = new ClusterAppender(handle, outPath, 1 + l1Clusters);
    let l2: { index: number; table: Buffer } | null = null;
    const finishL2 = async (): Promise<void> => {
      if (!l2) return;
      const host = await appender.append(l2.table);
      l1.writeBigUInt64BE(BigInt(host) | COPIED, l2.index * 8);
      l2 = null;
    };
    const chunk = Buffer.allocUnsafe(WRITER_CHUNK);
    let nextCluster = 0;
    const map = await source.allocationMap();
    for (const range of map) {
      if (range.zero) continue;
      const end = Math.min(range.offset + range.length, source.virtualSize);
      let position = Math.max(nextCluster * WRITER_CLUSTER, Math.floor(range.offset / WRITER_CLUSTER) * WRITER_CLUSTER);
      while (position < end) {
        throwIfAborted(options.signal, outPath);
        const chunkEnd = Math.min(Math.ceil(end / WRITER_CLUSTER) * WRITER_CLUSTER, position + WRITER_CHUNK);
        const readable = Math.min(chunkEnd, source.virtualSize) - position;
        await source.read(chunk.subarray(0, readable), position, readable);
        chunk.fill(0, readable, chunkEnd - position);
        for (let at = 0; at < chunkEnd - position; at += WRITER_CLUSTER) {
          const cluster = chunk.subarray(at, at + WRITER_CLUSTER);
          if (isAllZero(cluster)) continue;
          const clusterIndex = (position + at) / WRITER_CLUSTER;
          const l1Index = Math.floor(clusterIndex / WRITER_L2_ENTRIES);
          if (l2 && (l2 as { index: number }).index !== l1Index) await finishL2();
          l2 ??= { index: l1Index, table: Buffer.alloc(WRITER_CLUSTER) };
          const host = await appender.append(cluster);
          l2.table.writeBigUInt64BE(BigInt(host) | COPIED, (clusterIndex % WRITER_L2_ENTRIES) * 8);
        }
        position = chunkEnd;
        nextCluster = chunkEnd / WRITER_CLUSTER;
        options.onProgress?.(Math.min(position, source.virtualSize), source.virtualSize);
      }
    }
    await finishL2();
    await appender.finish();
    const used = appender.nextCluster;
    const { blocks, tableClusters } = refcountLayout(used);
    const tableOffset = used * WRITER_CLUSTER;
    const firstBlock = used + tableClusters;
    const total = firstBlock + blocks;
    const table = Buffer.alloc(tableClusters * WRITER_CLUSTER);
    for (let block = 0; block < blocks; block += 1) {
      table.writeBigUInt64BE(BigInt((firstBlock + block) * WRITER_CLUSTER), block * 8);
    }
    await writeFully(handle, outPath, table, table.length, tableOffset);
    const refcounts = Buffer.alloc(WRITER_CLUSTER);
    for (let block = 0; block < blocks; block += 1) {
      refcounts.fill(0);
      const covered = Math.min(WRITER_REFCOUNTS_PER_BLOCK, total - block * WRITER_REFCOUNTS_PER_BLOCK);
      for (let entry = 0; entry < covered; entry += 1) refcounts.writeUInt16BE(1, entry * 2);
      await writeFully(handle, outPath, refcounts, refcounts.length, (firstBlock + block) * WRITER_CLUSTER);
    }
    await writeFully(handle, outPath, l1, l1.length, WRITER_CLUSTER);
    const header = buildHeader(virtualSize, l1Size, tableOffset, tableClusters);
    await writeFully(handle, outPath, header, header.length, 0);
  });
  options.onProgress?.(source.virtualSize, source.virtualSize);
}
