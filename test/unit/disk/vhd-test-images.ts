/**
 * Test-only VHD building: qemu-img has no backing files for vpc ("Backing file not
 * supported for file format 'vpc'"), so differencing VHDs are built here from the spec:
 * footer copy, dynamic header with parent unique id, name and W2ru/W2ku locators, BAT,
 * and per block a sector bitmap with bits set only for the sectors the child holds.
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { vhdChecksum } from '../../../electron/engine/disk/vhd/vhd-layout.ts';

const SECTOR = 512;

export interface SectorWrite {
  /** Sector-aligned virtual offset. */
  offset: number;
  data: Buffer;
}

export interface DifferencingVhdOptions {
  virtualSize: number;
  parentPath: string;
  parentUniqueId: Buffer;
  writes: SectorWrite[];
  blockSize?: number;
  /** Which locators to record; default both. */
  locators?: ('W2ru' | 'W2ku')[];
  creatorApp?: string;
}

function footerFor(virtualSize: number, dataOffset: bigint, diskType: number, creatorApp: string): Buffer {
  const footer = Buffer.alloc(512);
  footer.write('conectix', 0, 'latin1');
  footer.writeUInt32BE(2, 8);
  footer.writeUInt32BE(0x00010000, 12);
  footer.writeBigUInt64BE(dataOffset, 16);
  footer.write(creatorApp, 28, 'latin1');
  footer.write('Wi2k', 36, 'latin1');
  footer.writeBigUInt64BE(BigInt(virtualSize), 40);
  footer.writeBigUInt64BE(BigInt(virtualSize), 48);
  footer.writeUInt16BE(65535, 56);
  footer.writeUInt8(16, 58);
  footer.writeUInt8(255, 59);
  footer.writeUInt32BE(diskType, 60);
  for (let i = 0; i < 16; i += 1) footer[68 + i] = (i * 37 + 11) & 0xff;
  footer.writeUInt32BE(vhdChecksum(footer, 64), 64);
  return footer;
}

/** Builds a differencing VHD (type 4) over `parentPath`; returns the file bytes. */
export function buildDifferencingVhd(path: string, options: DifferencingVhdOptions): void {
  const blockSize = options.blockSize ?? 2 * 1024 * 1024;
  const bitmapSize = Math.ceil(blockSize / SECTOR / 8 / SECTOR) * SECTOR;
  const entries = Math.ceil(options.virtualSize / blockSize);
  const headerOffset = 512;
  const batOffset = headerOffset + 1024;
  const batBytes = Math.ceil((entries * 4) / SECTOR) * SECTOR;
  const locatorKinds = options.locators ?? ['W2ru', 'W2ku'];
  const locatorData = locatorKinds.map((kind) => Buffer.from(kind === 'W2ru' ? `.\\${basename(options.parentPath)}` : `C:\\vms\\${basename(options.parentPath)}`, 'utf16le'));
  let cursor = batOffset + batBytes;
  const locatorOffsets = locatorData.map((data) => { const at = cursor; cursor += Math.ceil(data.length / SECTOR) * SECTOR; return at; });
  const blocks = new Map<number, { bitmap: Buffer; data: Buffer }>();
  for (const write of options.writes) {
    for (let done = 0; done < write.data.length; done += SECTOR) {
      const position = write.offset + done;
      const index = Math.floor(position / blockSize);
      let block = blocks.get(index);
      if (!block) { block = { bitmap: Buffer.alloc(bitmapSize), data: Buffer.alloc(blockSize) }; blocks.set(index, block); }
      const sector = (position - index * blockSize) / SECTOR;
      block.bitmap[sector >> 3]! |= 0x80 >> (sector & 7);
      write.data.copy(block.data, sector * SECTOR, done, done + SECTOR);
    }
  }
  const bat = Buffer.alloc(batBytes, 0xff);
  const pieces: Buffer[] = [];
  for (const [index, block] of [...blocks.entries()].sort((a, b) => a[0] - b[0])) {
    bat.writeUInt32BE(cursor / SECTOR, index * 4);
    pieces.push(block.bitmap, block.data);
    cursor += bitmapSize + blockSize;
  }
  const footer = footerFor(options.virtualSize, BigInt(headerOffset), 4, options.creatorApp ?? 'win ');
  const header = Buffer.alloc(1024);
  header.write('cxsparse', 0, 'latin1');
  header.writeBigUInt64BE(0xffffffffffffffffn, 8);
  header.writeBigUInt64BE(BigInt(batOffset), 16);
  header.writeUInt32BE(0x00010000, 24);
  header.writeUInt32BE(entries, 28);
  header.writeUInt32BE(blockSize, 32);
  options.parentUniqueId.copy(header, 40);
  const name = Buffer.from(basename(options.parentPath), 'utf16le');
  name.swap16();
  name.copy(header, 64, 0, Math.min(name.length, 512));
  locatorKinds.forEach((kind, i) => {
    const at = 576 + i * 24;
    header.write(kind, at, 'latin1');
    header.writeUInt32BE(Math.ceil(locatorData[i]!.length / SECTOR), at + 4);
    header.writeUInt32BE(locatorData[i]!.length, at + 8);
    header.writeBigUInt64BE(BigInt(locatorOffsets[i]!), at + 16);
  });
  header.writeUInt32BE(vhdChecksum(header, 36), 36);
  const locatorPieces = locatorData.map((data) => Buffer.concat([data, Buffer.alloc(Math.ceil(data.length / SECTOR) * SECTOR - data.length)]));
  writeFileSync(path, Buffer.concat([footer, header, bat, ...locatorPieces, ...pieces, footer]));
}

/** Applies sector writes to a copy of `base` (the expected merged view). */
export function applyWrites(base: Buffer, writes: SectorWrite[]): Buffer {
  const out = Buffer.from(base);
  for (const write of writes) write.data.copy(out, write.offset);
  return out;
}
