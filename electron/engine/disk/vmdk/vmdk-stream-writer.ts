/**
 * Writes a streamOptimized VMDK in VMware's stream order, appending only (it could go to
 * a pipe): header (gdOffset = GD_AT_END), embedded descriptor, then per 32 MiB span the
 * compressed grains {marker lba,size + zlib data, sector padded} followed by a GT marker
 * and that grain table; then a GD marker and the grain directory, a footer marker, the
 * footer (the header with the real gdOffset) and the end-of-stream marker. Spans without
 * data get no table (GD entry 0). Memory: one read chunk, one table, the directory.
 */
import { basename } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { VirtualDisk } from '../virtual-disk.ts';
import type { WriteOptions } from '../disk-format-module.ts';
import { writeFully, writeNewImageFile } from '../image-output.ts';
import { NO_PARENT_CID, formatDescriptor } from './vmdk-descriptor.ts';
import {
  COMPRESS_DEFLATE, FLAG_COMPRESSED, FLAG_MARKERS, FLAG_NEWLINE_TEST, MARKER_FOOTER, MARKER_GD, MARKER_GT,
  MARKER_HEADER_SIZE, MARKER_TYPE_OFFSET, SECTOR, serializeSparseHeader,
} from './vmdk-sparse-header.ts';
import type { SparseHeader } from './vmdk-sparse-header.ts';
import { nonZeroBlocks } from '../non-zero-blocks.ts';
import {
  DESCRIPTOR_SECTORS, WRITE_GRAIN_SECTORS, WRITE_GTES_PER_GT, assertSparseCapacity, descriptorBlock, newContentId,
  sparseGeometry,
} from './vmdk-sparse-writer.ts';

/** zlib level: qemu uses the default too; level 6 is a fair speed/size balance. */
const STREAM_DEFLATE_LEVEL = 6;

function metadataMarker(sectors: number, type: number): Buffer {
  const marker = Buffer.alloc(SECTOR);
  marker.writeBigUInt64LE(BigInt(sectors), 0);
  marker.writeUInt32LE(type, MARKER_TYPE_OFFSET);
  return marker;
}

export async function writeVmdkStream(source: VirtualDisk, outPath: string, options: WriteOptions = {}): Promise<void> {
  const { capacitySectors, grainBytes, gdEntries, gdSectors, gtSectors } = sparseGeometry(source.virtualSize);
  const overheadSectors = WRITE_GRAIN_SECTORS;
  const header: SparseHeader = {
    version: 3, flags: FLAG_NEWLINE_TEST | FLAG_COMPRESSED | FLAG_MARKERS, capacitySectors,
    grainSectors: WRITE_GRAIN_SECTORS, descriptorOffset: 1, descriptorSize: DESCRIPTOR_SECTORS,
    gtesPerGt: WRITE_GTES_PER_GT, rgdOffset: 0, gdOffset: -1,
    overheadSectors, compressAlgorithm: COMPRESS_DEFLATE,
  };
  // Compressed grains are usually smaller, but random data does not compress: same limit.
  assertSparseCapacity(outPath, capacitySectors, overheadSectors + 2 * gdEntries * gtSectors + 2 * gdSectors + 8);
  const descriptor = formatDescriptor({
    cid: newContentId(), parentCid: NO_PARENT_CID, createType: 'streamOptimized', capacitySectors,
    extents: [{ sectors: capacitySectors, type: 'SPARSE', fileName: basename(outPath) }],
  });
  await writeNewImageFile(outPath, async (handle) => {
    let position = overheadSectors * SECTOR;
    const append = async (buffer: Buffer): Promise<number> => {
      const sector = position / SECTOR;
      await writeFully(handle, outPath, buffer, buffer.length, position);
      position += buffer.length;
      return sector;
    };
    await writeFully(handle, outPath, serializeSparseHeader(header), SECTOR, 0);
    const text = descriptorBlock(descriptor, DESCRIPTOR_SECTORS);
    await writeFully(handle, outPath, text, text.length, SECTOR);
    const gd = Buffer.alloc(gdSectors * SECTOR);
    const table = Buffer.alloc(gtSectors * SECTOR);
    let tableIndex = -1;
    let tableUsed = false;
    const flushTable = async (): Promise<void> => {
      if (tableUsed) {
        await append(metadataMarker(gtSectors, MARKER_GT));
        gd.writeUInt32LE(await append(table), tableIndex * 4);
      }
      table.fill(0);
      tableUsed = false;
    };
    for await (const grain of nonZeroBlocks(source, grainBytes, outPath, options)) {
      const index = Math.floor(grain.index / WRITE_GTES_PER_GT);
      if (index !== tableIndex) {
        await flushTable();
        tableIndex = index;
      }
      const compressed = deflateSync(grain.data, { level: STREAM_DEFLATE_LEVEL });
      const record = Buffer.alloc(Math.ceil((MARKER_HEADER_SIZE + compressed.length) / SECTOR) * SECTOR);
      record.writeBigUInt64LE(BigInt(grain.index * WRITE_GRAIN_SECTORS), 0);
      record.writeUInt32LE(compressed.length, 8);
      compressed.copy(record, MARKER_HEADER_SIZE);
      table.writeUInt32LE(await append(record), (grain.index % WRITE_GTES_PER_GT) * 4);
      tableUsed = true;
    }
    await flushTable();
    await append(metadataMarker(gdSectors, MARKER_GD));
    const gdSector = await append(gd);
    await append(metadataMarker(1, MARKER_FOOTER));
    await append(serializeSparseHeader({ ...header, gdOffset: gdSector }));
    await append(Buffer.alloc(SECTOR));
  });
}
