/**
 * Integrity check of a VHD that reports damage as findings and never throws on it:
 * footer cookie and checksum (both copies), dynamic header cookie/checksum/fields,
 * BAT inside the file, every block inside the file, blocks overlapping each other or
 * the metadata.
 */
import { ImageFile } from '../image-file.ts';
import type { CheckFinding, CheckResult } from '../virtual-disk.ts';
import {
  VHD_BAT_UNUSED, VHD_DYNAMIC_COOKIE, VHD_DYNAMIC_HEADER_SIZE, VHD_FOOTER_SIZE, VHD_MAX_BLOCK_SIZE, VHD_SECTOR,
  hasFooterCookie, parseDynamicHeader, parseFooter, vhdBitmapSize, vhdVirtualSize,
} from './vhd-layout.ts';
import type { VhdFooter } from './vhd-layout.ts';
import { TablePages } from '../table-pages.ts';

function corruption(findings: CheckFinding[], kind: string, message: string): void {
  findings.push({ severity: 'corruption', kind, message });
}

export async function checkVhd(path: string): Promise<CheckResult> {
  const findings: CheckFinding[] = [];
  let file: ImageFile | null = null;
  try {
    file = await ImageFile.open(path);
    await checkFile(file, findings);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    corruption(findings, 'unreadable', `${path}: ${message}`);
  } finally {
    await file?.close().catch(() => undefined);
  }
  return { format: 'vpc', path, clean: !findings.some((finding) => finding.severity === 'corruption'), findings };
}

async function checkFile(file: ImageFile, findings: CheckFinding[]): Promise<void> {
  if (file.size < VHD_FOOTER_SIZE) {
    corruption(findings, 'truncated', `${file.path}: ${file.size} bytes is too small for a VHD footer (512 bytes)`);
    return;
  }
  const head = await file.readAt(0, VHD_FOOTER_SIZE, 'vhd.footer copy');
  const tail = await file.readAt(file.size - VHD_FOOTER_SIZE, VHD_FOOTER_SIZE, 'vhd.footer');
  const headFooter = hasFooterCookie(head) ? parseFooter(head) : null;
  const tailFooter = hasFooterCookie(tail) ? parseFooter(tail) : null;
  if (!headFooter && !tailFooter) {
    corruption(findings, 'bad-magic', `${file.path}: no "conectix" footer at the start or the end: not a VHD or the footer is destroyed`);
    return;
  }
  if (headFooter && !headFooter.checksumValid) corruption(findings, 'bad-checksum', `${file.path}: the footer copy at offset 0 has a wrong checksum`);
  if (tailFooter && !tailFooter.checksumValid) corruption(findings, 'bad-checksum', `${file.path}: the footer at the end has a wrong checksum`);
  if (headFooter && !tailFooter) corruption(findings, 'truncated', `${file.path}: the footer at the end of the file is missing (truncated file?)`);
  const fixedAtEnd = tailFooter?.checksumValid && tailFooter.diskType === 2 ? tailFooter : null;
  const footer = fixedAtEnd
    ?? [headFooter, tailFooter].find((candidate) => candidate?.checksumValid)
    ?? headFooter ?? tailFooter!;
  if (footer.diskType < 2 || footer.diskType > 4) {
    corruption(findings, 'bad-field', `${file.path}: footer disk type ${footer.diskType} is not 2, 3 or 4`);
    return;
  }
  if (footer.diskType === 2) return;
  if (!headFooter) corruption(findings, 'bad-magic', `${file.path}: dynamic disk without its footer copy at offset 0`);
  await checkDynamic(file, footer, findings);
}

async function checkDynamic(file: ImageFile, footer: VhdFooter, findings: CheckFinding[]): Promise<void> {
  const headerOffset = footer.dataOffset;
  if (!Number.isSafeInteger(headerOffset) || headerOffset + VHD_DYNAMIC_HEADER_SIZE > file.size) {
    corruption(findings, 'offset-past-eof', `${file.path}: dynamic header offset ${headerOffset} lies past the end of the file (${file.size} bytes)`);
    return;
  }
  const raw = await file.readAt(headerOffset, VHD_DYNAMIC_HEADER_SIZE, 'vhd.dynamic_header');
  if (raw.toString('latin1', 0, 8) !== VHD_DYNAMIC_COOKIE) {
    corruption(findings, 'bad-magic', `${file.path}: no "cxsparse" dynamic header at offset ${headerOffset}`);
    return;
  }
  const header = parseDynamicHeader(raw);
  if (!header.checksumValid) corruption(findings, 'bad-checksum', `${file.path}: the dynamic header has a wrong checksum`);
  for (const locator of header.locators) {
    if (!Number.isSafeInteger(locator.dataOffset) || locator.dataOffset + locator.dataLength > file.size) {
      corruption(findings, 'offset-past-eof', `${file.path}: parent locator ${locator.platform} (${locator.dataLength} bytes at ${locator.dataOffset}) lies past the end of the file`);
    }
  }
  if (footer.diskType === 4 && header.locators.length === 0 && header.parentName.length === 0) {
    corruption(findings, 'bad-field', `${file.path}: differencing disk records no parent (no parent locator, no parent name)`);
  }
  const { blockSize, maxTableEntries, tableOffset } = header;
  if (blockSize < VHD_SECTOR || blockSize > VHD_MAX_BLOCK_SIZE || (blockSize & (blockSize - 1)) !== 0) {
    corruption(findings, 'bad-field', `${file.path}: block size ${blockSize} is not a power of two between 512 bytes and 256 MiB`);
    return;
  }
  if (maxTableEntries * blockSize < vhdVirtualSize(footer)) {
    corruption(findings, 'bad-field', `${file.path}: ${maxTableEntries} BAT entries do not cover the virtual size`);
  }
  const batBytes = maxTableEntries * 4;
  if (!Number.isSafeInteger(tableOffset) || tableOffset + batBytes > file.size) {
    corruption(findings, 'offset-past-eof', `${file.path}: the BAT (${batBytes} bytes at ${tableOffset}) lies past the end of the file`);
    return;
  }
  const bitmapSize = vhdBitmapSize(blockSize);
  const span = bitmapSize + blockSize;
  const metadataEnd = Math.max(headerOffset + VHD_DYNAMIC_HEADER_SIZE, tableOffset + batBytes);
  const bat = new TablePages(file, tableOffset, maxTableEntries, 4, 'vhd.bat');
  const starts: number[] = [];
  let reported = 0;
  for (let index = 0; index < maxTableEntries; index += 1) {
    const { page, at } = await bat.locate(index);
    const entry = page.readUInt32BE(at);
    if (entry === VHD_BAT_UNUSED) continue;
    const start = entry * VHD_SECTOR;
    if (start + span > file.size) {
      if (reported++ < 20) corruption(findings, 'offset-past-eof', `${file.path}: BAT entry ${index} points at block data ${start}..${start + span} past the end of the file (${file.size} bytes)`);
      continue;
    }
    if (start < metadataEnd) {
      if (reported++ < 20) corruption(findings, 'overlapping-blocks', `${file.path}: BAT entry ${index} points into the headers or the BAT (offset ${start})`);
      continue;
    }
    starts.push(start);
  }
  starts.sort((a, b) => a - b);
  for (let i = 1; i < starts.length; i += 1) {
    if (starts[i]! < starts[i - 1]! + span && reported++ < 20) {
      corruption(findings, 'overlapping-blocks', `${file.path}: blocks at offsets ${starts[i - 1]} and ${starts[i]} overlap`);
    }
  }
}
