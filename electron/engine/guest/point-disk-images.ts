/**
 * A point's disks from its files (run inside the guest worker): every disk file is opened
 * with the disk format readers (raw, qcow2, VMDK, VDI, VHD, VHDX) and its whole chain
 * (backing files, snapshot layers, extents, an external data file), all read from the
 * point's own files through a FileSetOpener. A file that another disk's chain reads (a base
 * layer, a VMDK extent) is part of that disk, not a disk of its own; the others are the
 * point's disks, in the point's order (`--disk N`), each a BlockSource of the guest-visible
 * bytes. A disk that cannot be opened (an unsupported format, a damaged image, a missing
 * parent) keeps its slot with the typed reason and is not read.
 */
import { ErrorCodes, isLabvaultError } from '../../../shared/errors.ts';
import { openDiskImage } from '../disk/open-disk-image.ts';
import type { DiskFormat, VirtualDisk } from '../disk/virtual-disk.ts';
import type { DiskLayout } from './disk-volumes.ts';
import type { FileSetOpener, SetFile } from './file-set-opener.ts';
import type { BlockSource } from './guest-filesystem.ts';
import { checkRange } from './point-disk-source.ts';

/** The image a disk is read through: its format and the point files it reads, top layer first. */
export interface DiskImageView {
  format: DiskFormat;
  files: string[];
}

/** A disk of the point that cannot be read: listed with the reason, not read. */
export interface SkippedDisk {
  disk: number;
  name: string;
  size: number;
  code: string;
  reason: string;
}

export interface PointDiskImages {
  /** The point's disks in order (--disk N); a skipped disk keeps its slot with an empty source. */
  disks: { name: string; source: BlockSource; image?: DiskImageView }[];
  skipped: SkippedDisk[];
  close(): Promise<void>;
}

/** The guest-visible bytes of an opened image (its merged chain) as a BlockSource. */
class VirtualDiskSource implements BlockSource {
  readonly size: number;
  private readonly disk: VirtualDisk;
  private readonly name: string;
  /** Reads of a disk that cannot overlap its own reads run one after another. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(disk: VirtualDisk, name: string) {
    this.disk = disk;
    this.size = disk.virtualSize;
    this.name = name;
  }

  read(offset: number, length: number): Promise<Buffer> {
    checkRange(this.size, offset, length, this.name);
    const run = async (): Promise<Buffer> => {
      const out = Buffer.alloc(length);
      await this.disk.read(out, offset, length);
      return out;
    };
    if (this.disk.concurrentReads === true) return run();
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

const EMPTY: BlockSource = { size: 0, read: async () => Buffer.alloc(0) };

interface Opened {
  file: SetFile;
  path: string;
  disk?: VirtualDisk;
  /** Paths of the files the opened disk reads (itself first). */
  reads: string[];
  error?: { code: string; message: string };
}

async function openOne(opener: FileSetOpener, file: SetFile): Promise<Opened> {
  const before = opener.openHandles();
  try {
    const disk = await openDiskImage(file.path, { opener });
    return { file, path: file.path, disk, reads: opener.pathsOpenedSince(before) };
  } catch (error) {
    if (!isLabvaultError(error)) throw error;
    return { file, path: file.path, reads: [], error: { code: error.code, message: error.message } };
  }
}

/** Opens the disk files of the set (and their chains) as the point's disks. */
export async function openPointDiskImages(opener: FileSetOpener): Promise<PointDiskImages> {
  const opened: Opened[] = [];
  // Files another disk reads (base layers, extents, data files) belong to that disk.
  const partOfAnother = new Set<string>();
  for (const file of opener.files.filter((entry) => entry.role === 'disk')) {
    // A layer already read by a chain opened before it is not opened again (tops usually come first).
    if (partOfAnother.has(file.path)) continue;
    const entry = await openOne(opener, file);
    opened.push(entry);
    for (const path of entry.reads) if (path !== entry.path) partOfAnother.add(path);
  }
  const disks: PointDiskImages['disks'] = [];
  const skipped: SkippedDisk[] = [];
  const images: VirtualDisk[] = [];
  for (const entry of opened) {
    if (partOfAnother.has(entry.path)) {
      await entry.disk?.close().catch(() => undefined);
      continue;
    }
    const { name } = entry.file;
    if (!entry.disk) {
      const error = entry.error ?? { code: ErrorCodes.GUEST_UNREADABLE, message: `${name} could not be opened.` };
      skipped.push({ disk: disks.length, name, size: entry.file.size, code: error.code, reason: error.message });
      disks.push({ name, source: EMPTY });
      continue;
    }
    const image: DiskImageView = { format: entry.disk.format,
      files: entry.reads.map((path) => opener.files[opener.indexAt(path) ?? -1]?.name ?? path) };
    images.push(entry.disk);
    disks.push({ name, source: new VirtualDiskSource(entry.disk, name), image });
  }
  return {
    disks, skipped,
    close: async () => {
      for (const disk of images) await disk.close().catch(() => undefined);
    },
  };
}

/** A disk of the point that cannot be read, as the layout shows it. */
export function skippedDiskLayout(skip: SkippedDisk): DiskLayout {
  return { disk: skip.disk, name: skip.name, size: skip.size, table: 'unreadable', volumes: [],
    warnings: [], error: { code: skip.code, message: skip.reason } };
}
