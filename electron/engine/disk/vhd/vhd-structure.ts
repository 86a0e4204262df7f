/**
 * Reads and validates the fixed structures of a VHD: the footer (at offset 0 for dynamic
 * and differencing disks, at the end for all), the dynamic header, and the BAT bounds.
 * Every offset and count is checked against the file size and qemu's limits before use.
 */
import type { ImageFile } from '../image-file.ts';
import { badImage, truncatedImage, unsupportedImage } from '../image-error.ts';
import {
  VHD_BAT_UNUSED, VHD_DYNAMIC_COOKIE, VHD_DYNAMIC_HEADER_SIZE, VHD_FOOTER_SIZE, VHD_MAX_BLOCK_SIZE,
  VHD_MAX_SECTORS, VHD_SECTOR, VHD_TYPE_FIXED, hasFooterCookie, parseDynamicHeader, parseFooter, vhdBitmapSize,
  vhdTypeName, vhdVirtualSize,
} from './vhd-layout.ts';
import type { VhdDynamicHeader, VhdFooter, VhdType } from './vhd-layout.ts';
import { TablePages } from '../table-pages.ts';

export interface VhdDynamicLayout {
  header: VhdDynamicHeader;
  bitmapSize: number;
  bat: TablePages;
  /** Count of allocated BAT entries (found by the open-time bounds scan). */
  allocatedBlocks: number;
}

export interface VhdStructure {
  footer: VhdFooter;
  type: VhdType;
  virtualSize: number;
  /** Where the footer used was found. */
  footerOffset: number;
  /** Fixed disks: bytes of disk data before the footer. */
  fixedDataEnd: number;
  dynamic: VhdDynamicLayout | null;
}

/**
 * Finds a footer with a valid checksum: the copy at 0 first (dynamic), then the one at the
 * end, except that a valid fixed-disk footer at the end always wins (qemu would take a
 * footer copy at 0 that belongs to a VHD stored as the disk's content). Some old tools
 * wrote a 511-byte footer at the end of fixed disks; it is accepted too.
 */
async function readVhdFooter(file: ImageFile): Promise<{ footer: VhdFooter; offset: number }> {
  if (file.size < VHD_FOOTER_SIZE) throw truncatedImage(file.path, 'vhd.footer', 0, VHD_FOOTER_SIZE, file.size);
  const head = await file.readAt(0, VHD_FOOTER_SIZE, 'vhd.footer (copy at offset 0)');
  const tailOffset = file.size - VHD_FOOTER_SIZE;
  const tail = await file.readAt(tailOffset, VHD_FOOTER_SIZE, 'vhd.footer');
  const candidates: { buffer: Buffer; offset: number }[] = [];
  if (hasFooterCookie(head)) candidates.push({ buffer: head, offset: 0 });
  if (hasFooterCookie(tail) && tailOffset !== 0) candidates.push({ buffer: tail, offset: tailOffset });
  const short = Buffer.concat([tail.subarray(1), Buffer.alloc(1)]);
  if (hasFooterCookie(short)) candidates.push({ buffer: short, offset: tailOffset + 1 });
  if (candidates.length === 0) {
    throw badImage(file.path, 'vhd.footer.cookie', 'no "conectix" footer at the start or the end of the file: not a VHD image');
  }
  const parsed = candidates.map((candidate) => ({ footer: parseFooter(candidate.buffer), offset: candidate.offset }));
  // A valid fixed footer at the end is authoritative: the disk's own data may begin with a
  // footer copy (a VHD stored inside a fixed VHD), which must not be taken for this file's.
  const fixedAtEnd = parsed.find((entry) => (
    entry.offset > 0 && entry.footer.checksumValid && entry.footer.diskType === VHD_TYPE_FIXED
  ));
  if (fixedAtEnd) return fixedAtEnd;
  for (const entry of parsed) if (entry.footer.checksumValid) return entry;
  throw badImage(file.path, 'vhd.footer.checksum', 'the footer checksum is wrong: the footer is damaged');
}

