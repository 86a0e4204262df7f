/**
 * The VHDX metadata region: the table (layout in vhdx-layout.ts) and its known items.
 *
 * Parent locator item (differencing disks):
 *   locator type guid 0/16, reserved 16/2, key-value count 18/2,
 *   entries from 20, 12 bytes each: key offset 0/4, value offset 4/4 (both from the item
 *   start), key length 8/2, value length 10/2 (bytes); keys and values UTF-16LE.
 *   Keys: parent_linkage (the parent's data write guid), parent_linkage2, relative_path,
 *   volume_path, absolute_win32_path.
 */
import type { PositionedReader } from '../table-pages.ts';
import { badImage, truncatedImage, unsupportedImage } from '../image-error.ts';
import { guidBytes, guidText } from './vhdx-guid.ts';
import {
  FILE_PARAMS_HAS_PARENT, FILE_PARAMS_LEAVE_ALLOCATED, GUID_FILE_PARAMETERS, GUID_LOGICAL_SECTOR_SIZE,
  GUID_PAGE83_DATA, GUID_PARENT_LOCATOR, GUID_PHYSICAL_SECTOR_SIZE, GUID_VHDX_PARENT_LOCATOR_TYPE,
  GUID_VIRTUAL_DISK_SIZE, METADATA_ENTRIES, METADATA_ENTRY_COUNT, METADATA_ENTRY_SIZE, METADATA_FLAG_REQUIRED,
  MiB, VHDX_MAX_BLOCK_SIZE, VHDX_MAX_TABLE_ENTRIES, VHDX_MAX_VIRTUAL_SIZE, VHDX_METADATA_SIGNATURE,
  VHDX_METADATA_TABLE_SIZE, VHDX_MIN_BLOCK_SIZE, readU64LE,
} from './vhdx-layout.ts';
import type { VhdxRegion } from './vhdx-layout.ts';

/** Largest metadata item we read (a parent locator is a few hundred bytes). */
const VHDX_MAX_METADATA_ITEM = MiB;
const PARENT_LOCATOR_HEADER = 20;
const PARENT_LOCATOR_ENTRY = 12;

export interface VhdxMetadata {
  blockSize: number;
  leaveBlocksAllocated: boolean;
  hasParent: boolean;
  virtualSize: number;
  logicalSectorSize: number;
  physicalSectorSize: number;
  page83: string | null;
  /** Key/value pairs of the parent locator; empty without a parent. */
  parentLocator: Map<string, string>;
}

const KNOWN_ITEMS = [GUID_FILE_PARAMETERS, GUID_VIRTUAL_DISK_SIZE, GUID_PAGE83_DATA, GUID_LOGICAL_SECTOR_SIZE,
  GUID_PHYSICAL_SECTOR_SIZE, GUID_PARENT_LOCATOR].map((text) => ({ text, bytes: guidBytes(text) }));

export async function readVhdxMetadata(file: PositionedReader, region: VhdxRegion): Promise<VhdxMetadata> {
  const field = 'vhdx.metadata';
  if (region.length < VHDX_METADATA_TABLE_SIZE) throw badImage(file.path, `${field}.length`, `metadata region of ${region.length} bytes is smaller than its 64 KiB table`);
  const table = await file.readAt(region.offset, VHDX_METADATA_TABLE_SIZE, `${field} table`);
  if (table.toString('latin1', 0, 8) !== VHDX_METADATA_SIGNATURE) throw badImage(file.path, `${field}.signature`, 'no "metadata" signature at the start of the metadata region');
  const count = table.readUInt16LE(METADATA_ENTRY_COUNT);
  if (count > VHDX_MAX_TABLE_ENTRIES) throw badImage(file.path, `${field}.entry_count`, `${count} entries exceed the limit of ${VHDX_MAX_TABLE_ENTRIES}`);
  const items = new Map<string, Buffer>();
  for (let i = 0; i < count; i += 1) {
    const at = METADATA_ENTRIES + i * METADATA_ENTRY_SIZE;
    const id = table.subarray(at, at + 16);
    const offset = table.readUInt32LE(at + 16);
    const length = table.readUInt32LE(at + 20);
    const flags = table.readUInt32LE(at + 24);
    const known = KNOWN_ITEMS.find((item) => item.bytes.equals(id));
    if (!known) {
      if (flags & METADATA_FLAG_REQUIRED) throw unsupportedImage(file.path, `${field}[${guidText(Buffer.from(id))}]`, 'unknown required metadata item: this VHDX uses a feature we do not read');
      continue;
    }
    if (items.has(known.text)) throw badImage(file.path, `${field}[${known.text}]`, 'metadata item listed twice');
    if (length > VHDX_MAX_METADATA_ITEM) throw badImage(file.path, `${field}[${known.text}].length`, `${length} bytes is too large for a metadata item`);
    if (offset + length > region.length) throw truncatedImage(file.path, `${field}[${known.text}]`, region.offset + offset, length, region.offset + region.length);
    items.set(known.text, await file.readAt(region.offset + offset, length, `${field}[${known.text}]`));
  }
  return interpretItems(file.path, items);
}

