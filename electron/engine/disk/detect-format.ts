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
 * (non-raw first), then taken as raw. `detectImageFormat` first refuses the formats
 * Labvault recognises but does not read (unsupported-formats.ts: qcow v1, QED, parallels,
 * bochs, cloop, dmg, LUKS, VMware 3 COWD, UML COW, VHD sets) with an UNSUPPORTED error
 * naming them. Each magic is defined once, in its format's header module; this file only
 * decides the order they are tried in.
 */
import { localImageOpener } from './image-opener.ts';
import type { ImageOpener } from './image-opener.ts';
import { diskFormats } from './disk-formats.ts';
import type { DiskFormat } from './virtual-disk.ts';
import { QCOW2_MAGIC_NUMBER } from './qcow2/qcow2-header.ts';
import { VMDK_SPARSE_MAGIC, VMDK3_COWD_MAGIC } from './vmdk/vmdk-sparse-header.ts';
import { DESCRIPTOR_SIGNATURE } from './vmdk/vmdk-descriptor.ts';
import { OFF_SIGNATURE as VDI_SIGNATURE_OFFSET, VDI_SIGNATURE } from './vdi/vdi-header.ts';
import { VHDX_SIGNATURE } from './vhdx/vhdx-layout.ts';
import { VHD_FOOTER_COOKIE } from './vhd/vhd-layout.ts';
import { recognizeUnsupportedFormat, unsupportedFormatError, vhdSetByName } from './unsupported-formats.ts';

export const PROBE_HEAD_BYTES = 4096;
export const PROBE_TAIL_BYTES = 512;

/** True when `text` (latin1) stands in `buffer` at `at`. */
function holdsText(buffer: Buffer, text: string, at = 0): boolean {
  return buffer.length >= at + text.length && buffer.toString('latin1', at, at + text.length) === text;
}

/** The u32 at offset 0, or null when the buffer is shorter than 4 bytes. */
function firstU32(head: Buffer, endian: 'BE' | 'LE'): number | null {
  if (head.length < 4) return null;
  return endian === 'BE' ? head.readUInt32BE(0) : head.readUInt32LE(0);
}

function looksLikeVmdkDescriptor(head: Buffer): boolean {
  if (holdsText(head, DESCRIPTOR_SIGNATURE)) return true;
  const text = head.toString('latin1');
  // A descriptor is plain text: refuse binary content before looking for its keys.
  if (/[\x00-\x08\x0e-\x1f]/.test(text)) return false;
  return /^\s*createType\s*=/m.test(text) && /^\s*version\s*=/m.test(text);
}

/** The format of a file from its first bytes, its last 512 bytes and its size. */
export function detectFormatByContent(head: Buffer, tail: Buffer, fileSize: number): DiskFormat {
  if (firstU32(head, 'BE') === QCOW2_MAGIC_NUMBER) return 'qcow2';
  const littleEndian = firstU32(head, 'LE');
  if (littleEndian === VMDK_SPARSE_MAGIC || littleEndian === VMDK3_COWD_MAGIC) return 'vmdk';
  if (holdsText(head, VHDX_SIGNATURE)) return 'vhdx';
  if (head.length >= VDI_SIGNATURE_OFFSET + 4 && head.readUInt32LE(VDI_SIGNATURE_OFFSET) === VDI_SIGNATURE) return 'vdi';
  if (holdsText(head, VHD_FOOTER_COOKIE)) return 'vpc';
  if (fileSize >= PROBE_TAIL_BYTES && (holdsText(tail, VHD_FOOTER_COOKIE) || holdsText(tail, VHD_FOOTER_COOKIE, 1))) return 'vpc';
  if (looksLikeVmdkDescriptor(head)) return 'vmdk';
  for (const module of diskFormats) {
    if (module.format !== 'raw' && module.probe(head, tail, fileSize)) return module.format;
  }
  return 'raw';
}

/**
 * Reads the probe bytes of a file and detects its format. A format Labvault recognises but
 * does not read is UNSUPPORTED (field 'format', details.format names it), never raw.
 */
export async function detectImageFormat(path: string, opener: ImageOpener = localImageOpener): Promise<DiskFormat> {
  const file = await opener.open(path);
  try {
    const head = Buffer.alloc(Math.min(PROBE_HEAD_BYTES, file.size));
    await file.readInto(head, 0, head.length, 0, 'format probe (first bytes)');
    const tailLength = Math.min(PROBE_TAIL_BYTES, file.size);
    const tail = Buffer.alloc(tailLength);
    await file.readInto(tail, 0, tailLength, file.size - tailLength, 'format probe (last bytes)');
    const unsupported = recognizeUnsupportedFormat(head, tail);
    if (unsupported) throw unsupportedFormatError(path, unsupported);
    const format = detectFormatByContent(head, tail, file.size);
    const vhdSet = format === 'vhdx' ? vhdSetByName(path) : null;
    if (vhdSet) throw unsupportedFormatError(path, vhdSet);
    return format;
  } finally {
    await file.close();
  }
}
