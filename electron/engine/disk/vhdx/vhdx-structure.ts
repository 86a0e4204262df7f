/**
 * Opens the structures of a VHDX in order: file identifier, current header, log (replayed
 * in memory when dirty), region table, metadata, then the BAT, whose every present block
 * is checked to lie inside the file (qemu refuses such images as truncated too).
 */
import type { ImageFile } from '../image-file.ts';
import { badImage, truncatedImage } from '../image-error.ts';
import { TablePages } from '../table-pages.ts';
import type { PositionedReader } from '../table-pages.ts';
import { isZeroGuid } from './vhdx-guid.ts';
import { chooseHeader, readHeaderCandidates, readIdentifier, readRegionTable } from './vhdx-headers.ts';
import type { RegionTable } from './vhdx-headers.ts';
import { readVhdxMetadata } from './vhdx-metadata.ts';
import type { VhdxMetadata } from './vhdx-metadata.ts';
import { replayLogInMemory } from './vhdx-log.ts';
import {
  BITMAP_PRESENT, PAYLOAD_FULLY_PRESENT, PAYLOAD_PARTIALLY_PRESENT, VHDX_SECTOR_BITMAP_BLOCK, batGeometry,
  decodeBatEntry,
} from './vhdx-layout.ts';
import type { VhdxHeader } from './vhdx-layout.ts';

export interface VhdxStructure {
  /** The file as the current state: the file itself, or the file under a replayed log. */
  reader: PositionedReader;
  header: VhdxHeader;
  regions: RegionTable;
  metadata: VhdxMetadata;
  bat: TablePages;
  chunkRatio: number;
  dataBlocks: number;
  /** Payload blocks FULLY_PRESENT or PARTIALLY_PRESENT. */
  presentBlocks: number;
  logReplayed: boolean;
}

export async function readVhdxStructure(file: ImageFile): Promise<VhdxStructure> {
  await readIdentifier(file);
  const header = chooseHeader(file.path, await readHeaderCandidates(file));
  let reader: PositionedReader = file;
  const logReplayed = !isZeroGuid(header.logGuid);
  if (logReplayed) reader = await replayLogInMemory(file, header);
  const regions = await readRegionTable(reader);
  const metadata = await readVhdxMetadata(reader, regions.metadata);
  const geometry = batGeometry(
    metadata.virtualSize, metadata.blockSize, metadata.logicalSectorSize, metadata.hasParent,
  );
  const batBytes = geometry.totalEntries * 8;
  if (batBytes > regions.bat.length) {
    throw badImage(file.path, 'vhdx.region_table.bat.length', `BAT region of ${regions.bat.length} bytes cannot hold the ${geometry.totalEntries} entries the disk needs`);
  }
  if (regions.bat.offset + batBytes > reader.size) throw truncatedImage(file.path, 'vhdx.bat', regions.bat.offset, batBytes, reader.size);
  const bat = new TablePages(reader, regions.bat.offset, geometry.totalEntries, 8, 'vhdx.bat');
  const presentBlocks = await scanBat(reader, bat, metadata.blockSize, geometry.chunkRatio);
  return {
    reader, header, regions, metadata, bat, chunkRatio: geometry.chunkRatio, dataBlocks: geometry.dataBlocks,
    presentBlocks, logReplayed,
  };
}

/** Checks every present block and sector bitmap lies inside the file; counts present blocks. */
async function scanBat(
  reader: PositionedReader, bat: TablePages, blockSize: number, chunkRatio: number,
): Promise<number> {
  let present = 0;
  for (let index = 0; index < bat.entryCount; index += 1) {
    const { page, at } = await bat.locate(index);
    const { state, offset } = decodeBatEntry(page, at);
    const isBitmap = index % (chunkRatio + 1) === chunkRatio;
    if (isBitmap) {
      if (state === BITMAP_PRESENT && offset + VHDX_SECTOR_BITMAP_BLOCK > reader.size) {
        throw truncatedImage(reader.path, `vhdx.bat[${index}] (sector bitmap)`, offset, VHDX_SECTOR_BITMAP_BLOCK, reader.size);
      }
      continue;
    }
    if (state !== PAYLOAD_FULLY_PRESENT && state !== PAYLOAD_PARTIALLY_PRESENT) continue;
    if (offset === 0) throw badImage(reader.path, `vhdx.bat[${index}]`, 'a present block at file offset 0 (the file identifier)');
    if (offset + blockSize > reader.size) throw truncatedImage(reader.path, `vhdx.bat[${index}] (payload block)`, offset, blockSize, reader.size);
    present += 1;
  }
  return present;
}