export async function readVhdStructure(file: ImageFile): Promise<VhdStructure> {
  const { footer, offset } = await readVhdFooter(file);
  const type = vhdTypeName(file.path, footer.diskType);
  const virtualSize = vhdVirtualSize(footer);
  if (virtualSize / VHD_SECTOR > VHD_MAX_SECTORS) {
    throw unsupportedImage(file.path, 'vhd.footer.current_size', `virtual size ${virtualSize} bytes is larger than the VHD limit of 2040 GiB`);
  }
  const fixedDataEnd = offset > 0 ? offset : file.size - VHD_FOOTER_SIZE;
  if (type === 'fixed') return { footer, type, virtualSize, footerOffset: offset, fixedDataEnd, dynamic: null };
  const dynamic = await readDynamicLayout(file, footer, virtualSize);
  return { footer, type, virtualSize, footerOffset: offset, fixedDataEnd, dynamic };
}

async function readDynamicLayout(file: ImageFile, footer: VhdFooter, virtualSize: number): Promise<VhdDynamicLayout> {
  const headerOffset = footer.dataOffset;
  if (!Number.isSafeInteger(headerOffset) || headerOffset + VHD_DYNAMIC_HEADER_SIZE > file.size) {
    throw truncatedImage(file.path, 'vhd.footer.data_offset (dynamic header)', headerOffset, VHD_DYNAMIC_HEADER_SIZE, file.size);
  }
  const raw = await file.readAt(headerOffset, VHD_DYNAMIC_HEADER_SIZE, 'vhd.dynamic_header');
  if (raw.toString('latin1', 0, 8) !== VHD_DYNAMIC_COOKIE) {
    throw badImage(file.path, 'vhd.dynamic_header.cookie', `no "cxsparse" dynamic header at offset ${headerOffset}`);
  }
  const header = parseDynamicHeader(raw);
  if (!header.checksumValid) throw badImage(file.path, 'vhd.dynamic_header.checksum', 'the dynamic header checksum is wrong: the header is damaged');
  const { blockSize, maxTableEntries, tableOffset } = header;
  if (blockSize < VHD_SECTOR || blockSize > VHD_MAX_BLOCK_SIZE || (blockSize & (blockSize - 1)) !== 0) {
    throw badImage(file.path, 'vhd.dynamic_header.block_size', `block size ${blockSize} is not a power of two between 512 bytes and 256 MiB`);
  }
  const maxEntries = Math.ceil((VHD_MAX_SECTORS * VHD_SECTOR) / blockSize);
  if (maxTableEntries > maxEntries) {
    throw badImage(file.path, 'vhd.dynamic_header.max_table_entries', `${maxTableEntries} BAT entries exceed the 2040 GiB limit`);
  }
  if (maxTableEntries * blockSize < virtualSize) {
    throw badImage(file.path, 'vhd.dynamic_header.max_table_entries', `${maxTableEntries} BAT entries of ${blockSize} bytes do not cover the virtual size ${virtualSize}`);
  }
  const batBytes = maxTableEntries * 4;
  if (!Number.isSafeInteger(tableOffset) || tableOffset + batBytes > file.size) {
    throw truncatedImage(file.path, 'vhd.dynamic_header.table_offset (BAT)', tableOffset, batBytes, file.size);
  }
  const bitmapSize = vhdBitmapSize(blockSize);
  const bat = new TablePages(file, tableOffset, maxTableEntries, 4, 'vhd.bat');
  let allocatedBlocks = 0;
  for (let index = 0; index < maxTableEntries; index += 1) {
    const { page, at } = await bat.locate(index);
    const entry = page.readUInt32BE(at);
    if (entry === VHD_BAT_UNUSED) continue;
    allocatedBlocks += 1;
    const end = entry * VHD_SECTOR + bitmapSize + blockSize;
    if (end > file.size) {
      throw truncatedImage(file.path, `vhd.bat[${index}] (block data)`, entry * VHD_SECTOR, bitmapSize + blockSize, file.size);
    }
  }
  return { header, bitmapSize, bat, allocatedBlocks };
}
