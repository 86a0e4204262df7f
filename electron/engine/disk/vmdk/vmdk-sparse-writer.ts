/**
 * Writes a monolithicSparse VMDK the way qemu-img lays it out (version 1, flags newline
 * test + redundant GD, 64 KiB grains, 512-entry grain tables):
 *
 *   sector 0         header
 *   sector 1..20     embedded descriptor
 *   21               redundant grain directory, then redundant grain tables
 *   gdOffset         grain directory, then grain tables (all preallocated, 4 sectors each)
 *   overHead         first grain (overHead rounded up to a grain)
 *
 * The file is sized to the metadata area first (unused tables stay holes), the GD/RGD are
 * fixed up front, grains are appended in order, and each grain table is written to both
 * copies once its 32 MiB span is done, so memory holds one table and one read chunk.
 */
import { randomInt } from 'node:crypto';
import { basename } from 'node:path';
import type { VirtualDisk } from '../virtual-disk.ts';
import type { WriteOptions } from '../disk-format-module.ts';
import { writeFully, writeNewImageFile } from '../image-output.ts';
import { imageError } from '../image-error.ts';
import { ErrorCodes } from '../../../../shared/errors.ts';
import { NO_PARENT_CID, formatDescriptor } from './vmdk-descriptor.ts';
import { FLAG_NEWLINE_TEST, FLAG_REDUNDANT_GD, COMPRESS_NONE, SECTOR, serializeSparseHeader } from './vmdk-sparse-header.ts';
import type { SparseHeader } from './vmdk-sparse-header.ts';
import { nonZeroBlocks } from '../non-zero-blocks.ts';

export const WRITE_GRAIN_SECTORS = 128;
export const WRITE_GTES_PER_GT = 512;
export const DESCRIPTOR_SECTORS = 20;
/** Consecutive grains are gathered up to this size before one write. */
const WRITE_BATCH_BYTES = 1024 * 1024;

/** Grain table entries are u32 sector numbers: a sparse extent file cannot pass 2 TiB. */
const MAX_SPARSE_FILE_SECTORS = 0xffffffff;

/** Refuses a disk whose grains could not all be addressed by u32 grain table entries. */
export function assertSparseCapacity(outPath: string, capacitySectors: number, overheadSectors: number): void {
  if (capacitySectors + overheadSectors > MAX_SPARSE_FILE_SECTORS) {
    throw imageError(ErrorCodes.UNSUPPORTED, `${outPath}: a ${capacitySectors * SECTOR}-byte disk is too large for a single VMDK sparse extent (2 TiB at most)`, { file: outPath, field: 'vmdk.header.capacity' });
  }
}

export function newContentId(): number {
  return randomInt(0, 0xfffffffe);
}

/** Sizes of a written sparse extent: grains, grain directory and grain tables (in sectors). */
export interface SparseGeometry {
  capacitySectors: number;
  grainBytes: number;
  gdEntries: number;
  gdSectors: number;
  gtSectors: number;
}

export function sparseGeometry(virtualSize: number): SparseGeometry {
  const capacitySectors = Math.ceil(virtualSize / SECTOR);
  const gdEntries = Math.max(1, Math.ceil(capacitySectors / (WRITE_GRAIN_SECTORS * WRITE_GTES_PER_GT)));
  return {
    capacitySectors,
    grainBytes: WRITE_GRAIN_SECTORS * SECTOR,
    gdEntries,
    gdSectors: Math.ceil((gdEntries * 4) / SECTOR),
    gtSectors: (WRITE_GTES_PER_GT * 4) / SECTOR,
  };
}

/** Descriptor bytes padded to `sectors` sectors. */
export function descriptorBlock(text: string, sectors: number): Buffer {
  const block = Buffer.alloc(sectors * SECTOR);
  block.write(text, 0, 'utf8');
  return block;
}

export async function writeVmdkSparse(source: VirtualDisk, outPath: string, options: WriteOptions = {}): Promise<void> {
  const { capacitySectors, grainBytes, gdEntries, gdSectors, gtSectors } = sparseGeometry(source.virtualSize);
  const rgdOffset = 1 + DESCRIPTOR_SECTORS;
  const gdOffset = rgdOffset + gdSectors + gdEntries * gtSectors;
  const metadataEnd = gdOffset + gdSectors + gdEntries * gtSectors;
  const overheadSectors = Math.ceil(metadataEnd / WRITE_GRAIN_SECTORS) * WRITE_GRAIN_SECTORS;
  const header: SparseHeader = {
    version: 1, flags: FLAG_NEWLINE_TEST | FLAG_REDUNDANT_GD, capacitySectors, grainSectors: WRITE_GRAIN_SECTORS,
    descriptorOffset: 1, descriptorSize: DESCRIPTOR_SECTORS, gtesPerGt: WRITE_GTES_PER_GT, rgdOffset, gdOffset,
    overheadSectors, compressAlgorithm: COMPRESS_NONE,
  };
  assertSparseCapacity(outPath, capacitySectors, overheadSectors);
  const descriptor = formatDescriptor({
    cid: newContentId(), parentCid: NO_PARENT_CID, createType: 'monolithicSparse', capacitySectors,
    extents: [{ sectors: capacitySectors, type: 'SPARSE', fileName: basename(outPath) }],
  });
  await writeNewImageFile(outPath, async (handle) => {
    await handle.truncate(overheadSectors * SECTOR);
    await writeFully(handle, outPath, serializeSparseHeader(header), SECTOR, 0);
    const text = descriptorBlock(descriptor, DESCRIPTOR_SECTORS);
    await writeFully(handle, outPath, text, text.length, SECTOR);
    const directories = [[rgdOffset, rgdOffset + gdSectors], [gdOffset, gdOffset + gdSectors]] as const;
    for (const [dirOffset, tablesStart] of directories) {
      const gd = Buffer.alloc(gdSectors * SECTOR);
      for (let index = 0; index < gdEntries; index += 1) gd.writeUInt32LE(tablesStart + index * gtSectors, index * 4);
      await writeFully(handle, outPath, gd, gd.length, dirOffset * SECTOR);
    }
    const table = Buffer.alloc(gtSectors * SECTOR);
    let tableIndex = -1;
    let tableUsed = false;
    const flushTable = async (): Promise<void> => {
      if (tableUsed) {
        for (const start of [rgdOffset + gdSectors, gdOffset + gdSectors]) {
          await writeFully(handle, outPath, table, table.length, (start + tableIndex * gtSectors) * SECTOR);
        }
      }
      table.fill(0);
      tableUsed = false;
    };
    const batch = Buffer.alloc(WRITE_BATCH_BYTES);
    let batchUsed = 0;
    let nextSector = overheadSectors;
    let batchSector = nextSector;
    const flushBatch = async (): Promise<void> => {
      if (batchUsed > 0) await writeFully(handle, outPath, batch, batchUsed, batchSector * SECTOR);
      batchSector += batchUsed / SECTOR;
      batchUsed = 0;
    };
    for await (const grain of nonZeroBlocks(source, grainBytes, outPath, options)) {
      const index = Math.floor(grain.index / WRITE_GTES_PER_GT);
      if (index !== tableIndex) {
        await flushTable();
        tableIndex = index;
      }
      if (batchUsed + grainBytes > batch.length) await flushBatch();
      grain.data.copy(batch, batchUsed);
      batchUsed += grainBytes;
      table.writeUInt32LE(nextSector, (grain.index % WRITE_GTES_PER_GT) * 4);
      tableUsed = true;
      nextSector += WRITE_GRAIN_SECTORS;
    }
    await flushBatch();
    await flushTable();
  });
}
