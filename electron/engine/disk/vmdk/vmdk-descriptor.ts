/**
 * The VMDK text descriptor: a separate small file (monolithicFlat, twoGbMaxExtent*) or
 * embedded in a sparse extent (monolithicSparse, streamOptimized). Parsing is defensive:
 * size-limited, unknown lines ignored, only the keys we use are read.
 *
 *   # Disk DescriptorFile
 *   version=1
 *   CID=786db1d8                      content id (hex u32), changes on every write
 *   parentCID=ffffffff                CID of the parent when this disk was made; ~0 = none
 *   createType="monolithicSparse"
 *   parentFileNameHint="parent.vmdk"  only in snapshot (child) disks
 *   RW 9766 SPARSE "disk.vmdk"        access, size in sectors, type, file name[, offset]
 *   RW 9766 FLAT "disk-flat.vmdk" 0   FLAT/VMFS: offset (sectors) into the file
 *   RW 2048 ZERO                      reads as zeros, no file
 *   ddb.geometry.cylinders = "9"      disk database, kept but not interpreted
 */
import { isAbsolute, resolve, dirname } from 'node:path';
import { badImage, unsupportedImage } from '../image-error.ts';

/** Largest descriptor we parse (qemu refuses descriptor files over 1 MiB too). */
export const MAX_DESCRIPTOR_BYTES = 1024 * 1024;
const MAX_EXTENTS = 4096;
export const NO_PARENT_CID = 0xffffffff;
/** The first line of a text descriptor (a descriptor file's signature). */
export const DESCRIPTOR_SIGNATURE = '# Disk DescriptorFile';

export type VmdkExtentType = 'SPARSE' | 'FLAT' | 'ZERO' | 'VMFS' | 'VMFSSPARSE' | 'VMFSRDM' | 'VMFSRAW' | 'SESPARSE';
const KNOWN_TYPES = new Set<string>(['SPARSE', 'FLAT', 'ZERO', 'VMFS', 'VMFSSPARSE', 'VMFSRDM', 'VMFSRAW', 'SESPARSE']);

export interface VmdkExtentLine {
  access: string;
  sectors: number;
  type: VmdkExtentType;
  /** As written in the descriptor (relative to the descriptor's directory unless absolute). */
  fileName: string | null;
  /** FLAT/VMFS: start of the extent inside its file, in sectors. */
  offsetSectors: number;
}

export interface VmdkDescriptor {
  version: number;
  cid: number;
  parentCid: number;
  createType: string;
  parentFileNameHint: string | null;
  extents: VmdkExtentLine[];
}

/** `# Disk DescriptorFile` or a `createType=` line near the start: a text descriptor. */
export function looksLikeDescriptor(head: Buffer): boolean {
  const text = head.subarray(0, 4096).toString('latin1');
  if (text.startsWith(DESCRIPTOR_SIGNATURE)) return true;
  return /^\s*version\s*=\s*[123]\s*$/m.test(text) && /^\s*createType\s*=/m.test(text);
}

function unquote(value: string): string {
  const trimmed = value.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) return trimmed.slice(1, -1);
  return trimmed;
}

function parseHex32(file: string, key: string, value: string): number {
  const text = unquote(value);
  if (!/^[0-9a-fA-F]{1,8}$/.test(text)) throw badImage(file, `vmdk.descriptor.${key}`, `"${text}" is not a hexadecimal 32-bit content id`);
  return Number.parseInt(text, 16);
}

const EXTENT_LINE = /^(RW|RDONLY|NOACCESS)\s+(\d+)\s+([A-Za-z]+)(?:\s+"([^"]*)"(?:\s+(\d+))?)?\s*$/;

function parseExtentLine(file: string, line: string, lineNumber: number): VmdkExtentLine {
  const match = EXTENT_LINE.exec(line);
  if (!match) throw badImage(file, `vmdk.descriptor line ${lineNumber}`, `malformed extent line "${line.slice(0, 120)}"`);
  const type = match[3]!.toUpperCase();
  if (!KNOWN_TYPES.has(type)) throw unsupportedImage(file, `vmdk.descriptor line ${lineNumber}`, `extent type ${type} is not known`);
  const sectors = Number(match[2]);
  const offsetSectors = match[5] === undefined ? 0 : Number(match[5]);
  if (
    !Number.isSafeInteger(sectors) || sectors > 2 ** 44
    || !Number.isSafeInteger(offsetSectors) || offsetSectors > 2 ** 44
  ) {
    throw badImage(file, `vmdk.descriptor line ${lineNumber}`, 'extent size or offset is out of range');
  }
  const fileName = match[4] ?? null;
  if (type !== 'ZERO' && (fileName === null || fileName.length === 0 || fileName.includes('\0'))) {
    throw badImage(file, `vmdk.descriptor line ${lineNumber}`, `${type} extent has no file name`);
  }
  return { access: match[1]!, sectors, type: type as VmdkExtentType, fileName: type === 'ZERO' ? null : fileName, offsetSectors };
}

