import type { CheckResult, DiskFormat, DiskImageInfo, VirtualDisk } from './virtual-disk.ts';
import { localImageOpener } from './image-opener.ts';
import type { ImageOpener } from './image-opener.ts';

/**
 * What the shared machinery (detection, chain resolution, export, check) passes to a
 * format module when it opens an image.
 */
export interface OpenContext {
  /**
   * Opens a parent/backing image through the common opener: resolves relative paths
   * against the child's directory, detects loops, enforces a depth limit, and names the
   * file it looked for when it is missing. `formatHint` is the format the child records
   * for its parent, if any.
   */
  openParent(parentPath: string, fromChildPath: string, formatHint?: DiskFormat): Promise<VirtualDisk>;
  /**
   * Where the image, its extents, data file and parents are read from; absent means the
   * local filesystem. Every file a module opens while opening an image goes through it.
   */
  readonly opener?: ImageOpener;
}

/** The opener of a context: its own, or the local filesystem. */
export function openerOf(ctx: OpenContext | undefined): ImageOpener {
  return ctx?.opener ?? localImageOpener;
}

/** One disk image format: raw, qcow2, vmdk, vdi, vpc (VHD), vhdx. */
export interface DiskFormatModule {
  readonly format: DiskFormat;
  /**
   * True when the first bytes of a file (at least 4 KiB, or the whole file when shorter)
   * and its size identify this format. Content only, never the extension.
   * For formats with a footer (VHD fixed), `tail` holds the last 512 bytes.
   */
  probe(head: Buffer, tail: Buffer, fileSize: number): boolean;
  /** Opens the image (and, through ctx, its backing chain). */
  open(path: string, ctx: OpenContext): Promise<VirtualDisk>;
  /** Facts about the image file itself (chain filled in by the caller). */
  info(path: string, ctx: OpenContext): Promise<Omit<DiskImageInfo, 'chain'>>;
  /** Integrity check that never throws on a damaged file: damage is a finding. */
  check(path: string): Promise<CheckResult>;
  /**
   * Writes `source` as a new image of this format at `outPath`, only allocated data.
   * Absent for formats we only read. `subformat` e.g. 'streamOptimized' for VMDK.
   */
  write?(source: VirtualDisk, outPath: string, options: WriteOptions): Promise<void>;
}

export interface WriteOptions {
  subformat?: string;
  /** Called with bytes of virtual disk processed so far. */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  signal?: AbortSignal;
}
