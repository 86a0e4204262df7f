/**
 * Which detected filesystems Labvault reads, and the reader that opens each; the others
 * get the reason a user sees next to the volume. A reader opens a volume's BlockSource and
 * checks the superblock (or boot sector) before returning. A new reader adds its line to OPENERS.
 */
import type { BlockSource, GuestFilesystem, GuestFilesystemKind } from './guest-filesystem.ts';
import { openExtFilesystem } from './ext/ext-filesystem.ts';
import { openFatFilesystem } from './fat/fat-filesystem.ts';
import { openNtfsFilesystem } from './ntfs/ntfs-filesystem.ts';

export type FilesystemOpener = (source: BlockSource, name: string) => Promise<GuestFilesystem>;

const OPENERS: Partial<Record<GuestFilesystemKind, FilesystemOpener>> = {
  ext2: openExtFilesystem,
  ext3: openExtFilesystem,
  ext4: openExtFilesystem,
  vfat: openFatFilesystem,
  ntfs: openNtfsFilesystem,
};

const REASONS: Record<GuestFilesystemKind, string> = {
  ext2: '', ext3: '', ext4: '',
  vfat: 'FAT is detected but not read by Labvault yet.',
  ntfs: 'NTFS is detected but not read by Labvault yet.',
  xfs: 'XFS is detected but not read by Labvault yet.',
  btrfs: 'btrfs is detected but not read by Labvault yet.',
  exfat: 'exFAT is detected but not read by Labvault yet.',
  bitlocker: 'BitLocker-encrypted: Labvault cannot read it without the recovery key (not supported yet).',
  luks: 'LUKS-encrypted: Labvault does not unlock encrypted volumes.',
  swap: 'Swap space: it holds no files.',
  'lvm2-pv': 'An LVM2 physical volume: its logical volumes are listed separately.',
  unknown: 'No known filesystem signature was found.',
};

export function filesystemOpener(kind: GuestFilesystemKind): FilesystemOpener | undefined {
  return OPENERS[kind];
}

/** Why a filesystem kind is not read (undefined when it is). */
export function unreadableReason(kind: GuestFilesystemKind): string | undefined {
  return OPENERS[kind] === undefined ? REASONS[kind] : undefined;
}
