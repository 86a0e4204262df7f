/**
 * Writes a VirtualDisk as a new VHD (layouts in vhd-layout.ts), only allocated data.
 *
 * dynamic (default): footer copy at 0, dynamic header at 512, BAT at 1536, then per
 *   non-zero 2 MiB block its sector bitmap (all sectors present) and data, footer at the end.
 * fixed: the disk bytes (holes left sparse) followed by the footer.
 * The size is rounded up to the CHS geometry (vhd-geometry.ts), as qemu-img does.
 * Written to a temporary name beside `outPath`, renamed when complete.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import { SourceBlockReader } from '../source-block-reader.ts';
import { writeImageThroughTemporary } from '../temporary-image-output.ts';
import type { WriteOptions } from '../disk-format-module.ts';
import type { DiskRange, VirtualDisk } from '../virtual-disk.ts';
import { planVhdSize } from './vhd-geometry.ts';
import type { VhdGeometry } from './vhd-geometry.ts';
import {
  DYN_BLOCK_SIZE, DYN_CHECKSUM, DYN_MAX_TABLE_ENTRIES, DYN_TABLE_OFFSET, FOOTER_CHECKSUM, FOOTER_CREATOR_APP,
  FOOTER_CURRENT_SIZE, FOOTER_CYLINDERS, FOOTER_DATA_OFFSET, FOOTER_DISK_TYPE, FOOTER_HEADS, FOOTER_ORIGINAL_SIZE,
  FOOTER_SECTORS_PER_TRACK, FOOTER_UNIQUE_ID, VHD_DYNAMIC_COOKIE, VHD_DYNAMIC_HEADER_SIZE, VHD_FOOTER_COOKIE,
  VHD_FOOTER_SIZE, VHD_MAX_SECTORS, VHD_SECTOR, VHD_TYPE_DYNAMIC, VHD_TYPE_FIXED, vhdBitmapSize, vhdChecksum,
} from './vhd-layout.ts';

const VHD_WRITE_BLOCK_SIZE = 2 * 1024 * 1024;
const VHD_CREATOR_APP = 'lbvt';
const FOOTER_FEATURES = 8;
const FOOTER_VERSION = 12;
const FOOTER_TIMESTAMP = 24;
const FOOTER_CREATOR_HOST = 36;
const DYN_DATA_OFFSET = 8;
const DYN_HEADER_VERSION = 24;
const VHD_VERSION = 0x00010000;
const FEATURE_RESERVED = 2;
/** Seconds between the Unix epoch and the VHD epoch (2000-01-01 UTC). */
const VHD_EPOCH = 946684800;

function buildFooter(virtualSize: number, geometry: VhdGeometry, type: number, dataOffset: bigint): Buffer {
  const footer = Buffer.alloc(VHD_FOOTER_SIZE);
  footer.write(VHD_FOOTER_COOKIE, 0, 'latin1');
  footer.writeUInt32BE(FEATURE_RESERVED, FOOTER_FEATURES);
  footer.writeUInt32BE(VHD_VERSION, FOOTER_VERSION);
  footer.writeBigUInt64BE(dataOffset, FOOTER_DATA_OFFSET);
  footer.writeUInt32BE(Math.max(0, Math.floor(Date.now() / 1000) - VHD_EPOCH) >>> 0, FOOTER_TIMESTAMP);
  footer.write(VHD_CREATOR_APP, FOOTER_CREATOR_APP, 'latin1');
  footer.write('Wi2k', FOOTER_CREATOR_HOST, 'latin1');
  footer.writeBigUInt64BE(BigInt(virtualSize), FOOTER_ORIGINAL_SIZE);
  footer.writeBigUInt64BE(BigInt(virtualSize), FOOTER_CURRENT_SIZE);
  footer.writeUInt16BE(geometry.cylinders, FOOTER_CYLINDERS);
  footer.writeUInt8(geometry.heads, FOOTER_HEADS);
  footer.writeUInt8(geometry.sectorsPerTrack, FOOTER_SECTORS_PER_TRACK);
  footer.writeUInt32BE(type, FOOTER_DISK_TYPE);
  randomBytes(16).copy(footer, FOOTER_UNIQUE_ID);
  footer.writeUInt32BE(vhdChecksum(footer, FOOTER_CHECKSUM), FOOTER_CHECKSUM);
  return footer;
}

