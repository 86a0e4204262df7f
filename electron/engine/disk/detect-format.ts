/**
 * Detects a disk image format from its content (never its name), like qemu-img's probe:
 *
 * | format | where                | what                                                  |
 * |--------|----------------------|-------------------------------------------------------|
 * | qcow2  | offset 0, 4 bytes    | 'QFI\xfb' (version checked by the reader)              |
 * | vmdk   | offset 0, 4 bytes    | 'KDMV' (hosted sparse extent) or 'COWD' (ESX sparse)   |
 * | vmdk   | offset 0, text       | '# Disk DescriptorFile', or a descriptor with          |
 * |        |                      | 'createType=' in the first 4 KiB of plain text         |
 * | vdi    | offset 0x40, u32 LE  | 0xbeda107f                                            |
 * | vhdx   | offset 0, 8 bytes    | 'vhdxfile'                                            |
 * | vpc    | offset 0, 8 bytes    | 'conectix' (dynamic/differencing: footer copy)         |
 * | vpc    | last 512 (or 511)    | 'conectix' (fixed VHD: footer only)                    |
 * | raw    | anything else        |                                                       |
 *
 * Content not matched by these magics is offered to the registered modules' probe()
 * (non-raw first), then taken as raw.
 */
import { ImageFile } from './image-file.ts';
import { diskFormats } from './disk-formats.ts';
import type { DiskFormat } from './virtual-disk.ts';

export const PROBE_HEAD_BYTES = 4096;
export const PROBE_TAIL_BYTES = 512;

export const QCOW2_MAGIC = Buffer.from([0x51, 0x46, 0x49, 0xfb]);
export const VMDK_SPARSE_MAGIC = Buffer.from('KDMV', 'latin1');
export const VMDK_COWD_MAGIC = Buffer.from('COWD', 'latin1');
export const VMDK_DESCRIPTOR_PREFIX = '# Disk DescriptorFile';
export const VDI_SIGNATURE_OFFSET = 0x40;
export const VDI_SIGNATURE = 0xbeda107f;
export const VHDX_SIGNATURE = Buffer.from('vhdxfile', 'latin1');
export const VHD_COOKIE = Buffer.from('conectix', 'latin1');

function startsWith(buffer: Buffer, magic: Buffer, at = 0): boolean {
  return buffer.length >= at + magic.length && buffer.subarray(at, at + magic.length).equals(magic);
}

function looksLikeVmdkDescriptor(head: Buffer): boolean {
  if (head.toString('latin1', 0, VMDK_DESCRIPTOR_PREFIX.length) === VMDK_DESCRIPTOR_PREFIX) return true;
  const text = head.toString('latin1');
  // A descriptor is plain text: refuse binary content before looking for its keys.
  if (/[\x00-\x08\x0e-\x1f]/.test(text)) return false;
  return /^\s*createType\s*=/m.test(text) && /^\s*version\s*=/m.test(text);
}

/** The format of a file from its first bytes, its last 512 bytes and its size. */
export function detectFormatByContent(head: Buffer, tail: Buffer, fileSize: number): DiskFormat {
  if (startsWith(head, QCOW2_MAGIC)) return 'qcow2';
  if (startsWith(head, VMDK_SPARSE_MAGIC) || startsWith(head, VMDK_COWD_MAGIC)) return 'vmdk';
  if (startsWith(head, VHDX_SIGNATURE)) return 'vhdx';
  if (head.length >= VDI_SIGNATURE_OFFSET + 4 && head.readUInt32LE(VDI_SIGNATURE_OFFSET) === VDI_SIGNATURE) return 'vdi';
  if (startsWith(head, VHD_COOKIE)) return 'vpc';
  if (fileSize >= PROBE_TAIL_BYTES && (startsWith(tail, VHD_COOKIE) || startsWith(tail, VHD_COOKIE, 1))) return 'vpc';
  if (looksLikeVmdkDescriptor(head)) return 'vmdk';
  for (const module of diskFormats) {
    if (module.format !== 'raw' && module.probe(head, tail, fileSize)) return module.format;
  }
  return 'raw';
}

/** Reads the probe bytes of a file and detects its format. */
export async function detectImageFormat(path: string): Promise<DiskFormat> {
  const file = await ImageFile.open(path);
  try {
    const head = Buffer.alloc(Math.min(PROBE_HEAD_BYTES, file.size));
    await file.readInto(head, 0, head.length, 0, 'format probe (first bytes)');
    const tailLength = Math.min(PROBE_TAIL_BYTES, file.size);
    const tail = Buffer.alloc(tailLength);
    await file.readInto(tail, 0, tailLength, file.size - tailLength, 'format probe (last bytes)');
    return detectFormatByContent(head, tail, file.size);
  } finally {
    await file.close();
  }
}
