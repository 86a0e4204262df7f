/**
 * Test-only VHDX building from the spec: qemu-img cannot create differencing VHDX images
 * ("Backing file not supported for file format 'vhdx'") nor images with a dirty log, so
 * both are built here. Layout: log at 1 MiB, metadata at 2 MiB, BAT at 3 MiB, one sector
 * bitmap block at 4 MiB (differencing), payload blocks from 5 MiB.
 */
import { crc32cWithZeroedField } from '../../../electron/engine/disk/vhdx/crc32c.ts';
import { guidBytes } from '../../../electron/engine/disk/vhdx/vhdx-guid.ts';
import { buildHeader, buildIdentifier, buildRegionTable } from '../../../electron/engine/disk/vhdx/vhdx-metadata-writer.ts';
import type { NewVhdxLayout } from '../../../electron/engine/disk/vhdx/vhdx-metadata-writer.ts';
import {
  GUID_FILE_PARAMETERS, GUID_LOGICAL_SECTOR_SIZE, GUID_PAGE83_DATA, GUID_PARENT_LOCATOR, GUID_PHYSICAL_SECTOR_SIZE,
  GUID_VHDX_PARENT_LOCATOR_TYPE, GUID_VIRTUAL_DISK_SIZE, batGeometry, bitmapEntryIndex, encodeBatEntry, payloadEntryIndex,
} from '../../../electron/engine/disk/vhdx/vhdx-layout.ts';

const MiB = 1024 * 1024;
const SECTOR = 512;

export type TestBlock =
  | { kind: 'full'; data: Buffer }
  | { kind: 'partial'; data: Buffer; sectors: number[] }
  | { kind: 'zero' }
  | { kind: 'state'; state: number };

export interface TestVhdxOptions {
  virtualSize: number;
  blockSize: number;
  blocks: Map<number, TestBlock>;
  parent?: { locator: Record<string, string> };
  dataWriteGuid?: Buffer;
  /** Header fields for a dirty log (log built by the caller). */
  logGuid?: Buffer;
  /** 512 (default) or 4096. */
  logicalSectorSize?: number;
}

function parentLocatorItem(pairs: Record<string, string>): Buffer {
  const entries = Object.entries(pairs);
  const header = Buffer.alloc(20 + entries.length * 12);
  guidBytes(GUID_VHDX_PARENT_LOCATOR_TYPE).copy(header, 0);
  header.writeUInt16LE(entries.length, 18);
  const strings: Buffer[] = [];
  let cursor = header.length;
  entries.forEach(([key, value], i) => {
    const k = Buffer.from(key, 'utf16le');
    const v = Buffer.from(value, 'utf16le');
    const at = 20 + i * 12;
    header.writeUInt32LE(cursor, at);
    header.writeUInt32LE(cursor + k.length, at + 4);
    header.writeUInt16LE(k.length, at + 8);
    header.writeUInt16LE(v.length, at + 10);
    strings.push(k, v);
    cursor += k.length + v.length;
  });
  return Buffer.concat([header, ...strings]);
}

function metadataRegion(options: TestVhdxOptions): Buffer {
  const region = Buffer.alloc(MiB);
  region.write('metadata', 0, 'latin1');
  const params = Buffer.alloc(8);
  params.writeUInt32LE(options.blockSize, 0);
  params.writeUInt32LE(options.parent ? 2 : 0, 4);
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(options.virtualSize));
  const logical = Buffer.alloc(4);
  logical.writeUInt32LE(options.logicalSectorSize ?? SECTOR);
  const physical = Buffer.alloc(4);
  physical.writeUInt32LE(4096);
  const items: [string, Buffer, number][] = [
    [GUID_FILE_PARAMETERS, params, 4], [GUID_VIRTUAL_DISK_SIZE, size, 6], [GUID_PAGE83_DATA, Buffer.alloc(16, 7), 6],
    [GUID_LOGICAL_SECTOR_SIZE, logical, 6], [GUID_PHYSICAL_SECTOR_SIZE, physical, 6],
  ];
  if (options.parent) items.push([GUID_PARENT_LOCATOR, parentLocatorItem(options.parent.locator), 4]);
  region.writeUInt16LE(items.length, 10);
  let cursor = 64 * 1024;
  items.forEach(([guid, data, flags], i) => {
    const at = 32 + i * 32;
    guidBytes(guid).copy(region, at);
    region.writeUInt32LE(cursor, at + 16);
    region.writeUInt32LE(data.length, at + 20);
    region.writeUInt32LE(flags, at + 24);
    data.copy(region, cursor);
    cursor += Math.ceil(data.length / 4096) * 4096;
  });
  return region;
}

