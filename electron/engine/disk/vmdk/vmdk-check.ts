/**
 * `check` for VMDK: descriptor and every extent, never throwing on damage. Per sparse
 * extent: header and footer, grain directory and tables inside the file, every grain offset
 * inside the file, compressed grain markers sane, no two tables/grains sharing file space.
 * Flat extents shorter than their descriptor size and a parentCID that does not match the
 * parent's CID are warnings (qemu reads zeros / opens and only fails reads through it).
 */
import { stat } from 'node:fs/promises';
import { ImageFile } from '../image-file.ts';
import { isLabvaultError } from '../../../../shared/errors.ts';
import type { CheckResult } from '../virtual-disk.ts';
import { CheckFindingList } from '../check-finding-list.ts';
import { FileSpanSet } from './file-span-set.ts';
import { readGrainMarker } from './vmdk-compressed-grain.ts';
import { resolveVmdkPath } from './vmdk-descriptor.ts';
import { readVmdkCid, readVmdkDescriptor } from './vmdk-layout.ts';
import { bareExtentRefusal } from './vmdk-extent-owner.ts';
import { openRegularFile } from '../image-opener.ts';
import { readEffectiveHeader } from './vmdk-sparse-extent.ts';
import {
  FLAG_MARKERS, FLAG_REDUNDANT_GD, FLAG_ZERO_GRAIN, GTE_ZERO_GRAIN, MARKER_HEADER_SIZE, MAX_GD_BYTES, SECTOR,
  gdEntryCount, isCompressedHeader,
} from './vmdk-sparse-header.ts';

function headerKind(error: unknown): string {
  return isLabvaultError(error) && error.field === 'vmdk.header.magicNumber' ? 'bad-magic' : 'bad-header';
}

async function checkSparseExtent(path: string, findings: CheckFindingList): Promise<void> {
  let file: ImageFile;
  try {
    file = await openRegularFile(path, path, 'vmdk.extent');
  } catch (error) {
    findings.addError(error, 'missing-file');
    return;
  }
  try {
    let header;
    try {
      header = await readEffectiveHeader(file);
    } catch (error) {
      findings.addError(error, headerKind(error));
      return;
    }
    const spans = new FileSpanSet();
    spans.add(0, 1);
    const grainBytes = header.grainSectors * SECTOR;
    const entries = gdEntryCount(header);
    const gdBytes = entries * 4;
    const gdPosition = header.gdOffset * SECTOR;
    if (gdBytes > MAX_GD_BYTES || gdPosition + gdBytes > file.size) {
      findings.add('corruption', 'offset-past-eof', `${path}: grain directory (${gdBytes} bytes at ${gdPosition}) lies past the end of the file (${file.size} bytes)`);
      return;
    }
    spans.add(header.gdOffset, gdBytes / SECTOR);
    let rgd: Buffer | null = null;
    if ((header.flags & FLAG_REDUNDANT_GD) !== 0 && header.rgdOffset > 0) {
      if (header.rgdOffset * SECTOR + gdBytes > file.size) {
        findings.add('corruption', 'offset-past-eof', `${path}: redundant grain directory at sector ${header.rgdOffset} lies past the end of the file`);
      } else {
        rgd = await file.readAt(header.rgdOffset * SECTOR, gdBytes, 'vmdk.redundantGrainDirectory');
        spans.add(header.rgdOffset, gdBytes / SECTOR);
      }
    }
    const gd = await file.readAt(gdPosition, gdBytes, 'vmdk.grainDirectory');
    const gtBytes = header.gtesPerGt * 4;
    const compressed = isCompressedHeader(header);
    const markers = (header.flags & FLAG_MARKERS) !== 0;
    const zeroGrains = (header.flags & FLAG_ZERO_GRAIN) !== 0;
    for (let index = 0; index < entries; index += 1) {
      const gtSector = gd.readUInt32LE(index * 4);
      if (gtSector === 0) continue;
      if (gtSector * SECTOR + gtBytes > file.size) {
        findings.add('corruption', 'offset-past-eof', `${path}: grain table ${index} at sector ${gtSector} lies past the end of the file`);
        continue;
      }
      spans.add(gtSector, gtBytes / SECTOR);
      const table = await file.readAt(gtSector * SECTOR, gtBytes, `vmdk.grainTable[${index}]`);
      if (rgd) await compareRedundantTable(file, rgd, index, table, spans, findings);
      for (let entry = 0; entry < header.gtesPerGt; entry += 1) {
        const sector = table.readUInt32LE(entry * 4);
        if (sector === 0 || (sector === GTE_ZERO_GRAIN && zeroGrains)) continue;
        const grain = index * header.gtesPerGt + entry;
        const position = sector * SECTOR;
        if (position >= file.size) {
          findings.add('corruption', 'offset-past-eof', `${path}: grain ${grain} at sector ${sector} lies past the end of the file (${file.size} bytes)`);
          continue;
        }
        if (!compressed || !markers) {
          spans.add(sector, compressed ? 1 : header.grainSectors);
          continue;
        }
        if (position + MARKER_HEADER_SIZE > file.size) {
          findings.add('corruption', 'offset-past-eof', `${path}: grain ${grain} marker at sector ${sector} is cut off by the end of the file`);
          continue;
        }
        const marker = readGrainMarker(await file.readAt(position, MARKER_HEADER_SIZE, `vmdk.grain[${grain}]`));
        const markerEnd = position + MARKER_HEADER_SIZE + marker.size;
        if (marker.size === 0 || marker.size > grainBytes + 4096 || markerEnd > file.size) {
          findings.add('corruption', 'bad-grain-marker', `${path}: grain ${grain} at sector ${sector} has a bad marker (compressed size ${marker.size})`);
          continue;
        }
        if (marker.lba !== grain * header.grainSectors) {
          findings.add('warning', 'bad-grain-marker', `${path}: grain ${grain} marker names sector ${marker.lba}, expected ${grain * header.grainSectors}`);
        }
        spans.add(sector, (MARKER_HEADER_SIZE + marker.size) / SECTOR);
      }
    }
    spans.findOverlaps(({ firstSector, secondSector }) => {
      findings.add('corruption', 'overlapping-clusters', `${path}: structures at sectors ${firstSector} and ${secondSector} share file space`);
    });
  } catch (error) {
    findings.addError(error, 'bad-header');
  } finally {
    await file.close().catch(() => undefined);
  }
}