function item(path: string, items: Map<string, Buffer>, guid: string, name: string, minLength: number): Buffer {
  const value = items.get(guid);
  if (!value) throw badImage(path, `vhdx.metadata.${name}`, `required metadata item ${name} is missing`);
  if (value.length < minLength) throw badImage(path, `vhdx.metadata.${name}`, `item is ${value.length} bytes, expected ${minLength}`);
  return value;
}

function interpretItems(path: string, items: Map<string, Buffer>): VhdxMetadata {
  const params = item(path, items, GUID_FILE_PARAMETERS, 'file_parameters', 8);
  const blockSize = params.readUInt32LE(0);
  const flags = params.readUInt32LE(4);
  if (blockSize < VHDX_MIN_BLOCK_SIZE || blockSize > VHDX_MAX_BLOCK_SIZE || (blockSize & (blockSize - 1)) !== 0) {
    throw badImage(path, 'vhdx.metadata.file_parameters.block_size', `block size ${blockSize} is not a power of two between 1 MiB and 256 MiB`);
  }
  const virtualSize = readU64LE(item(path, items, GUID_VIRTUAL_DISK_SIZE, 'virtual_disk_size', 8), 0);
  const logicalSectorSize = item(path, items, GUID_LOGICAL_SECTOR_SIZE, 'logical_sector_size', 4).readUInt32LE(0);
  if (logicalSectorSize !== 512 && logicalSectorSize !== 4096) {
    throw badImage(path, 'vhdx.metadata.logical_sector_size', `logical sector size ${logicalSectorSize} is not 512 or 4096`);
  }
  const physicalItem = items.get(GUID_PHYSICAL_SECTOR_SIZE);
  const physicalSectorSize = physicalItem && physicalItem.length >= 4 ? physicalItem.readUInt32LE(0) : 4096;
  if (physicalSectorSize !== 512 && physicalSectorSize !== 4096) {
    throw badImage(path, 'vhdx.metadata.physical_sector_size', `physical sector size ${physicalSectorSize} is not 512 or 4096`);
  }
  if (virtualSize > VHDX_MAX_VIRTUAL_SIZE) {
    throw badImage(path, 'vhdx.metadata.virtual_disk_size', `virtual size ${virtualSize} is larger than the VHDX limit of 64 TiB`);
  }
  const page83Item = items.get(GUID_PAGE83_DATA);
  const hasParent = (flags & FILE_PARAMS_HAS_PARENT) !== 0;
  const parentLocator = hasParent
    ? parseParentLocator(path, items.get(GUID_PARENT_LOCATOR))
    : new Map<string, string>();
  return {
    blockSize,
    leaveBlocksAllocated: (flags & FILE_PARAMS_LEAVE_ALLOCATED) !== 0,
    hasParent,
    virtualSize,
    logicalSectorSize,
    physicalSectorSize,
    page83: page83Item && page83Item.length >= 16 ? guidText(page83Item.subarray(0, 16)) : null,
    parentLocator,
  };
}

function parseParentLocator(path: string, data: Buffer | undefined): Map<string, string> {
  const field = 'vhdx.metadata.parent_locator';
  if (!data) throw badImage(path, field, 'differencing disk (has-parent flag) without a parent locator');
  if (data.length < PARENT_LOCATOR_HEADER) throw badImage(path, field, `${data.length} bytes is too short for a parent locator`);
  if (!data.subarray(0, 16).equals(guidBytes(GUID_VHDX_PARENT_LOCATOR_TYPE))) {
    throw unsupportedImage(path, `${field}.locator_type`, `unknown parent locator type ${guidText(data.subarray(0, 16))}`);
  }
  const count = data.readUInt16LE(18);
  if (PARENT_LOCATOR_HEADER + count * PARENT_LOCATOR_ENTRY > data.length) {
    throw badImage(path, `${field}.key_value_count`, `${count} entries do not fit in the ${data.length}-byte locator`);
  }
  const pairs = new Map<string, string>();
  for (let i = 0; i < count; i += 1) {
    const at = PARENT_LOCATOR_HEADER + i * PARENT_LOCATOR_ENTRY;
    const keyOffset = data.readUInt32LE(at);
    const valueOffset = data.readUInt32LE(at + 4);
    const keyLength = data.readUInt16LE(at + 8);
    const valueLength = data.readUInt16LE(at + 10);
    if (keyOffset + keyLength > data.length || valueOffset + valueLength > data.length) {
      throw badImage(path, `${field}[${i}]`, 'key or value lies outside the parent locator');
    }
    const key = data.subarray(keyOffset, keyOffset + (keyLength & ~1)).toString('utf16le');
    const value = data.subarray(valueOffset, valueOffset + (valueLength & ~1)).toString('utf16le');
    pairs.set(key, value);
  }
  return pairs;
}
