/**
 * Builds the fixed structures of a new dynamic VHDX: file identifier, header, region
 * table and metadata region (layouts in vhdx-layout.ts). Pure functions over buffers.
 */
import { randomBytes } from 'node:crypto';
import { crc32cWithZeroedField } from './crc32c.ts';
import { guidBytes } from './vhdx-guid.ts';
import {
  GUID_BAT_REGION, GUID_FILE_PARAMETERS, GUID_LOGICAL_SECTOR_SIZE, GUID_METADATA_REGION, GUID_PAGE83_DATA,
  GUID_PHYSICAL_SECTOR_SIZE, GUID_VIRTUAL_DISK_SIZE, HEADER_CHECKSUM, HEADER_DATA_WRITE_GUID, HEADER_FILE_WRITE_GUID,
  HEADER_LOG_LENGTH, HEADER_LOG_OFFSET, HEADER_SEQUENCE, HEADER_VERSION, METADATA_ENTRIES, METADATA_ENTRY_COUNT,
  METADATA_ENTRY_SIZE, METADATA_FLAG_REQUIRED, METADATA_FLAG_VIRTUAL_DISK, REGION_CHECKSUM, REGION_ENTRIES,
  REGION_ENTRY_COUNT, REGION_ENTRY_SIZE, VHDX_CREATOR_OFFSET, VHDX_HEADER_SIGNATURE, VHDX_HEADER_SIZE,
  VHDX_METADATA_SIGNATURE, VHDX_METADATA_TABLE_SIZE, VHDX_REGION_SIGNATURE, VHDX_REGION_TABLE_SIZE, VHDX_SIGNATURE,
} from './vhdx-layout.ts';

const VHDX_CREATOR = 'Labvault';

export interface NewVhdxLayout {
  virtualSize: number;
  blockSize: number;
  logicalSectorSize: number;
  physicalSectorSize: number;
  logOffset: number;
  logLength: number;
  metadataOffset: number;
  metadataLength: number;
  batOffset: number;
  batLength: number;
}

export function buildIdentifier(): Buffer {
  const buffer = Buffer.alloc(VHDX_CREATOR_OFFSET + 512);
  buffer.write(VHDX_SIGNATURE, 0, 'latin1');
  buffer.write(VHDX_CREATOR, VHDX_CREATOR_OFFSET, 'utf16le');
  return buffer;
}

export function buildHeader(
  layout: NewVhdxLayout, sequence: bigint, fileWriteGuid: Buffer, dataWriteGuid: Buffer,
): Buffer {
  const header = Buffer.alloc(VHDX_HEADER_SIZE);
  header.write(VHDX_HEADER_SIGNATURE, 0, 'latin1');
  header.writeBigUInt64LE(sequence, HEADER_SEQUENCE);
  fileWriteGuid.copy(header, HEADER_FILE_WRITE_GUID);
  dataWriteGuid.copy(header, HEADER_DATA_WRITE_GUID);
  header.writeUInt16LE(1, HEADER_VERSION);
  header.writeUInt32LE(layout.logLength, HEADER_LOG_LENGTH);
  header.writeBigUInt64LE(BigInt(layout.logOffset), HEADER_LOG_OFFSET);
  header.writeUInt32LE(crc32cWithZeroedField(header, HEADER_CHECKSUM), HEADER_CHECKSUM);
  return header;
}

export function buildRegionTable(layout: NewVhdxLayout): Buffer {
  const table = Buffer.alloc(VHDX_REGION_TABLE_SIZE);
  table.write(VHDX_REGION_SIGNATURE, 0, 'latin1');
  table.writeUInt32LE(2, REGION_ENTRY_COUNT);
  const entries: [string, number, number][] = [
    [GUID_BAT_REGION, layout.batOffset, layout.batLength],
    [GUID_METADATA_REGION, layout.metadataOffset, layout.metadataLength],
  ];
  entries.forEach(([guid, offset, length], i) => {
    const at = REGION_ENTRIES + i * REGION_ENTRY_SIZE;
    guidBytes(guid).copy(table, at);
    table.writeBigUInt64LE(BigInt(offset), at + 16);
    table.writeUInt32LE(length, at + 24);
    table.writeUInt32LE(1, at + 28);
  });
  table.writeUInt32LE(crc32cWithZeroedField(table, REGION_CHECKSUM), REGION_CHECKSUM);
  return table;
}

/** The metadata table followed by its items, items starting 64 KiB into the region. */
export function buildMetadata(layout: NewVhdxLayout): Buffer {
  const items: [string, Buffer, number][] = [];
  const params = Buffer.alloc(8);
  params.writeUInt32LE(layout.blockSize, 0);
  items.push([GUID_FILE_PARAMETERS, params, METADATA_FLAG_REQUIRED]);
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(layout.virtualSize), 0);
  items.push([GUID_VIRTUAL_DISK_SIZE, size, METADATA_FLAG_REQUIRED | METADATA_FLAG_VIRTUAL_DISK]);
  items.push([GUID_PAGE83_DATA, randomBytes(16), METADATA_FLAG_REQUIRED | METADATA_FLAG_VIRTUAL_DISK]);
  const logical = Buffer.alloc(4);
  logical.writeUInt32LE(layout.logicalSectorSize, 0);
  items.push([GUID_LOGICAL_SECTOR_SIZE, logical, METADATA_FLAG_REQUIRED | METADATA_FLAG_VIRTUAL_DISK]);
  const physical = Buffer.alloc(4);
  physical.writeUInt32LE(layout.physicalSectorSize, 0);
  items.push([GUID_PHYSICAL_SECTOR_SIZE, physical, METADATA_FLAG_REQUIRED | METADATA_FLAG_VIRTUAL_DISK]);
  const out = Buffer.alloc(VHDX_METADATA_TABLE_SIZE + items.reduce((sum, [, data]) => sum + data.length, 0));
  out.write(VHDX_METADATA_SIGNATURE, 0, 'latin1');
  out.writeUInt16LE(items.length, METADATA_ENTRY_COUNT);
  let cursor = VHDX_METADATA_TABLE_SIZE;
  items.forEach(([guid, data, flags], i) => {
    const at = METADATA_ENTRIES + i * METADATA_ENTRY_SIZE;
    guidBytes(guid).copy(out, at);
    out.writeUInt32LE(cursor, at + 16);
    out.writeUInt32LE(data.length, at + 20);
    out.writeUInt32LE(flags, at + 24);
    data.copy(out, cursor);
    cursor += data.length;
  });
  return out;
}
