/**
 * One point opened for guest reading: its disk files as BlockSources over the vault (raw
 * disks; other image formats are named as not read yet), the guest worker that parses
 * them, and the choice of a volume from `--disk` / `--partition` (default: the only
 * readable one, else an error listing them).
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { Manifest, VaultStore } from '../vault/store/index.ts';
import type { ChunkCache } from './chunk-cache.ts';
import type { BlockSource, GuestCheckFinding, GuestEntry, GuestVolume } from './guest-filesystem.ts';
import { GuestWorker } from './guest-worker-client.ts';
import type { GuestWorkerLimits } from './guest-worker-client.ts';
import type { LayoutView } from './guest-worker-protocol.ts';
import { PointDiskSource } from './point-disk-source.ts';
import type { ReadCounters } from './point-disk-source.ts';

const QCOW2_MAGIC = 'QFI\u00fb';
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

/** A disk of the point that is not a raw image: listed with the reason, not read. */
export interface SkippedDisk {
  disk: number;
  name: string;
  size: number;
  reason: string;
}

function volumeLabel(disk: number, volume: GuestVolume): string {
  const where = volume.kind === 'logical-volume' ? `logical volume ${volume.id}` : `disk ${disk} partition ${volume.id}`;
  return `${where} (${volume.filesystem}${volume.label ? `, "${volume.label}"` : ''})`;
}

/** A point's disks over the vault, in the point's order (--disk N), and those that are not raw images. */
export interface PointDisks {
  sources: { name: string; source: BlockSource & { readonly counters: ReadCounters } }[];
  skipped: SkippedDisk[];
}

/** Opens the point's disk files as block sources (no parsing beyond a qcow2 magic). */
export async function openPointDisks(store: VaultStore, manifest: Manifest, cache: ChunkCache): Promise<PointDisks> {
  const disks = manifest.files.filter((file) => file.role === 'disk');
  const sources: { name: string; source: PointDiskSource }[] = [];
  const skipped: SkippedDisk[] = [];
  for (const [index, file] of disks.entries()) {
    const diskIndex = await store.readIndex(file.indexId, file.size);
    const source = new PointDiskSource(diskIndex, store.chunks, cache, `${file.path} of point ${manifest.pointId}`);
    const head = source.size >= 4 ? (await source.read(0, 4)).toString('latin1') : '';
    const format = file.diskFormat ?? (head === QCOW2_MAGIC ? 'qcow2' : 'raw');
    if (format !== 'raw') {
      skipped.push({ disk: index, name: file.path, size: file.size,
        reason: `${file.path} is a ${format} image: Labvault reads files inside raw disks only, so far. `
          + `"labvault restore disks" restores the whole disk.` });
    }
    // Index order is the point's disk order (--disk N); a skipped disk keeps its slot with an empty source.
    sources.push({ name: file.path, source });
  }
  return { sources, skipped };
}

/** Every volume of a layout with its worker key, disks first then logical volumes. */
export function volumesOf(view: LayoutView): ChosenVolume[] {
  const out: ChosenVolume[] = [];
  for (const disk of view.disks) for (const volume of disk.volumes) out.push({ key: `${disk.disk}:${volume.id}`, disk: disk.disk, volume });
  for (const volume of view.logicalVolumes) out.push({ key: `lv:${volume.id}`, disk: -1, volume });
  return out;
}

/** A disk the point could not read as a raw image, as the layout shows it. */
export function skippedDiskLayout(skip: SkippedDisk): LayoutView['disks'][number] {
  return { disk: skip.disk, name: skip.name, size: skip.size, table: 'unreadable', volumes: [],
    warnings: [], error: { code: ErrorCodes.UNSUPPORTED, message: skip.reason } };
}

export class GuestSession {
  readonly worker: GuestWorker;
  readonly counters: ReadCounters[];
  private readonly skipped: SkippedDisk[];
  private layoutPromise: Promise<LayoutView> | undefined;

  private constructor(worker: GuestWorker, counters: ReadCounters[], skipped: SkippedDisk[]) {
    this.worker = worker;
    this.counters = counters;
    this.skipped = skipped;
  }

  static async open(store: VaultStore, manifest: Manifest, cache: ChunkCache,
    limits: Partial<GuestWorkerLimits> = {}, opened?: PointDisks): Promise<GuestSession> {
    const { sources, skipped } = opened ?? await openPointDisks(store, manifest, cache);
    const readable = sources.map((entry, index) => (skipped.some((skip) => skip.disk === index)
      ? { name: entry.name, source: { size: 0, read: entry.source.read.bind(entry.source) } }
      : entry));
    const worker = new GuestWorker(readable, limits);
    return new GuestSession(worker, sources.map((entry) => entry.source.counters), skipped);
  }

  /** Chunks fetched from the vault by this session's disks. */
  chunksRead(): number {
    return this.counters.reduce((sum, counter) => sum + counter.chunksRead, 0);
  }

  layout(): Promise<LayoutView> {
    this.layoutPromise ??= this.worker.request({ op: 'layout' }).then((view) => {
      for (const skip of this.skipped) view.disks[skip.disk] = skippedDiskLayout(skip);
      return view;
    });
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
