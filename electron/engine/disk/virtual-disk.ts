/**
 * The one interface every disk image format implements: a virtual disk of a fixed size
 * that can be read at any offset, with a map of which ranges hold data.
 *
 * Readers open files through the OpenContext's ImageOpener (local files by default, a
 * point's files in the vault for guest reading), never load a whole image into memory, and
 * check every size and offset they read from a header before use.
 */

export type DiskFormat = 'raw' | 'qcow2' | 'vmdk' | 'vdi' | 'vpc' | 'vhdx';

/** A range of the virtual disk. `zero: true` ranges read as zeros (holes, zero clusters). */
export interface DiskRange {
  offset: number;
  length: number;
  /** true: the range reads as zeros (unallocated or explicitly zero). */
  zero: boolean;
}

/** One file of a backing chain, top (the file opened) first. */
export interface ChainLink {
  path: string;
  format: DiskFormat;
}

export interface VirtualDisk {
  /** Detected by content, never by extension. */
  readonly format: DiskFormat;
  /** Absolute path of the file that was opened. */
  readonly path: string;
  /** Guest-visible size in bytes. */
  readonly virtualSize: number;
  /**
   * Fills `buffer[0..length)` with the merged view (this image over its backing chain)
   * of virtual bytes [offset, offset + length). Reads past virtualSize are an error.
   */
  read(buffer: Buffer, offset: number, length: number): Promise<void>;
  /**
   * Ranges covering [0, virtualSize) in order, adjacent ranges of the same kind merged.
   * Reflects the merged view: a range is data when any layer of the chain has data there.
   */
  allocationMap(): Promise<DiskRange[]>;
  /**
   * True when read() may be called again before an earlier call has finished (positioned
   * reads, no per-read state), for this disk and its whole backing chain. Writers then
   * keep several reads in flight. Absent means false.
   */
  readonly concurrentReads?: boolean;
  /** Releases file handles of this disk and its backing chain. */
  close(): Promise<void>;
}

/** Facts reported by `labvault image info`. */
export interface DiskImageInfo {
  format: DiskFormat;
  path: string;
  virtualSize: number;
  /** Size of the image file itself (all extents summed for multi-file VMDK). */
  fileSize: number;
  /** Bytes of the virtual disk that this image (not its parents) allocates. */
  allocatedBytes: number;
  clusterSize?: number;
  /**
   * The direct parent. `path` is resolved against the child's directory by diskImageInfo;
   * `recordedPath` is the name as the child stores it; `formatRecorded: false` means the
   * child does not record the parent's format (it was detected by content).
   */
  backing?: { path: string; format: DiskFormat; recordedPath?: string; formatRecorded?: boolean };
  chain: ChainLink[];
  /** e.g. VMDK createType, VDI "dynamic"/"fixed", VHD "dynamic"/"fixed"/"differencing". */
  subformat?: string;
  /** qcow2 internal snapshots. */
  snapshots?: { id: string; name: string; vmStateSize?: number; date?: string }[];
  /** Every file belonging to the image (descriptor + extents), for backup. */
  files?: string[];
}

/** A finding of an integrity check. */
export interface CheckFinding {
  severity: 'corruption' | 'leak' | 'warning';
  /** Stable machine-readable kind, e.g. 'overlapping-clusters', 'offset-past-eof', 'bad-magic'. */
  kind: string;
  message: string;
}

export interface CheckResult {
  format: DiskFormat | 'unknown';
  path: string;
  clean: boolean;
  findings: CheckFinding[];
}
