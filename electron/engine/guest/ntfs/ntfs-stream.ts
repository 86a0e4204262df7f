/**
 * One attribute's value as a stream of bytes: resident (in the record), or non-resident
 * through its runlist (pieces from several records joined by VCN), with sparse runs and
 * bytes past the initialized size read as zeros, and compressed attributes (LZNT1, one
 * compression unit at a time: all sparse is zeros, all allocated is stored as is).
 */
import type { BlockSource } from '../guest-filesystem.ts';
import { check, guestDamage, guestUnsupported } from '../guest-errors.ts';
import { decompressLznt1 } from './lznt1.ts';
import { AttributeFlags } from './ntfs-record.ts';
import type { NtfsAttribute } from './ntfs-record.ts';
import { findRun } from './ntfs-runlist.ts';
import type { DataRun } from './ntfs-runlist.ts';

export interface NtfsStream {
  what: string;
  resident?: Buffer;
  runs: DataRun[];
  dataSize: number;
  initializedSize: number;
  flags: number;
  /** log2 of the clusters of a compression unit (0 when not compressed). */
  compressionUnit: number;
}

/** Joins the pieces of one attribute (sorted by start VCN, each continuing the last). */
export function streamOf(pieces: NtfsAttribute[], what: string): NtfsStream {
  const first = pieces[0];
  if (!first) throw guestDamage(what, 'it has no attribute');
  if (first.value !== undefined) {
    check(pieces.length === 1, what, 'a resident attribute comes in several pieces');
    const size = first.value.length;
    return {
      what, resident: first.value, runs: [], dataSize: size, initializedSize: size, flags: first.flags,
      compressionUnit: 0,
    };
  }
  const sorted = [...pieces].sort((a, b) => (a.nonResident?.startVcn ?? 0) - (b.nonResident?.startVcn ?? 0));
  const head = sorted[0]?.nonResident;
  check(head !== undefined && head.startVcn === 0, what, 'its first piece does not start at VCN 0');
  const runs: DataRun[] = [];
  let nextVcn = 0;
  for (const piece of sorted) {
    const info = piece.nonResident;
    check(info !== undefined, what, 'a piece is resident and non-resident at once');
    check(info.startVcn === nextVcn, what, `a piece starts at VCN ${info.startVcn}, not ${nextVcn}`);
    for (const run of info.runs) runs.push(run);
    const last = info.runs[info.runs.length - 1];
    nextVcn = last ? last.vcn + last.length : info.startVcn;
  }
  check(head.initializedSize <= head.dataSize || head.dataSize === 0, what, 'its initialized size is past its size');
  return {
    what, runs, dataSize: head.dataSize, initializedSize: Math.min(head.initializedSize, head.dataSize),
    flags: first.flags,
    compressionUnit: (first.flags & AttributeFlags.COMPRESSED) !== 0 ? head.compressionUnit : 0,
  };
}

export class StreamReader {
  private readonly source: BlockSource;
  private readonly clusterSize: number;

  constructor(source: BlockSource, clusterSize: number) {
    this.source = source;
    this.clusterSize = clusterSize;
  }

  /** Bytes [from, to) of the run-mapped data into `out` at `outAt`; sparse runs stay zero. */
  private async copyRuns(stream: NtfsStream, from: number, to: number, out: Buffer, outAt: number): Promise<void> {
    const cs = this.clusterSize;
    let position = from;
    let index = findRun(stream.runs, Math.floor(position / cs));
    while (position < to) {
      const run = stream.runs[index];
      if (index < 0 || !run) throw guestDamage(stream.what, `its runlist does not map byte ${position} of ${stream.dataSize}`);
      const runStart = run.vcn * cs;
      const runEnd = runStart + run.length * cs;
      const take = Math.min(to, runEnd) - position;
      if (run.lcn >= 0) {
        const bytes = await this.source.read(run.lcn * cs + (position - runStart), take);
        bytes.copy(out, outAt + (position - from));
      }
      position += take;
      index += 1;
    }
  }

  /** Bytes [position, position + length) of the stream, clipped to its size. */
  async read(stream: NtfsStream, position: number, length: number): Promise<Buffer> {
    const end = Math.min(stream.dataSize, position + length);
    if (position >= end) return Buffer.alloc(0);
    if (stream.resident) return Buffer.from(stream.resident.subarray(position, end));
    if ((stream.flags & AttributeFlags.ENCRYPTED) !== 0) throw guestUnsupported(`Reading EFS-encrypted data (${stream.what})`);
    const out = Buffer.alloc(end - position);
    if (stream.compressionUnit > 0) {
      await this.readCompressed(stream, position, end, out);
      return out;
    }
    const initialized = Math.min(end, stream.initializedSize);
    if (initialized > position) await this.copyRuns(stream, position, initialized, out, 0);
    return out;
  }

  private async readCompressed(stream: NtfsStream, position: number, end: number, out: Buffer): Promise<void> {
    const cs = this.clusterSize;
    if (cs > 4096) throw guestUnsupported(`Compressed data with ${cs}-byte clusters (${stream.what})`);
    const unitClusters = 2 ** stream.compressionUnit;
    const unitBytes = unitClusters * cs;
    for (let unit = Math.floor(position / unitBytes); unit * unitBytes < end; unit += 1) {
      const unitStart = unit * unitBytes;
      const bytes = await this.unit(stream, unit * unitClusters, unitClusters);
      const from = Math.max(position, unitStart);
      const to = Math.min(end, unitStart + unitBytes);
      bytes.copy(out, from - position, from - unitStart, to - unitStart);
    }
  }

  /** One compression unit's bytes: zeros, stored, or LZNT1-decompressed. */
  private async unit(stream: NtfsStream, firstVcn: number, clusters: number): Promise<Buffer> {
    const cs = this.clusterSize;
    const unitBytes = clusters * cs;
    let allocated = 0;
    let index = findRun(stream.runs, firstVcn);
    for (let vcn = firstVcn; vcn < firstVcn + clusters;) {
      const run = stream.runs[index];
      if (index < 0 || !run) break;
      const take = Math.min(run.vcn + run.length, firstVcn + clusters) - vcn;
      if (run.lcn >= 0) allocated += take;
      vcn += take;
      index += 1;
    }
    if (allocated === 0) return Buffer.alloc(unitBytes);
    const raw = Buffer.alloc(allocated * cs);
    await this.copyRuns(stream, firstVcn * cs, (firstVcn + allocated) * cs, raw, 0);
    if (allocated >= clusters) return raw;
    return decompressLznt1(raw, unitBytes);
  }
}