function buildDynamicHeader(tableOffset: number, entries: number): Buffer {
  const header = Buffer.alloc(VHD_DYNAMIC_HEADER_SIZE);
  header.write(VHD_DYNAMIC_COOKIE, 0, 'latin1');
  header.writeBigUInt64BE(0xffffffffffffffffn, DYN_DATA_OFFSET);
  header.writeBigUInt64BE(BigInt(tableOffset), DYN_TABLE_OFFSET);
  header.writeUInt32BE(VHD_VERSION, DYN_HEADER_VERSION);
  header.writeUInt32BE(entries, DYN_MAX_TABLE_ENTRIES);
  header.writeUInt32BE(VHD_WRITE_BLOCK_SIZE, DYN_BLOCK_SIZE);
  header.writeUInt32BE(vhdChecksum(header, DYN_CHECKSUM), DYN_CHECKSUM);
  return header;
}

/** Indexes of `unit`-sized pieces touched by data ranges of the map. */
function* dataUnits(map: readonly DiskRange[], unit: number): Generator<number> {
  let last = -1;
  for (const range of map) {
    if (range.zero || range.length === 0) continue;
    const first = Math.max(last + 1, Math.floor(range.offset / unit));
    const end = Math.floor((range.offset + range.length - 1) / unit);
    for (let index = first; index <= end; index += 1) yield index;
    last = Math.max(last, end);
  }
}

export async function writeVhd(source: VirtualDisk, outPath: string, options: WriteOptions = {}): Promise<void> {
  const subformat = options.subformat ?? 'dynamic';
  if (subformat !== 'dynamic' && subformat !== 'fixed') {
    throw new LabvaultError(ErrorCodes.UNSUPPORTED, `VHD subformat "${subformat}" is not written: use dynamic or fixed`, { field: 'subformat' });
  }
  const { geometry, virtualSize } = planVhdSize(source.virtualSize);
  if (virtualSize / VHD_SECTOR > VHD_MAX_SECTORS) {
    throw new LabvaultError(ErrorCodes.UNSUPPORTED, `${source.path}: ${source.virtualSize} bytes is larger than the VHD limit of 2040 GiB`, { field: 'virtualSize' });
  }
  const map = await source.allocationMap();
  const reader = new SourceBlockReader(source, VHD_WRITE_BLOCK_SIZE, outPath, options.signal);
  const progress = (index: number) => options.onProgress?.(
    Math.min((index + 1) * VHD_WRITE_BLOCK_SIZE, source.virtualSize), source.virtualSize,
  );
  await writeImageThroughTemporary(outPath, 'VHD', async (writeAt) => {
    if (subformat === 'fixed') {
      for (const index of dataUnits(map, VHD_WRITE_BLOCK_SIZE)) {
        const start = index * VHD_WRITE_BLOCK_SIZE;
        if (await reader.readData(index)) {
          await writeAt(reader.block.subarray(0, Math.min(reader.block.length, virtualSize - start)), start);
        }
        progress(index);
      }
      await writeAt(buildFooter(virtualSize, geometry, VHD_TYPE_FIXED, 0xffffffffffffffffn), virtualSize);
      return virtualSize + VHD_FOOTER_SIZE;
    }
    const entries = Math.ceil(virtualSize / VHD_WRITE_BLOCK_SIZE);
    const tableOffset = VHD_FOOTER_SIZE + VHD_DYNAMIC_HEADER_SIZE;
    const bat = Buffer.alloc(Math.ceil((entries * 4) / VHD_SECTOR) * VHD_SECTOR, 0xff);
    const bitmap = Buffer.alloc(vhdBitmapSize(VHD_WRITE_BLOCK_SIZE), 0xff);
    let cursor = tableOffset + bat.length;
    for (const index of dataUnits(map, VHD_WRITE_BLOCK_SIZE)) {
      if (await reader.readData(index)) {
        bat.writeUInt32BE(cursor / VHD_SECTOR, index * 4);
        await writeAt(bitmap, cursor);
        await writeAt(reader.block, cursor + bitmap.length);
        cursor += bitmap.length + reader.block.length;
      }
      progress(index);
    }
    const footer = buildFooter(virtualSize, geometry, VHD_TYPE_DYNAMIC, BigInt(VHD_FOOTER_SIZE));
    await writeAt(footer, 0);
    await writeAt(buildDynamicHeader(tableOffset, entries), VHD_FOOTER_SIZE);
    await writeAt(bat, tableOffset);
    await writeAt(footer, cursor);
    return cursor + VHD_FOOTER_SIZE;
  });
  options.onProgress?.(source.virtualSize, source.virtualSize);
}
