/**
 * FAT directory entries and NTFS structures built byte by byte where the real tools cannot
 * make them here: long names with astral characters (mtools writes only 16-bit units),
 * orphaned or out-of-order long-name pieces, a checksum that does not match its 8.3 entry,
 * 0x05 standing for 0xE5, junction and symlink reparse data, and LZNT1 chunks.
 */
import { describe, expect, it } from 'vitest';
import { parseFatDirectory, shortNameChecksum } from '../../../electron/engine/guest/fat/fat-directory.ts';
import { decompressLznt1 } from '../../../electron/engine/guest/ntfs/lznt1.ts';
import { reparseTarget } from '../../../electron/engine/guest/ntfs/ntfs-filesystem.ts';
import { decodeRunlist } from '../../../electron/engine/guest/ntfs/ntfs-runlist.ts';

function shortEntry(name83: Buffer, attributes = 0x20, caseFlags = 0, size = 0): Buffer {
  const entry = Buffer.alloc(32);
  name83.copy(entry, 0);
  entry[11] = attributes;
  entry[12] = caseFlags;
  entry.writeUInt16LE((3 << 11) | (4 << 5) | 5, 22);
  entry.writeUInt16LE(((2020 - 1980) << 9) | (2 << 5) | 29, 24);
  entry.writeUInt16LE(7, 26);
  entry.writeUInt32LE(size, 28);
  return entry;
}

/** The long-name entries of `name` for the 8.3 entry whose 11 bytes are `name83`, in disk order. */
function longEntries(name: string, name83: Buffer, checksum = shortNameChecksum(name83)): Buffer[] {
  const units: number[] = [];
  for (let i = 0; i < name.length; i += 1) units.push(name.charCodeAt(i));
  units.push(0);
  while (units.length % 13 !== 0) units.push(0xffff);
  const pieces = units.length / 13;
  const entries: Buffer[] = [];
  for (let piece = pieces; piece >= 1; piece -= 1) {
    const entry = Buffer.alloc(32);
    entry[0] = piece | (piece === pieces ? 0x40 : 0);
    entry[11] = 0x0f;
    entry[13] = checksum;
    const slice = units.slice((piece - 1) * 13, piece * 13);
    const offsets = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
    slice.forEach((unit, index) => entry.writeUInt16LE(unit, offsets[index] as number));
    entries.push(entry);
  }
  return entries;
}

const name83 = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('FAT directory entries', () => {
  it('reads long names with astral characters, case flags, 0x05 and code page 437 short names, times', () => {
    const emoji = name83('EMOJI~1 BIN');
    const bytes = Buffer.concat([
      shortEntry(name83('VOLUME     '), 0x08),
      ...longEntries('emoji-🎉 party.bin', emoji), shortEntry(emoji),
      shortEntry(name83('README  TXT'), 0x20, 0x08),
      shortEntry(name83('NOTES   MD '), 0x20, 0x10),
      shortEntry(Buffer.from([0x05, 0x41, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x54, 0x58, 0x54])),
      shortEntry(Buffer.from([0x43, 0x41, 0x46, 0x90, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20]), 0x10),
      Buffer.from([0xe5, ...Buffer.alloc(31)]),
      Buffer.alloc(32),
      shortEntry(name83('AFTER   END')),
    ]);
    const { entries, label } = parseFatDirectory(bytes, '/');
    expect(label).toBe('VOLUME');
    expect(entries.map((entry) => entry.name)).toEqual(['emoji-🎉 party.bin', 'readme.TXT', 'NOTES.md', 'σA.TXT', 'CAFÉ']);
    expect(entries[0]?.mtimeMs).toBe(Date.UTC(2020, 1, 29, 3, 4, 10));
    expect(entries[4]?.attributes).toBe(0x10);
  });

  it('falls back to the 8.3 name when long-name pieces do not belong to it', () => {
    const short = name83('LONGNA~1TXT');
    const good = longEntries('a long name.txt', short);
    const wrongChecksum = longEntries('a long name.txt', short, (shortNameChecksum(short) + 1) & 0xff);
    const outOfOrder = [...longEntries('another long file name.txt', short)].reverse();
    const orphan = longEntries('orphan piece', short).slice(1);
    const bytes = Buffer.concat([
      ...good, shortEntry(short),
      ...wrongChecksum, shortEntry(short),
      ...outOfOrder, shortEntry(short),
      ...orphan, shortEntry(short),
    ]);
    expect(parseFatDirectory(bytes, '/').entries.map((entry) => entry.name))
      .toEqual(['a long name.txt', 'LONGNA~1.TXT', 'LONGNA~1.TXT', 'LONGNA~1.TXT']);
  });
});

