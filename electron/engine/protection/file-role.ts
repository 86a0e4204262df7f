/**
 * What a VM file is, by content (never by extension): a disk image (any format the disk
 * layer detects, or a raw image: a sector-aligned file of at least 1 MiB), a hypervisor
 * configuration (VirtualBox .vbox XML, VMware .vmx, libvirt domain XML), firmware NVRAM
 * (VMware "MRVN", UEFI variable stores with a firmware volume header), or other.
 */
import { open } from 'node:fs/promises';
import type { FileRole } from '../../../shared/contract/item-models.ts';
import { detectFormatByContent, PROBE_HEAD_BYTES, PROBE_TAIL_BYTES } from '../disk/detect-format.ts';
import type { DiskFormat } from '../disk/virtual-disk.ts';
import { recognizeUnsupportedFormat, vhdSetByName, type UnsupportedFormat } from '../disk/unsupported-formats.ts';

const RAW_DISK_MIN_BYTES = 1024 * 1024;
const SECTOR = 512;
const UEFI_FVH_OFFSET = 0x28;

export interface DetectedRole {
  role: FileRole;
  diskFormat?: DiskFormat;
  /** A disk image in a format Labvault recognises but does not read (unsupported-formats.ts). */
  unsupported?: UnsupportedFormat;
}

export function roleFromContent(head: Buffer, tail: Buffer, size: number): DetectedRole {
  const unsupported = recognizeUnsupportedFormat(head, tail);
  if (unsupported) return { role: 'disk', unsupported };
  const format = detectFormatByContent(head, tail, size);
  if (format !== 'raw') return { role: 'disk', diskFormat: format };
  const text = head.subarray(0, Math.min(head.length, 2048)).toString('latin1');
  if (/<VirtualBox[\s>]/.test(text) || /<domain[\s>]/.test(text) || /^\s*(\.encoding|config\.version|virtualHW\.version)\s*=/m.test(text)) {
    return { role: 'config' };
  }
  if (head.subarray(0, 4).toString('latin1') === 'MRVN') return { role: 'nvram' };
  if (head.length >= UEFI_FVH_OFFSET + 4 && head.subarray(UEFI_FVH_OFFSET, UEFI_FVH_OFFSET + 4).toString('latin1') === '_FVH') return { role: 'nvram' };
  if (size >= RAW_DISK_MIN_BYTES && size % SECTOR === 0) return { role: 'disk', diskFormat: 'raw' };
  return { role: 'other' };
}

export async function detectFileRole(path: string, size: number): Promise<DetectedRole> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(PROBE_HEAD_BYTES, size));
    if (head.length > 0) await handle.read(head, 0, head.length, 0);
    const tailLength = Math.min(PROBE_TAIL_BYTES, size);
    const tail = Buffer.alloc(tailLength);
    if (tailLength > 0) await handle.read(tail, 0, tailLength, size - tailLength);
    const detected = roleFromContent(head, tail, size);
    const vhdSet = detected.diskFormat === 'vhdx' ? vhdSetByName(path) : null;
    return vhdSet ? { role: 'disk', unsupported: vhdSet } : detected;
  } finally {
    await handle.close();
  }
}
