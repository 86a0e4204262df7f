/**
 * Integrity check of a VHDX that reports damage as findings and never throws on it:
 * signature, both headers (signature, CRC-32C, version), dirty log (replayed in memory,
 * then everything below is checked on the replayed view), both region tables,
 * metadata, BAT entries (unknown states, blocks past the end of the file, blocks that
 * overlap each other or the headers, log, metadata or BAT).
 */
import { ImageFile } from '../image-file.ts';
import { ErrorCodes, isLabvaultError } from '../../../../shared/errors.ts';
import type { CheckFinding, CheckResult } from '../virtual-disk.ts';
import { TablePages } from '../table-pages.ts';
import type { PositionedReader } from '../table-pages.ts';
import { replayLogInMemory } from './vhdx-log.ts';
import { isZeroGuid } from './vhdx-guid.ts';
import { chooseHeader, overlaps, parseRegionTable, readHeaderCandidates, readIdentifier, readRegionTable, VHDX_HEADER_AREA_END } from './vhdx-headers.ts';
import type { RegionTable } from './vhdx-headers.ts';
import { readVhdxMetadata } from './vhdx-metadata.ts';
import {
  BITMAP_NOT_PRESENT, BITMAP_PRESENT, PAYLOAD_FULLY_PRESENT, PAYLOAD_NOT_PRESENT, PAYLOAD_PARTIALLY_PRESENT,
  PAYLOAD_UNDEFINED, PAYLOAD_UNMAPPED, PAYLOAD_ZERO, VHDX_REGION_TABLE_OFFSETS, VHDX_REGION_TABLE_SIZE,
  VHDX_SECTOR_BITMAP_BLOCK, batGeometry, decodeBatEntry,
} from './vhdx-layout.ts';

const MAX_REPORTED = 20;
const PAYLOAD_STATES = new Set([
  PAYLOAD_NOT_PRESENT, PAYLOAD_UNDEFINED, PAYLOAD_ZERO, PAYLOAD_UNMAPPED, PAYLOAD_FULLY_PRESENT,
  PAYLOAD_PARTIALLY_PRESENT,
]);

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function kindOf(error: unknown, fallback: string): string {
  if (isLabvaultError(error) && error.details?.['reason'] === 'truncated') return 'truncated';
  return fallback;
}

export async function checkVhdx(path: string): Promise<CheckResult> {
  const findings: CheckFinding[] = [];
  let file: ImageFile | null = null;
  try {
    file = await ImageFile.open(path);
    await checkFile(file, findings);
  } catch (error) {
    findings.push({ severity: 'corruption', kind: kindOf(error, 'unreadable'), message: describe(error) });
  } finally {
    await file?.close().catch(() => undefined);
  }
  return { format: 'vhdx', path, clean: !findings.some((finding) => finding.severity === 'corruption'), findings };
}

