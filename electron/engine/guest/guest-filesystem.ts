/**
 * The interfaces every guest reader implements: a partition table or volume manager reads
 * a block source and yields volumes; a filesystem reader reads a volume and answers
 * path questions. Nothing here mounts anything or needs root: readers work on bytes only.
 *
 * Every reader treats its input as hostile: each size, count and offset read from the
 * bytes is checked before use, loops are bounded, and damage ends in a LabvaultError
 * (CORRUPT naming the structure, UNSUPPORTED naming the feature), never a hang or an
 * allocation the bytes asked for.
 */

/** Random-access bytes: a whole disk of a point, a partition, or a logical volume. */
export interface BlockSource {
  /** Size in bytes. */
  readonly size: number;
  /** Reads [offset, offset + length) into a new buffer. Reads past `size` are an error. */
  read(offset: number, length: number): Promise<Buffer>;
}

/** What was found on a disk: a partition, a logical volume, or the whole disk. */
export interface GuestVolume {
  /** Stable handle for `--partition`: "1", "2" (table order), "vg0/root" (LVM), "disk" (no table). */
  id: string;
  kind: 'partition' | 'logical-volume' | 'whole-disk';
  /** Byte offset and length on the disk it lives on (LVM: on the first physical volume). */
  offset: number;
  size: number;
  /** GPT partition type GUID, MBR type byte as "0x83", or the LV segment type. */
  typeCode?: string;
  /** GPT partition name, filesystem label when known. */
  label?: string;
  /** Filesystem detected by its signature (see detect-filesystem). */
  filesystem: GuestFilesystemKind;
  /** false with a reason when the filesystem is detected but not read (XFS, LUKS, ...). */
  readable: boolean;
  reason?: string;
}

export type GuestFilesystemKind =
  | 'ext2' | 'ext3' | 'ext4' | 'vfat' | 'ntfs'
  | 'xfs' | 'btrfs' | 'exfat' | 'bitlocker' | 'luks' | 'swap' | 'lvm2-pv'
  | 'unknown';

export type GuestEntryType = 'file' | 'dir' | 'symlink' | 'other';

/** One directory entry as `labvault files ls --json` prints it. */
export interface GuestEntry {
  name: string;
  type: GuestEntryType;
  size: number;
  /** Modification time, ms since the epoch (UTC). */
  mtimeMs: number;
  /** POSIX mode bits (type bits excluded); FAT/NTFS synthesize 0o755 dirs / 0o644 files. */
  mode: number;
  /** Symlink target as stored. */
  target?: string;
  /** Stable per-filesystem id (inode, MFT record, FAT first cluster): hardlinks share it. */
  inode?: number;
  /** NTFS alternate data streams, by name; each reads as `path:name`. */
  streams?: string[];
}

/** A read-only view of one filesystem on a volume. Paths are absolute, '/'-separated. */
export interface GuestFilesystem {
  readonly kind: GuestFilesystemKind;
  readonly label?: string;
  /** Entries of a directory, without "." and "..". NOT_FOUND / INVALID_INPUT when not a directory. */
  list(path: string): Promise<GuestEntry[]>;
  /** The entry at path without following a final symlink. NOT_FOUND when absent. */
  stat(path: string): Promise<GuestEntry>;
  /** Streams a regular file's bytes (holes as zeros), in chunks of at most `chunkSize`. */
  readFile(path: string, chunkSize?: number): AsyncIterable<Buffer>;
  /**
   * Walks the metadata a test restore checks (superblock, group descriptors or MFT, root
   * directory, a bounded sample of inodes) and reports what it found; never throws on damage.
   */
  checkMetadata(options: { maxInodes: number }): Promise<GuestCheckFinding[]>;
}

export interface GuestCheckFinding {
  /** note: information, not a problem (e.g. an ext journal replayed in memory). */
  severity: 'error' | 'warning' | 'note';
  /** Stable kind, e.g. 'bad-superblock', 'bad-group-descriptor', 'unreadable-root'. */
  kind: string;
  message: string;
}
