/**
 * Which guest cluster each host cluster of a qcow2 FILE holds, for change tracking with
 * dirty bitmaps (backup/qcow2-bitmap-tracking.ts). A host cluster counts as "plain data of
 * guest cluster g" only when the active L1/L2 tables map g to it as a standard cluster
 * with the copied flag (refcount exactly 1), without the zero flag, and nothing else
 * claims it: not the header cluster, the L1 table, an L2 table (active or of a snapshot),
 * the refcount table or a refcount block, the snapshot table or a snapshot's L1 table,
 * the bitmap directory, a bitmap table or bitmap data, nor a second guest cluster.
 * Compressed clusters, zero clusters and everything else are "not proven" (-1).
 *
 * Per file chunk the map gives a fingerprint: a digest of the guest clusters its host
 * clusters hold, or all zeros when any byte of the chunk is not plain data. Two backups
 * whose fingerprints of a chunk agree had the same guest clusters at the same host
 * offsets there; with the guest clusters unwritten in between (the dirty bitmap), the
 * chunk holds the same bytes.
 *
 * Images with an external data file or extended L2 entries, marked dirty or corrupt, give
 * no map (null with the reason): their host clusters prove nothing here.
 */
import { createHash } from 'node:crypto';
import { badImage } from '../image-error.ts';
import type { ImageFile } from '../image-file.ts';
import type { Qcow2Header } from './qcow2-header.ts';
import { L2_COMPRESSED_BIT_HI, L2_COPIED_BIT_HI, L2_ZERO_BIT_LO, entryHi, entryLo, entryOffset } from './qcow2-entries.ts';
import { readQcow2Snapshots } from './qcow2-snapshots.ts';
import { readQcow2BitmapTable, type Qcow2Bitmaps } from './qcow2-bitmaps.ts';

/** Host clusters mapped at most (8 bytes each in memory). */
export const MAX_HOST_CLUSTERS = 8 * 1024 * 1024;
export const FINGERPRINT_BYTES = 16;
const NOT_PROVEN = -1;
const CLAIMED = -2;
const MAX_L1_BYTES = 32 * 1024 * 1024;

export interface Qcow2HostMap {
  clusterSize: number;
  virtualSize: number;
  fileSize: number;
  /** Per host cluster: the guest cluster index it holds as plain data, or a negative value. */
  hostToGuest: Float64Array;
}

export type HostMapAnswer = { map: Qcow2HostMap; why?: undefined } | { map: null; why: string };

class HostMapBuilder {
  readonly hostToGuest: Float64Array;
  private readonly clusterSize: number;

  constructor(clusters: number, clusterSize: number) {
    this.hostToGuest = new Float64Array(clusters).fill(NOT_PROVEN);
    this.clusterSize = clusterSize;
  }

  /** Marks every host cluster of [offset, offset + length) as metadata. */
  claim(offset: number, length: number): void {
    if (length <= 0) return;
    const first = Math.floor(offset / this.clusterSize);
    const last = Math.min(this.hostToGuest.length - 1, Math.floor((offset + length - 1) / this.clusterSize));
    for (let cluster = first; cluster <= last; cluster += 1) this.hostToGuest[cluster] = CLAIMED;
  }

  /** Data of guest cluster `guest` at host `offset`; a cluster claimed twice proves nothing. */
  data(offset: number, guest: number): void {
    const cluster = offset / this.clusterSize;
    if (cluster >= this.hostToGuest.length) return;
    this.hostToGuest[cluster] = this.hostToGuest[cluster] === NOT_PROVEN ? guest : CLAIMED;
  }
}

async function claimL2Tables(
  file: ImageFile, builder: HostMapBuilder, l1Offset: number, l1Size: number, what: string,
): Promise<Buffer | null> {
  if (l1Size === 0) return null;
  if (l1Size * 8 > MAX_L1_BYTES) throw badImage(file.path, what, `L1 table of ${l1Size} entries is too large`);
  const l1 = await file.readAt(l1Offset, l1Size * 8, what);
  builder.claim(l1Offset, l1Size * 8);
  for (let index = 0; index < l1Size; index += 1) {
    const l2 = entryOffset(l1, index * 8);
    if (l2 !== 0) builder.claim(l2, 1);
  }
  return l1;
}

