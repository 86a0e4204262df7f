/**
 * One point opened for guest reading: its files as BlockSources over the vault
 * (point-files.ts), the guest worker that opens the disk images among them (any format,
 * with their chains) and parses them, and the choice of a volume from `--disk` /
 * `--partition` (default: the only readable one, else an error listing them).
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { Manifest, VaultStore } from '../vault/store/index.ts';
import type { ChunkCache } from './chunk-cache.ts';
import type { GuestCheckFinding, GuestEntry, GuestVolume } from './guest-filesystem.ts';
import { GuestWorker } from './guest-worker-client.ts';
import type { GuestWorkerLimits } from './guest-worker-client.ts';
import type { LayoutView } from './guest-worker-protocol.ts';
import { pointFilesOf } from './point-files.ts';
import type { PointFiles } from './point-files.ts';

/** Bytes per file request to the worker. */
const FILE_CHUNK = 4 * 1024 * 1024;
let zeroChunk = Buffer.alloc(0);

/** A shared all-zero buffer of `length` bytes (read-only by convention: holes). */
function zeros(length: number): Buffer {
  if (zeroChunk.length < length) zeroChunk = Buffer.alloc(length);
  return zeroChunk.subarray(0, length);
}

export interface VolumeChoice {
  disk?: number | undefined;
  partition?: string | undefined;
}

export interface ChosenVolume {
  key: string;
  disk: number;
  volume: GuestVolume;
}

function volumeLabel(disk: number, volume: GuestVolume): string {
  const where = volume.kind === 'logical-volume' ? `logical volume ${volume.id}` : `disk ${disk} partition ${volume.id}`;
  return `${where} (${volume.filesystem}${volume.label ? `, "${volume.label}"` : ''})`;
}

/** Every volume of a layout with its worker key, disks first then logical volumes. */
export function volumesOf(view: LayoutView): ChosenVolume[] {
  const out: ChosenVolume[] = [];
  for (const disk of view.disks) for (const volume of disk.volumes) out.push({ key: `${disk.disk}:${volume.id}`, disk: disk.disk, volume });
  for (const volume of view.logicalVolumes) out.push({ key: `lv:${volume.id}`, disk: -1, volume });
  return out;
}

export class GuestSession {
  readonly worker: GuestWorker;
  private readonly files: PointFiles;
  private layoutPromise: Promise<LayoutView> | undefined;

  private constructor(worker: GuestWorker, files: PointFiles) {
    this.worker = worker;
    this.files = files;
  }

  /** Starts the worker over the point's files (`files` when the caller has them already). */
  static async open(store: VaultStore, manifest: Manifest, cache: ChunkCache,
    limits: Partial<GuestWorkerLimits> = {}, files?: PointFiles): Promise<GuestSession> {
    const point = files ?? pointFilesOf(store, manifest, cache);
    const sources = point.files.map((file, index) => ({ name: file.name, source: point.sources[index]! }));
    const worker = new GuestWorker(sources, limits, point.files.map((file) => ({ path: file.path, role: file.role })));
    return new GuestSession(worker, point);
  }

  /** Chunks fetched from the vault by this session's files. */
  chunksRead(): number {
    return this.files.counters.chunksRead;
  }

  layout(): Promise<LayoutView> {
    this.layoutPromise ??= this.worker.request({ op: 'layout' });
    return this.layoutPromise;
  }

  /** Every volume with its key, disks first then logical volumes. */
  async volumes(): Promise<ChosenVolume[]> {
    return volumesOf(await this.layout());
  }

  /** The metadata walk of a test restore on one volume (guest-test-restore.ts). */
  check(volume: ChosenVolume, maxInodes: number): Promise<GuestCheckFinding[]> {
    return this.worker.request({ op: 'check', volume: volume.key, maxInodes });
  }

  async choose(choice: VolumeChoice): Promise<ChosenVolume> {
    const view = await this.layout();
    const all = await this.volumes();
    if (choice.disk !== undefined && (choice.disk < 0 || choice.disk >= view.disks.length)) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, `This point has ${view.disks.length} disk(s) (--disk 0 to ${view.disks.length - 1}).`, { field: 'disk' });
    }
    const onDisk = (candidate: ChosenVolume): boolean =>
      choice.disk === undefined || candidate.disk === choice.disk || candidate.disk === -1;
    const listing = (list: ChosenVolume[]): string => list.map((entry) => volumeLabel(entry.disk, entry.volume)
      + (entry.volume.readable ? '' : ` - ${entry.volume.reason ?? 'not readable'}`)).join('; ');
    let matches: ChosenVolume[];
    if (choice.partition !== undefined) {
      matches = all.filter((candidate) => candidate.volume.id === choice.partition && onDisk(candidate));
      if (matches.length === 0) {
        throw new LabvaultError(ErrorCodes.NOT_FOUND, `No partition or volume "${choice.partition}". This point has: ${listing(all) || 'none'}.`, { field: 'partition' });
      }
      if (matches.length > 1) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `"${choice.partition}" exists on several disks: add --disk N.`, { field: 'disk' });
    } else {
      matches = all.filter((candidate) => candidate.volume.readable && onDisk(candidate));
      if (matches.length !== 1) {
        const reason = matches.length === 0 ? 'No readable filesystem was found' : 'Several filesystems are readable: choose one with --partition (and --disk)';
        throw new LabvaultError(matches.length === 0 ? ErrorCodes.UNSUPPORTED : ErrorCodes.INVALID_INPUT,
          `${reason}. This point has: ${listing(all) || 'no volumes'}.`, { field: 'partition' });
      }
    }
    const chosen = matches[0] as ChosenVolume;
    if (!chosen.volume.readable) {
      throw new LabvaultError(ErrorCodes.UNSUPPORTED, `${volumeLabel(chosen.disk, chosen.volume)}: ${chosen.volume.reason ?? 'not readable'}`, { field: 'partition' });
    }
    return chosen;
  }

  list(volume: ChosenVolume, path: string): Promise<GuestEntry[]> {
    return this.worker.request({ op: 'list', volume: volume.key, path });
  }

  stat(volume: ChosenVolume, path: string): Promise<GuestEntry> {
    return this.worker.request({ op: 'stat', volume: volume.key, path });
  }

  /** A regular file's bytes in chunks, each chunk a bounded request to the worker. */
  async *readFile(volume: ChosenVolume, path: string, chunkSize = FILE_CHUNK): AsyncIterable<Buffer> {
    const handle = await this.worker.request({ op: 'open-file', volume: volume.key, path, chunkSize });
    let done = false;
    try {
      for (;;) {
        const chunk = await this.worker.request({ op: 'next-chunk', handle });
        if (chunk === null) {
          done = true;
          return;
        }
        yield typeof chunk === 'number' ? zeros(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      }
    } finally {
      if (!done) await this.worker.request({ op: 'close-file', handle }).catch(() => null);
    }
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
