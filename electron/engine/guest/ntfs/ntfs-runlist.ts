/**
 * NTFS runlists (mapping pairs): each run a length in clusters and an LCN given as a
 * signed delta from the previous run's, a run without an offset being sparse. Every run
 * is checked to be non-empty and inside the volume; VCNs must continue without gaps.
 */
import { check } from '../guest-errors.ts';

export interface DataRun {
  vcn: number;
  length: number;
  /** First cluster on the volume; -1 for a sparse run (zeros). */
  lcn: number;
}

const STRUCTURE = 'An NTFS runlist';
/** 2^48 clusters: more than any NTFS file (2^64 bytes) could span at 64 KiB clusters. */
const MAX_SPARSE_CLUSTERS = 2 ** 48;

function readLittle(bytes: Buffer, at: number, size: number, signed: boolean): bigint {
  let value = 0n;
  for (let i = size - 1; i >= 0; i -= 1) value = (value << 8n) | BigInt(bytes[at + i] as number);
  if (signed && size > 0 && ((bytes[at + size - 1] as number) & 0x80) !== 0) value -= 1n << BigInt(size * 8);
  return value;
}

/** Decodes a runlist that starts at `startVcn` on a volume of `clusterCount` clusters. */
export function decodeRunlist(bytes: Buffer, startVcn: number, clusterCount: number): DataRun[] {
  const runs: DataRun[] = [];
  let at = 0;
  let vcn = startVcn;
  let lcn = 0n;
  while (at < bytes.length) {
    const header = bytes[at] as number;
    if (header === 0) break;
    const lengthSize = header & 0x0f;
    const offsetSize = header >> 4;
    check(lengthSize >= 1 && lengthSize <= 8 && offsetSize <= 8, STRUCTURE, `a run header 0x${header.toString(16)} is impossible`);
    check(at + 1 + lengthSize + offsetSize <= bytes.length, STRUCTURE, 'a run goes past the end of its attribute');
    const length = readLittle(bytes, at + 1, lengthSize, false);
    // Sparse runs may be longer than the volume (a 5 GiB hole on a small disk); allocated ones may not.
    check(length > 0n && length <= BigInt(offsetSize === 0 ? MAX_SPARSE_CLUSTERS : clusterCount), STRUCTURE,
      `a run of ${length} clusters is impossible`);
    if (offsetSize === 0) {
      runs.push({ vcn, length: Number(length), lcn: -1 });
    } else {
      lcn += readLittle(bytes, at + 1 + lengthSize, offsetSize, true);
      check(lcn >= 0n && lcn + length <= BigInt(clusterCount), STRUCTURE, `a run at cluster ${lcn} lies outside the volume`);
      runs.push({ vcn, length: Number(length), lcn: Number(lcn) });
    }
    vcn += Number(length);
    check(Number.isSafeInteger(vcn), STRUCTURE, 'its runs are longer than any file');
    at += 1 + lengthSize + offsetSize;
  }
  return runs;
}

/** The index of the run holding `vcn` (runs sorted by vcn), or -1. */
export function findRun(runs: DataRun[], vcn: number): number {
  let low = 0;
  let high = runs.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const run = runs[middle] as DataRun;
    if (vcn < run.vcn) high = middle - 1;
    else if (vcn >= run.vcn + run.length) low = middle + 1;
    else return middle;
  }
  return -1;
}