/** The host map of a qcow2 file, or null with the reason it proves nothing. */
export async function readQcow2HostMap(
  file: ImageFile, header: Qcow2Header, bitmaps: Qcow2Bitmaps | null,
): Promise<HostMapAnswer> {
  if (header.dataFile !== null) return { map: null, why: 'the image keeps its data in an external data file' };
  if (header.extendedL2) return { map: null, why: 'the image has extended L2 entries (subclusters)' };
  if (header.dirty) return { map: null, why: 'the image is marked dirty (not closed cleanly, refcounts not written)' };
  if (header.corrupt) return { map: null, why: 'the image is marked corrupt' };
  const { clusterSize } = header;
  const clusters = Math.ceil(file.size / clusterSize);
  if (clusters > MAX_HOST_CLUSTERS) return { map: null, why: `the file has ${clusters} clusters, more than ${MAX_HOST_CLUSTERS} are not mapped` };
  const builder = new HostMapBuilder(clusters, clusterSize);
  builder.claim(0, clusterSize);
  // Refcount table and blocks.
  const refTableBytes = header.refcountTableClusters * clusterSize;
  if (refTableBytes > 0) {
    const refTable = await file.readAt(header.refcountTableOffset, refTableBytes, 'qcow2 refcount table');
    builder.claim(header.refcountTableOffset, refTableBytes);
    for (let at = 0; at < refTableBytes; at += 8) {
      const block = Number(refTable.readBigUInt64BE(at) & ~0x1ffn);
      if (block !== 0) builder.claim(block, 1);
    }
  }
  // Snapshots: their table, L1 tables and L2 tables.
  if (header.nbSnapshots > 0) {
    const snapshots = await readQcow2Snapshots(file, header);
    builder.claim(header.snapshotsOffset, snapshots.reduce((sum, snapshot) => sum + snapshot.entryBytes, 0));
    for (const [index, snapshot] of snapshots.entries()) {
      if (snapshot.l1TableOffset % clusterSize !== 0) throw badImage(file.path, `qcow2 snapshot ${index}.l1_table_offset`, 'not cluster aligned');
      await claimL2Tables(file, builder, snapshot.l1TableOffset, snapshot.l1Size, `qcow2 snapshot ${index} L1 table`);
    }
  }
  // Bitmaps: directory, tables and data.
  if (bitmaps !== null) {
    builder.claim(bitmaps.directoryOffset, bitmaps.directorySize);
    for (const bitmap of bitmaps.bitmaps) {
      builder.claim(bitmap.tableOffset, bitmap.tableSize * 8);
      if (bitmap.inUse) continue;
      const table = await readQcow2BitmapTable(file, header, bitmap).catch(() => null);
      if (table === null) return { map: null, why: `the table of bitmap "${bitmap.name.slice(0, 80)}" does not read` };
      for (const offset of table.dataOffsets) if (offset !== 0) builder.claim(offset, clusterSize);
    }
  }
  // The active L1 and its L2 tables, then the data they map.
  const l1 = await claimL2Tables(file, builder, header.l1TableOffset, header.l1Size, 'qcow2 L1 table');
  if (l1 !== null) {
    const entriesPerL2 = clusterSize / 8;
    const guestClusters = Math.ceil(header.virtualSize / clusterSize);
    for (let l1Index = 0; l1Index < header.l1Size && l1Index * entriesPerL2 < guestClusters; l1Index += 1) {
      const l2Offset = entryOffset(l1, l1Index * 8);
      if (l2Offset === 0) continue;
      if (l2Offset % clusterSize !== 0) throw badImage(file.path, `qcow2 L1 table entry ${l1Index}`, `L2 table offset ${l2Offset} is not cluster aligned`);
      const table = await file.readAt(l2Offset, clusterSize, `qcow2 L2 table (L1 entry ${l1Index})`);
      const count = Math.min(entriesPerL2, guestClusters - l1Index * entriesPerL2);
      for (let l2Index = 0; l2Index < count; l2Index += 1) {
        const at = l2Index * 8;
        const hi = entryHi(table, at);
        const lo = entryLo(table, at);
        if ((hi & L2_COMPRESSED_BIT_HI) !== 0) continue;
        const host = entryOffset(table, at);
        if (host === 0) continue;
        if (host % clusterSize !== 0) throw badImage(file.path, `qcow2 L2 entry ${l2Index} of L1 entry ${l1Index}`, `data cluster offset ${host} is not cluster aligned`);
        // Zero-flagged or shared (refcount > 1) clusters are not proven: marked claimed.
        if ((lo & L2_ZERO_BIT_LO) !== 0 || (hi & L2_COPIED_BIT_HI) === 0) builder.claim(host, 1);
        else builder.data(host, l1Index * entriesPerL2 + l2Index);
      }
    }
  }
  const { virtualSize } = header;
  return { map: { clusterSize, virtualSize, fileSize: file.size, hostToGuest: builder.hostToGuest } };
}

/** The guest clusters the host clusters of chunk `chunk` hold, or null when any of its bytes is not plain data. */
export function chunkGuestClusters(map: Qcow2HostMap, chunkSize: number, chunk: number): number[] | null {
  const start = chunk * chunkSize;
  const end = Math.min(start + chunkSize, map.fileSize);
  if (end <= start) return null;
  const guests: number[] = [];
  const first = Math.floor(start / map.clusterSize);
  const last = Math.floor((end - 1) / map.clusterSize);
  for (let cluster = first; cluster <= last; cluster += 1) {
    const guest = map.hostToGuest[cluster];
    if (guest === undefined || guest < 0) return null;
    guests.push(guest);
  }
  return guests;
}

/**
 * One fingerprint per file chunk (FINGERPRINT_BYTES each): SHA-256 of the cluster size,
 * the chunk's length and the guest clusters of its host clusters, truncated; zeros when
 * the chunk is not all plain data.
 */
export function chunkFingerprints(map: Qcow2HostMap, chunkSize: number): Buffer {
  const chunks = Math.ceil(map.fileSize / chunkSize);
  const out = Buffer.alloc(chunks * FINGERPRINT_BYTES);
  for (let chunk = 0; chunk < chunks; chunk += 1) {
    const fingerprint = chunkFingerprint(map, chunkSize, chunk);
    if (fingerprint !== null) fingerprint.copy(out, chunk * FINGERPRINT_BYTES);
  }
  return out;
}

export function chunkFingerprint(map: Qcow2HostMap, chunkSize: number, chunk: number): Buffer | null {
  const guests = chunkGuestClusters(map, chunkSize, chunk);
  if (guests === null) return null;
  const hash = createHash('sha256');
  const head = Buffer.alloc(16);
  head.writeDoubleLE(map.clusterSize, 0);
  head.writeDoubleLE(Math.min(chunkSize, map.fileSize - chunk * chunkSize), 8);
  hash.update(head);
  hash.update(Buffer.from(Float64Array.from(guests).buffer));
  return hash.digest().subarray(0, FINGERPRINT_BYTES);
}