async function checkFile(file: ImageFile, findings: CheckFinding[]): Promise<void> {
  const add = (kind: string, message: string, severity: CheckFinding['severity'] = 'corruption'): void => {
    findings.push({ severity, kind, message: `${file.path}: ${message}` });
  };
  try {
    await readIdentifier(file);
  } catch (error) {
    add(kindOf(error, 'bad-magic'), describe(error));
    return;
  }
  const candidates = await readHeaderCandidates(file);
  for (const candidate of candidates) {
    if (candidate.problem) add(candidate.problem.includes('CRC') ? 'bad-checksum' : 'bad-header', candidate.problem);
  }
  let header;
  try {
    header = chooseHeader(file.path, candidates);
  } catch (error) {
    add('bad-header', describe(error));
    return;
  }
  // A dirty log is replayed in memory first, so the structures are checked as a reader sees them.
  let view: PositionedReader = file;
  if (!isZeroGuid(header.logGuid)) {
    add('dirty-log', 'the log holds changes that were never replayed (the image was not closed cleanly)', 'warning');
    try {
      view = await replayLogInMemory(file, header);
    } catch (error) {
      const unsupported = isLabvaultError(error) && error.code === ErrorCodes.UNSUPPORTED;
      add(unsupported ? 'log-not-replayed' : 'bad-log', describe(error), unsupported ? 'warning' : 'corruption');
    }
  }
  for (const [index, offset] of VHDX_REGION_TABLE_OFFSETS.entries()) {
    if (offset + VHDX_REGION_TABLE_SIZE > view.size) { add('truncated', `region table ${index + 1} lies past the end of the file`); continue; }
    try {
      const parsed = parseRegionTable(view.path, await view.readAt(offset, VHDX_REGION_TABLE_SIZE, 'vhdx.region_table'));
      if (typeof parsed === 'string') add(parsed.includes('CRC') ? 'bad-checksum' : 'bad-region-table', `region table ${index + 1}: ${parsed}`);
    } catch (error) {
      add('bad-region-table', describe(error));
    }
  }
  let regions: RegionTable;
  let metadata;
  try {
    regions = await readRegionTable(view);
    metadata = await readVhdxMetadata(view, regions.metadata);
  } catch (error) {
    add(kindOf(error, 'bad-metadata'), describe(error));
    return;
  }
  const geometry = batGeometry(
    metadata.virtualSize, metadata.blockSize, metadata.logicalSectorSize, metadata.hasParent,
  );
  const batBytes = geometry.totalEntries * 8;
  if (batBytes > regions.bat.length) { add('bad-field', `BAT region of ${regions.bat.length} bytes cannot hold ${geometry.totalEntries} entries`); return; }
  if (regions.bat.offset + batBytes > view.size) { add('truncated', `the BAT (${batBytes} bytes at ${regions.bat.offset}) lies past the end of the file (${view.size} bytes)`); return; }
  const reserved = [
    { offset: 0, length: VHDX_HEADER_AREA_END },
    { offset: header.logOffset, length: header.logLength },
    regions.metadata,
    regions.bat,
  ];
  const bat = new TablePages(view, regions.bat.offset, geometry.totalEntries, 8, 'vhdx.bat');
  const extents: { offset: number; length: number; index: number }[] = [];
  let reported = 0;
  const report = (kind: string, message: string): void => { if (reported++ < MAX_REPORTED) add(kind, message); };
  for (let index = 0; index < geometry.totalEntries; index += 1) {
    const { page, at } = await bat.locate(index);
    const { state, offset } = decodeBatEntry(page, at);
    const isBitmap = index % (geometry.chunkRatio + 1) === geometry.chunkRatio;
    let length = 0;
    if (isBitmap) {
      if (state !== BITMAP_NOT_PRESENT && state !== BITMAP_PRESENT) { report('bad-field', `BAT entry ${index} has sector bitmap state ${state}`); continue; }
      if (state === BITMAP_PRESENT) length = VHDX_SECTOR_BITMAP_BLOCK;
    } else {
      if (!PAYLOAD_STATES.has(state)) { report('bad-field', `BAT entry ${index} has unknown payload state ${state}`); continue; }
      if (state === PAYLOAD_FULLY_PRESENT || state === PAYLOAD_PARTIALLY_PRESENT) length = metadata.blockSize;
    }
    if (length === 0) continue;
    if (offset + length > view.size) { report('offset-past-eof', `BAT entry ${index} points at ${offset}..${offset + length}, past the end of the file (${view.size} bytes)`); continue; }
    if (reserved.some((area) => overlaps(area, { offset, length }))) { report('overlapping-blocks', `BAT entry ${index} (offset ${offset}) overlaps the headers, log, metadata or BAT`); continue; }
    extents.push({ offset, length, index });
  }
  extents.sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < extents.length; i += 1) {
    const previous = extents[i - 1]!;
    const current = extents[i]!;
    if (current.offset < previous.offset + previous.length) {
      report('overlapping-blocks', `BAT entries ${previous.index} and ${current.index} overlap at file offset ${current.offset}`);
    }
  }
}
