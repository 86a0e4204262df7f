/**
 * Disk image formats Labvault recognises but does not read. Without this table such a file
 * would be taken as raw and backed up or exported with its container's size, which is
 * never the disk the user meant. Each entry is recognised by content, as qemu-img's probe
 * recognises it (block/<format>.c in QEMU), and named in an UNSUPPORTED error that says
 * how to convert it with qemu-img where qemu-img reads it.
 *
 * | format    | where                  | what                                                     |
 * |-----------|------------------------|----------------------------------------------------------|
 * | qcow      | offset 0               | 'QFI\xfb', version (u32 BE at 4) 1 (QCOW version 1)      |
 * | qed       | offset 0               | 'QED\0'                                                  |
 * | parallels | offset 0, 16 bytes     | 'WithoutFreeSpace' or 'WithouFreSpacExt', version 2 at 16 |
 * | bochs     | offset 0, 32, 48       | 'Bochs Virtual HD Image', type 'Redolog', any subtype    |
 * | cloop     | offset 0               | '#!/bin/sh\n#V2.0 Format\n' (the cloop 2.0 shell header) |
 * | dmg       | last 512 bytes         | 'koly' UDIF trailer, version 4, header size 512 (BE)     |
 * | luks      | offset 0, 6 bytes      | 'LUKS\xba\xbe' (LUKS1 and LUKS2)                         |
 * | vmdk3-cowd| offset 0, u32 LE       | 'COWD' (VMware 3 / ESX sparse extent; qemu-img -f vmdk)  |
 * | cow       | offset 0, u32 BE       | 0x4f4f4f4d 'OOOM' (User-Mode Linux COW)                  |
 * | vhds      | name, VHDX container   | a '.vhds' file: a Hyper-V VHD Set (the data lives in the |
 * |           |                        | .avhdx files it lists)                                   |
 */
import { extname } from 'node:path';
import { unsupportedImage } from './image-error.ts';
import { VMDK3_COWD_MAGIC } from './vmdk/vmdk-sparse-header.ts';
import type { LabvaultError } from '../../../shared/errors.ts';

export interface UnsupportedFormat {
  /** qemu-img's name for the format (or a short name where qemu-img has none). */
  format: string;
  /** What the user knows it as. */
  description: string;
  /** The `qemu-img convert -f` name that reads it, or null when qemu-img cannot. */
  qemuFormat: string | null;
}

function holds(buffer: Buffer, text: string, at = 0): boolean {
  return buffer.length >= at + text.length && buffer.toString('latin1', at, at + text.length) === text;
}

/** A NUL-terminated string field of `length` bytes at `at` equals `text`. */
function holdsCString(buffer: Buffer, text: string, at: number, length: number): boolean {
  if (buffer.length < at + length) return false;
  const field = buffer.subarray(at, at + length);
  const end = field.indexOf(0);
  return field.toString('latin1', 0, end === -1 ? length : end) === text;
}

const QCOW_MAGIC = 'QFI\xfb';
const QED_MAGIC = 'QED\0';
const PARALLELS_MAGICS = ['WithoutFreeSpace', 'WithouFreSpacExt'];
const PARALLELS_VERSION = 2;
const BOCHS_MAGIC = 'Bochs Virtual HD Image';
const BOCHS_TYPE = 'Redolog';
const CLOOP_MAGIC = '#!/bin/sh\n#V2.0 Format\n';
const UDIF_TRAILER = 'koly';
const UDIF_VERSION = 4;
const UDIF_TRAILER_SIZE = 512;
const LUKS_MAGIC = 'LUKS\xba\xbe';
const UML_COW_MAGIC = 0x4f4f4f4d;

interface Rule extends UnsupportedFormat {
  matches(head: Buffer, tail: Buffer): boolean;
}

const RULES: readonly Rule[] = [
  {
    format: 'qcow', description: 'QCOW version 1', qemuFormat: 'qcow',
    matches: (head) => holds(head, QCOW_MAGIC) && head.length >= 8 && head.readUInt32BE(4) === 1,
  },
  { format: 'qed', description: 'QED (QEMU enhanced disk)', qemuFormat: 'qed', matches: (head) => holds(head, QED_MAGIC) },
  {
    format: 'parallels', description: 'Parallels', qemuFormat: 'parallels',
    matches: (head) => PARALLELS_MAGICS.some((magic) => holds(head, magic)) && head.length >= 20
      && head.readUInt32LE(16) === PARALLELS_VERSION,
  },
  {
    format: 'bochs', description: 'Bochs', qemuFormat: 'bochs',
    matches: (head) => holdsCString(head, BOCHS_MAGIC, 0, 32) && holdsCString(head, BOCHS_TYPE, 32, 16),
  },
  { format: 'cloop', description: 'cloop (compressed loop)', qemuFormat: 'cloop', matches: (head) => holds(head, CLOOP_MAGIC) },
  {
    format: 'dmg', description: 'Apple disk image (UDIF .dmg)', qemuFormat: 'dmg',
    matches: (_head, tail) => tail.length === UDIF_TRAILER_SIZE && holds(tail, UDIF_TRAILER)
      && tail.readUInt32BE(4) === UDIF_VERSION && tail.readUInt32BE(8) === UDIF_TRAILER_SIZE,
  },
  {
    format: 'vmdk3-cowd', description: 'VMware 3 / ESX COWD sparse extent', qemuFormat: 'vmdk',
    matches: (head) => head.length >= 4 && head.readUInt32LE(0) === VMDK3_COWD_MAGIC,
  },
  { format: 'luks', description: 'LUKS encrypted volume', qemuFormat: null, matches: (head) => holds(head, LUKS_MAGIC) },
  {
    format: 'cow', description: 'User-Mode Linux COW', qemuFormat: null,
    matches: (head) => head.length >= 4 && head.readUInt32BE(0) === UML_COW_MAGIC,
  },
];

const VHD_SET: UnsupportedFormat = { format: 'vhds', description: 'Hyper-V VHD Set (.vhds)', qemuFormat: null };

/** The unsupported format the content shows, or null. */
export function recognizeUnsupportedFormat(head: Buffer, tail: Buffer): UnsupportedFormat | null {
  const rule = RULES.find((candidate) => candidate.matches(head, tail));
  if (!rule) return null;
  return { format: rule.format, description: rule.description, qemuFormat: rule.qemuFormat };
}

/** A VHDX container named .vhds is a VHD Set file, not a disk (Hyper-V only). */
export function vhdSetByName(path: string): UnsupportedFormat | null {
  return extname(path).toLowerCase() === '.vhds' ? VHD_SET : null;
}

/** The UNSUPPORTED error that names the format and says what to do. */
export function unsupportedFormatError(path: string, found: UnsupportedFormat): LabvaultError {
  const advice = found.format === 'vhds'
    ? 'Protect the .avhdx/.vhdx files it lists instead (Hyper-V: Convert-VHD or Export-VM gives one disk).'
    : found.qemuFormat !== null
      ? `Convert it first, e.g. "qemu-img convert -f ${found.qemuFormat} -O qcow2 ${path} disk.qcow2", and use the result.`
      : 'Open it with its own tool and protect the disk inside it (or a raw/qcow2 copy of it).';
  return unsupportedImage(path, 'format', `${found.description} images (format "${found.format}") are not read by Labvault: it would otherwise be taken as a raw disk of the container's size. ${advice}`, {
    format: found.format, reason: 'unsupported-format',
  });
}