/** The redundant copy of grain table `index` must exist and equal the primary (reads use the primary, as qemu). */
async function compareRedundantTable(
  file: ImageFile, rgd: Buffer, index: number, table: Buffer, spans: FileSpanSet, findings: CheckFindingList,
): Promise<void> {
  const sector = rgd.readUInt32LE(index * 4);
  if (sector === 0 || sector * SECTOR + table.length > file.size) {
    findings.add('warning', 'redundant-table-mismatch', `${file.path}: redundant grain table ${index} is missing or lies past the end of the file`);
    return;
  }
  spans.add(sector, table.length / SECTOR);
  const copy = await file.readAt(sector * SECTOR, table.length, `vmdk.redundantGrainTable[${index}]`);
  if (!copy.equals(table)) findings.add('warning', 'redundant-table-mismatch', `${file.path}: redundant grain table ${index} differs from the primary table (the primary is used)`);
}

async function checkFlatExtent(path: string, needBytes: number, findings: CheckFindingList): Promise<void> {
  try {
    const size = (await stat(path)).size;
    if (size < needBytes) findings.add('warning', 'short-extent', `${path}: flat extent is ${size} bytes, the descriptor needs ${needBytes} (the rest reads as zeros)`);
  } catch (error) {
    findings.add('corruption', 'missing-file', `${path}: flat extent cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export async function checkVmdk(path: string): Promise<CheckResult> {
  const findings = new CheckFindingList();
  let source;
  let file: ImageFile | null = null;
  try {
    file = await openRegularFile(path, path, 'vmdk.header');
    source = await readVmdkDescriptor(file);
  } catch (error) {
    const headerField = isLabvaultError(error) && (error.field ?? '').startsWith('vmdk.header');
    findings.addError(error, headerField ? headerKind(error) : 'bad-descriptor');
    return findings.result('unknown', path);
  } finally {
    await file?.close().catch(() => undefined);
  }
  const { descriptor } = source;
  if (source.problem) findings.add('warning', 'bad-descriptor', `${source.problem} (the embedded descriptor was read leniently; data is unaffected)`);
  if (source.embedded) {
    // A sparse extent without a descriptor is only part of a disk: say which one (open refuses it).
    if (source.bareExtent) findings.add('warning', 'vmdk-extent', (await bareExtentRefusal(path)).message);
    await checkSparseExtent(path, findings);
  } else {
    if (descriptor.extents.length === 0) findings.add('corruption', 'bad-descriptor', `${path}: the descriptor lists no extents`);
    for (const line of descriptor.extents) {
      if (line.type === 'ZERO' || line.fileName === null) continue;
      const extentPath = resolveVmdkPath(path, line.fileName);
      if (line.type === 'SPARSE') await checkSparseExtent(extentPath, findings);
      else if (line.type === 'FLAT' || line.type === 'VMFS') await checkFlatExtent(extentPath, (line.offsetSectors + line.sectors) * SECTOR, findings);
      else findings.add('warning', 'unsupported-extent', `${path}: extent type ${line.type} is not checked`);
    }
  }
  if (descriptor.parentFileNameHint !== null) {
    const parentPath = resolveVmdkPath(path, descriptor.parentFileNameHint);
    const parentCid = await readVmdkCid(parentPath, 'vmdk');
    if (parentCid === null) {
      findings.add('warning', 'missing-parent', `${path}: parent ${parentPath} (parentFileNameHint) cannot be read as a VMDK`);
    } else if (parentCid !== descriptor.parentCid) {
      findings.add('warning', 'parent-cid-mismatch',
        `${path}: parentCID ${descriptor.parentCid.toString(16).padStart(8, '0')} does not match CID ${parentCid.toString(16).padStart(8, '0')} of parent ${parentPath}; reads through the parent will fail`);
    }
  }
  return findings.result('vmdk', path);
}