describe('NTFS structures', () => {
  function reparse(tag: number, substitute: string, print: string, relative: boolean): Buffer {
    const names = Buffer.concat([Buffer.from(substitute, 'utf16le'), Buffer.from(print, 'utf16le')]);
    const headerLength = tag === 0xa000000c ? 20 : 16;
    const data = Buffer.alloc(headerLength + names.length);
    data.writeUInt32LE(tag, 0);
    data.writeUInt16LE(data.length - 8, 4);
    data.writeUInt16LE(0, 8);
    data.writeUInt16LE(substitute.length * 2, 10);
    data.writeUInt16LE(substitute.length * 2, 12);
    data.writeUInt16LE(print.length * 2, 14);
    if (tag === 0xa000000c) data.writeUInt32LE(relative ? 1 : 0, 16);
    names.copy(data, headerLength);
    return data;
  }

  it('reads symlink and junction targets from their reparse data', () => {
    expect(reparseTarget(reparse(0xa000000c, '..\\etc\\hosts', '..\\etc\\hosts', true), 0xa000000c, 'link')).toBe('../etc/hosts');
    expect(reparseTarget(reparse(0xa0000003, '\\??\\C:\\Users\\Public', 'C:\\Users\\Public', false), 0xa0000003, 'junction'))
      .toBe('C:/Users/Public');
    expect(reparseTarget(reparse(0xa0000003, '\\??\\D:\\Data', '', false), 0xa0000003, 'junction')).toBe('D:/Data');
    const cut = reparse(0xa000000c, 'x', 'y', true).subarray(0, 21);
    expect(() => reparseTarget(cut, 0xa000000c, 'link')).toThrow(/reparse name lies outside/);
  });

  it('decodes runlists with sparse runs and negative deltas, refusing runs outside the volume', () => {
    // 4 clusters at 100, 3 sparse, 2 clusters at 100 - 40 = 60.
    const runs = decodeRunlist(Buffer.from([0x11, 4, 100, 0x01, 3, 0x11, 2, 0xd8, 0]), 0, 1000);
    expect(runs).toEqual([{ vcn: 0, length: 4, lcn: 100 }, { vcn: 4, length: 3, lcn: -1 }, { vcn: 7, length: 2, lcn: 60 }]);
    expect(() => decodeRunlist(Buffer.from([0x11, 4, 100, 0x11, 2, 0x80, 0]), 0, 1000)).toThrow(/outside the volume/);
    expect(() => decodeRunlist(Buffer.from([0x21, 4, 0xe8]), 0, 1000)).toThrow(/past the end/);
  });

  it('decompresses LZNT1 chunks, stored and compressed, and refuses a reference before its chunk', () => {
    // "abcabcabcabc" : literals a b c, then a back-reference of length 9 at offset 3.
    const token = ((3 - 1) << 12) | (9 - 3);
    const chunk = Buffer.from([0b00001000, 0x61, 0x62, 0x63, token & 0xff, token >> 8]);
    const compressed = Buffer.concat([Buffer.from([(chunk.length - 1) & 0xff, 0xb0 | ((chunk.length - 1) >> 8)]), chunk]);
    expect(decompressLznt1(compressed, 16).subarray(0, 12).toString()).toBe('abcabcabcabc');
    const stored = Buffer.concat([Buffer.from([0xff, 0x3f]), Buffer.alloc(4096, 0x41)]);
    expect(decompressLznt1(stored, 4096).equals(Buffer.alloc(4096, 0x41))).toBe(true);
    const bad = Buffer.from([0x02, 0xb0, 0b00000001, 0x00, 0x70]);
    expect(() => decompressLznt1(bad, 4096)).toThrow(/before its chunk/);
  });
});
