/**
 * Filesystem detection by signature, on the first 68 KiB of a volume: ext2/3/4 (told apart
 * by their feature flags), vfat, NTFS, exFAT, XFS, btrfs, BitLocker, LUKS, swap, an LVM2
 * physical volume. Only signatures: nothing here trusts a size read from the bytes.
 */
import type { BlockSource, GuestFilesystemKind } from './guest-filesystem.ts';
import { ntfsVolumeLabel } from './ntfs/ntfs-filesystem.ts';

/** Bytes read for detection: btrfs's superblock at 64 KiB plus its label. */
export const DETECT_BYTES = 65536 + 4096;

const EXT_SUPERBLOCK = 1024;
const EXT_MAGIC = 0xef53;
const EXT_COMPAT_HAS_JOURNAL = 0x4;
/** Incompat: extents, 64bit, flex_bg, mmp, inline_data, csum_seed, largedir, encrypt, casefold. */
const EXT4_INCOMPAT = 0x40 | 0x80 | 0x100 | 0x200 | 0x1000 | 0x2000 | 0x4000 | 0x8000 | 0x10000 | 0x20000;
/** Ro-compat: huge_file, gdt_csum, dir_nlink, extra_isize, quota, bigalloc, metadata_csum. */
const EXT4_RO_COMPAT = 0x8 | 0x10 | 0x20 | 0x40 | 0x100 | 0x200 | 0x400;

export interface DetectedFilesystem {
  kind: GuestFilesystemKind;
  label?: string;
}

function text(bytes: Buffer, at: number, length: number): string {
  return at + length <= bytes.length ? bytes.toString('latin1', at, at + length) : '';
}

function cString(bytes: Buffer, at: number, length: number, encoding: BufferEncoding = 'utf8'): string | undefined {
  if (at + length > bytes.length) return undefined;
  const raw = bytes.subarray(at, at + length);
  const end = raw.indexOf(0);
  const value = raw.subarray(0, end === -1 ? length : end).toString(encoding).trim();
  return value === '' ? undefined : value;
}

function withLabel(kind: GuestFilesystemKind, label: string | undefined): DetectedFilesystem {
  return label === undefined ? { kind } : { kind, label };
}

function detectExt(bytes: Buffer): DetectedFilesystem | null {
  if (bytes.length < EXT_SUPERBLOCK + 1024 || bytes.readUInt16LE(EXT_SUPERBLOCK + 56) !== EXT_MAGIC) return null;
  const compat = bytes.readUInt32LE(EXT_SUPERBLOCK + 92);
  const incompat = bytes.readUInt32LE(EXT_SUPERBLOCK + 96);
  const roCompat = bytes.readUInt32LE(EXT_SUPERBLOCK + 100);
  const label = cString(bytes, EXT_SUPERBLOCK + 120, 16);
  if ((incompat & EXT4_INCOMPAT) !== 0 || (roCompat & EXT4_RO_COMPAT) !== 0) return withLabel('ext4', label);
  if ((compat & EXT_COMPAT_HAS_JOURNAL) !== 0) return withLabel('ext3', label);
  return withLabel('ext2', label);
}

function detectFat(bytes: Buffer): DetectedFilesystem | null {
  if (bytes.length < 512 || bytes[510] !== 0x55 || bytes[511] !== 0xaa) return null;
  const bytesPerSector = bytes.readUInt16LE(11);
  const sectorsPerCluster = bytes[13] ?? 0;
  const validBpb = [512, 1024, 2048, 4096].includes(bytesPerSector) && sectorsPerCluster > 0
    && (sectorsPerCluster & (sectorsPerCluster - 1)) === 0 && bytes.readUInt16LE(14) > 0 && (bytes[16] ?? 0) > 0;
  if (!validBpb) return null;
  if (text(bytes, 82, 5) === 'FAT32') return withLabel('vfat', fatLabel(cString(bytes, 71, 11, 'latin1')));
  if (text(bytes, 54, 5) === 'FAT12' || text(bytes, 54, 5) === 'FAT16') {
    return withLabel('vfat', fatLabel(cString(bytes, 43, 11, 'latin1')));
  }
  return null;
}

function fatLabel(label: string | undefined): string | undefined {
  return label === undefined || label === 'NO NAME' ? undefined : label;
}

/** The filesystem whose signature `bytes` (the volume's first DETECT_BYTES or fewer) carries. */
export function detectFilesystemIn(bytes: Buffer): DetectedFilesystem {
  const oem = text(bytes, 3, 8);
  if (oem === '-FVE-FS-') return { kind: 'bitlocker' };
  if (oem === 'NTFS    ') return { kind: 'ntfs' };
  if (oem === 'EXFAT   ') return { kind: 'exfat' };
  if (text(bytes, 0, 6) === 'LUKS\u00ba\u00be') return withLabel('luks', cString(bytes, 24, 48));
  if (text(bytes, 0, 4) === 'XFSB') return withLabel('xfs', cString(bytes, 108, 12));
  if (text(bytes, 65536 + 64, 8) === '_BHRfS_M') return withLabel('btrfs', cString(bytes, 65536 + 299, 256));
  for (let sector = 0; sector < 4; sector += 1) {
    if (text(bytes, sector * 512, 8) === 'LABELONE' && text(bytes, sector * 512 + 24, 8) === 'LVM2 001') {
      return { kind: 'lvm2-pv' };
    }
  }
  const ext = detectExt(bytes);
  if (ext) return ext;
  const swapSignature = text(bytes, 4096 - 10, 10);
  if (swapSignature === 'SWAPSPACE2' || swapSignature === 'SWAP-SPACE') return withLabel('swap', cString(bytes, 1024 + 28, 16));
  return detectFat(bytes) ?? { kind: 'unknown' };
}

export async function detectFilesystem(source: BlockSource): Promise<DetectedFilesystem> {
  const length = Math.min(DETECT_BYTES, source.size);
  const detected = detectFilesystemIn(await source.read(0, length));
  // NTFS keeps its label in $Volume (MFT record 3), not in the boot sector.
  if (detected.kind === 'ntfs') return withLabel('ntfs', await ntfsVolumeLabel(source));
  return detected;
}