/** The whole image file as one buffer (tests keep images to a few MiB). */
export function buildTestVhdx(options: TestVhdxOptions): Buffer {
  const hasParent = options.parent !== undefined;
  const sector = options.logicalSectorSize ?? SECTOR;
  const geometry = batGeometry(options.virtualSize, options.blockSize, sector, hasParent);
  const layout: NewVhdxLayout = {
    virtualSize: options.virtualSize, blockSize: options.blockSize, logicalSectorSize: sector, physicalSectorSize: 4096,
    logOffset: MiB, logLength: MiB, metadataOffset: 2 * MiB, metadataLength: MiB,
    batOffset: 3 * MiB, batLength: Math.max(MiB, Math.ceil((geometry.totalEntries * 8) / MiB) * MiB),
  };
  const bitmapOffset = layout.batOffset + layout.batLength;
  let cursor = bitmapOffset + (hasParent ? geometry.bitmapBlocks * MiB : 0);
  const bat = Buffer.alloc(layout.batLength);
  const pieces: { at: number; data: Buffer }[] = [];
  const bitmaps = Buffer.alloc(geometry.bitmapBlocks * MiB);
  for (const [block, spec] of options.blocks) {
    const entry = payloadEntryIndex(block, geometry.chunkRatio) * 8;
    if (spec.kind === 'zero') { encodeBatEntry(bat, entry, 2, 0); continue; }
    if (spec.kind === 'state') { encodeBatEntry(bat, entry, spec.state, 0); continue; }
    encodeBatEntry(bat, entry, spec.kind === 'full' ? 6 : 7, cursor);
    pieces.push({ at: cursor, data: spec.data });
    cursor += options.blockSize;
    if (spec.kind === 'partial') {
      const chunk = Math.floor(block / geometry.chunkRatio);
      const base = chunk * MiB * 8 + (block % geometry.chunkRatio) * (options.blockSize / sector);
      for (const sector of spec.sectors) {
        const bit = base + sector;
        bitmaps[bit >> 3] = bitmaps[bit >> 3]! | (1 << (bit & 7));
      }
      encodeBatEntry(bat, bitmapEntryIndex(chunk, geometry.chunkRatio) * 8, 6, bitmapOffset + chunk * MiB);
    }
  }
  const file = Buffer.alloc(cursor);
  buildIdentifier().copy(file, 0);
  const dataWrite = options.dataWriteGuid ?? Buffer.alloc(16, 0x42);
  for (const [i, offset] of [64 * 1024, 128 * 1024].entries()) {
    const header = buildHeader(layout, BigInt(i), Buffer.alloc(16, 0x41), dataWrite);
    if (options.logGuid) {
      options.logGuid.copy(header, 48);
      header.writeUInt32LE(crc32cWithZeroedField(header, 4), 4);
    }
    header.copy(file, offset);
  }
  const regions = buildRegionTable(layout);
  regions.copy(file, 192 * 1024);
  regions.copy(file, 256 * 1024);
  metadataRegion(options).copy(file, layout.metadataOffset);
  bat.copy(file, layout.batOffset);
  if (hasParent) bitmaps.copy(file, bitmapOffset);
  for (const piece of pieces) piece.data.copy(file, piece.at);
  return file;
}

export type TestLogOperation = { kind: 'data'; offset: number; data: Buffer } | { kind: 'zero'; offset: number; length: number };

/** One log entry ("loge" header, descriptors, data sectors) with its CRC-32C. */
export function buildLogEntry(options: {
  sequence: bigint; tail: number; logGuid: Buffer; flushedFileOffset: number; lastFileOffset: number; operations: TestLogOperation[];
}): Buffer {
  const count = options.operations.length;
  const descriptorSectors = Math.ceil((64 + count * 32) / 4096);
  const dataSectors = options.operations.filter((op) => op.kind === 'data').length;
  const entry = Buffer.alloc((descriptorSectors + dataSectors) * 4096);
  entry.write('loge', 0, 'latin1');
  entry.writeUInt32LE(entry.length, 8);
  entry.writeUInt32LE(options.tail, 12);
  entry.writeBigUInt64LE(options.sequence, 16);
  entry.writeUInt32LE(count, 24);
  options.logGuid.copy(entry, 32);
  entry.writeBigUInt64LE(BigInt(options.flushedFileOffset), 48);
  entry.writeBigUInt64LE(BigInt(options.lastFileOffset), 56);
  let dataSector = descriptorSectors;
  options.operations.forEach((op, i) => {
    const at = 64 + i * 32;
    entry.writeBigUInt64LE(BigInt(op.offset), at + 16);
    entry.writeBigUInt64LE(options.sequence, at + 24);
    if (op.kind === 'zero') {
      entry.write('zero', at, 'latin1');
      entry.writeBigUInt64LE(BigInt(op.length), at + 8);
      return;
    }
    entry.write('desc', at, 'latin1');
    op.data.copy(entry, at + 4, 4092, 4096);
    op.data.copy(entry, at + 8, 0, 8);
    const sector = dataSector * 4096;
    entry.write('data', sector, 'latin1');
    entry.writeUInt32LE(Number(options.sequence >> 32n), sector + 4);
    op.data.copy(entry, sector + 8, 8, 4092);
    entry.writeUInt32LE(Number(options.sequence & 0xffffffffn), sector + 4092);
    dataSector += 1;
  });
  entry.writeUInt32LE(crc32cWithZeroedField(entry, 4), 4);
  return entry;
}