/**
 * Parses descriptor text. `file` names the file the text came from (for errors).
 * 'strict' (descriptor files): malformed lines, a missing createType or version are
 * errors. 'lenient' (descriptors embedded in sparse extents, whose data does not depend on
 * them, as in qemu): malformed lines are skipped and defaults kept.
 */
export function parseDescriptor(file: string, bytes: Buffer, mode: 'strict' | 'lenient' = 'strict'): VmdkDescriptor {
  if (bytes.length > MAX_DESCRIPTOR_BYTES) throw badImage(file, 'vmdk.descriptor', `descriptor of ${bytes.length} bytes exceeds ${MAX_DESCRIPTOR_BYTES}`);
  const end = bytes.indexOf(0);
  const text = bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8');
  const result: VmdkDescriptor = { version: 1, cid: 0, parentCid: NO_PARENT_CID, createType: '', parentFileNameHint: null, extents: [] };
  let sawCreateType = false;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!.replace(/\r$/, '').trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    try {
      if (/^(RW|RDONLY|NOACCESS)\s/.test(line)) {
        if (result.extents.length >= MAX_EXTENTS) throw badImage(file, 'vmdk.descriptor', `more than ${MAX_EXTENTS} extents`);
        result.extents.push(parseExtentLine(file, line, index + 1));
        continue;
      }
      const equals = line.indexOf('=');
      if (equals <= 0) continue;
      const key = line.slice(0, equals).trim();
      const value = line.slice(equals + 1);
      if (key === 'version') result.version = Number(unquote(value)) || 0;
      else if (key === 'CID') result.cid = parseHex32(file, key, value);
      else if (key === 'parentCID') result.parentCid = parseHex32(file, key, value);
      else if (key === 'createType') { result.createType = unquote(value); sawCreateType = true; }
      else if (key === 'parentFileNameHint') result.parentFileNameHint = unquote(value) || null;
    } catch (error) {
      if (mode === 'strict') throw error;
    }
  }
  if (mode === 'lenient') return result;
  if (!sawCreateType) throw badImage(file, 'vmdk.descriptor.createType', 'the descriptor has no createType line');
  if (result.version < 1 || result.version > 3) throw unsupportedImage(file, 'vmdk.descriptor.version', `descriptor version ${result.version} is not supported`);
  return result;
}

/**
 * Resolves an extent or parent file name the way VMware does: absolute names are
 * honoured, relative names (".." included) are relative to the descriptor's directory.
 */
export function resolveVmdkPath(descriptorPath: string, fileName: string): string {
  return isAbsolute(fileName) ? fileName : resolve(dirname(descriptorPath), fileName);
}

export interface DescriptorText {
  cid: number;
  parentCid: number;
  createType: string;
  parentFileNameHint?: string;
  extents: { sectors: number; type: 'SPARSE' | 'FLAT'; fileName: string; offsetSectors?: number }[];
  capacitySectors: number;
}

/** Descriptor text in qemu's layout (used by the writers). */
export function formatDescriptor(desc: DescriptorText): string {
  const heads = 16;
  const sectors = 63;
  const cylinders = Math.min(65535, Math.max(1, Math.floor(desc.capacitySectors / (heads * sectors))));
  const lines = [
    DESCRIPTOR_SIGNATURE,
    'version=1',
    `CID=${desc.cid.toString(16).padStart(8, '0')}`,
    `parentCID=${desc.parentCid.toString(16).padStart(8, '0')}`,
    `createType="${desc.createType}"`,
  ];
  if (desc.parentFileNameHint) lines.push(`parentFileNameHint="${desc.parentFileNameHint}"`);
  lines.push('', '# Extent description');
  for (const extent of desc.extents) {
    const offset = extent.type === 'FLAT' ? ` ${extent.offsetSectors ?? 0}` : '';
    lines.push(`RW ${extent.sectors} ${extent.type} "${extent.fileName}"${offset}`);
  }
  lines.push('', '# The Disk Data Base', '#DDB', '',
    'ddb.virtualHWVersion = "4"',
    `ddb.geometry.cylinders = "${cylinders}"`,
    `ddb.geometry.heads = "${heads}"`,
    `ddb.geometry.sectors = "${sectors}"`,
    'ddb.adapterType = "ide"', '');
  return lines.join('\n');
}
