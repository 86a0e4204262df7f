/**
 * Writes a VirtualDisk as a new dynamic VHDX holding only its allocated, non-zero blocks.
 *
 * File layout written: identifier 0, headers 64/128 KiB (sequence 0 and 1, no log to
 * replay), region tables 192/256 KiB, an empty 1 MiB log at 1 MiB, metadata at 2 MiB,
 * BAT at 3 MiB, then FULLY_PRESENT payload blocks in virtual order. Absent blocks are
 * NOT_PRESENT (0, read as zeros). Memory: one block buffer and the BAT (16 MiB at most:
 * 2 MiB blocks up to 1 TiB, 32 MiB blocks above).
 *
 * The image is written to a temporary name beside `outPath` and renamed when complete.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import { SourceBlockReader } from '../source-block-reader.ts';
import { writeImageThroughTemporary } from '../temporary-image-output.ts';
import type { WriteOptions } from '../disk-format-module.ts';
import type { DiskRange, VirtualDisk } from '../virtual-disk.ts';
import {
  MiB, PAYLOAD_FULLY_PRESENT, VHDX_HEADER_OFFSETS, VHDX_MAX_VIRTUAL_SIZE, VHDX_REGION_TABLE_OFFSETS,
  batGeometry, encodeBatEntry, payloadEntryIndex,
} from './vhdx-layout.ts';
import { buildHeader, buildIdentifier, buildMetadata, buildRegionTable } from './vhdx-metadata-writer.ts';
import type { NewVhdxLayout } from './vhdx-metadata-writer.ts';

const VHDX_WRITE_SMALL_BLOCK = 2 * MiB;
const VHDX_WRITE_LARGE_BLOCK = 32 * MiB;
/** Disks above this size get 32 MiB blocks so the BAT stays small. */
const VHDX_WRITE_SMALL_BLOCK_LIMIT = 1024 * 1024 * MiB;
const LOGICAL_SECTOR = 512;
const PHYSICAL_SECTOR = 4096;

function roundUp(value: number, unit: number): number {
  return Math.ceil(value / unit) * unit;
}

function planVhdxLayout(sourceSize: number): NewVhdxLayout {
  const virtualSize = roundUp(sourceSize, LOGICAL_SECTOR);
  const blockSize = virtualSize > VHDX_WRITE_SMALL_BLOCK_LIMIT ? VHDX_WRITE_LARGE_BLOCK : VHDX_WRITE_SMALL_BLOCK;
  const { totalEntries, dataBlocks, chunkRatio } = batGeometry(virtualSize, blockSize, LOGICAL_SECTOR, false);
  // qemu computes the BAT size of an empty disk with 32-bit wraparound ((0 - 1) >> log2(chunk
  // ratio) entries) and refuses a smaller BAT region, so an empty disk gets that (sparse) room.
  const batEntriesRoom = dataBlocks === 0 ? 0xffffffff >>> Math.log2(chunkRatio) : totalEntries;
  return {
    virtualSize, blockSize, logicalSectorSize: LOGICAL_SECTOR, physicalSectorSize: PHYSICAL_SECTOR,
    logOffset: MiB, logLength: MiB, metadataOffset: 2 * MiB, metadataLength: MiB,
    batOffset: 3 * MiB, batLength: Math.max(MiB, roundUp(batEntriesRoom * 8, MiB)),
  };
}

/** Blocks (by index) that hold data according to the allocation map. */
function* dataBlocks(map: readonly DiskRange[], blockSize: number): Generator<number> {
  let last = -1;
  for (const range of map) {
    if (range.zero || range.length === 0) continue;
    const first = Math.max(last + 1, Math.floor(range.offset / blockSize));
    const end = Math.floor((range.offset + range.length - 1) / blockSize);
    for (let block = first; block <= end; block += 1) yield block;
    last = Math.max(last, end);
  }
}

export async function writeVhdx(source: VirtualDisk, outPath: string, options: WriteOptions = {}): Promise<void> {
  if (options.subformat !== undefined && options.subformat !== 'dynamic') {
    throw new LabvaultError(ErrorCodes.UNSUPPORTED, `VHDX subformat "${options.subformat}" is not written: only dynamic VHDX`, { field: 'subformat' });
  }
  if (source.virtualSize > VHDX_MAX_VIRTUAL_SIZE) {
    throw new LabvaultError(ErrorCodes.UNSUPPORTED, `${source.path}: ${source.virtualSize} bytes is larger than the VHDX limit of 64 TiB`, { field: 'virtualSize' });
  }
  const layout = planVhdxLayout(source.virtualSize);
  const { blockSize } = layout;
  const geometry = batGeometry(layout.virtualSize, blockSize, LOGICAL_SECTOR, false);
  const bat = Buffer.alloc(geometry.totalEntries * 8);
  const map = await source.allocationMap();
  const reader = new SourceBlockReader(source, blockSize, outPath, options.signal);
  await writeImageThroughTemporary(outPath, 'VHDX', async (writeAt) => {
    let cursor = layout.batOffset + layout.batLength;
    for (const index of dataBlocks(map, blockSize)) {
      if (!(await reader.readData(index))) continue;
      await writeAt(reader.block, cursor);
      encodeBatEntry(bat, payloadEntryIndex(index, geometry.chunkRatio) * 8, PAYLOAD_FULLY_PRESENT, cursor);
      cursor += blockSize;
      options.onProgress?.(Math.min((index + 1) * blockSize, source.virtualSize), source.virtualSize);
    }
    const fileWriteGuid = randomBytes(16);
    const dataWriteGuid = randomBytes(16);
    const regionTable = buildRegionTable(layout);
    await writeAt(bat, layout.batOffset);
    await writeAt(buildMetadata(layout), layout.metadataOffset);
    await writeAt(regionTable, VHDX_REGION_TABLE_OFFSETS[0]);
    await writeAt(regionTable, VHDX_REGION_TABLE_OFFSETS[1]);
    await writeAt(buildHeader(layout, 0n, fileWriteGuid, dataWriteGuid), VHDX_HEADER_OFFSETS[0]);
    await writeAt(buildHeader(layout, 1n, fileWriteGuid, dataWriteGuid), VHDX_HEADER_OFFSETS[1]);
    await writeAt(buildIdentifier(), 0);
    return cursor;
  });
  options.onProgress?.(source.virtualSize, source.virtualSize);
}

