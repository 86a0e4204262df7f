/**
 * The LVM2 physical volume label ("LABELONE" in one of the first four sectors), its PV
 * header (UUID, data and metadata area lists), and the metadata area's header pointing at
 * the current text (a circular buffer: the text may wrap past the area's end). The text's
 * checksum is LVM's CRC32 (seed 0xf597a6cf, no final inversion); a text failing it is skipped.
 */
import { crc32 } from 'node:zlib';
import type { BlockSource } from '../guest-filesystem.ts';
import { guestDamage } from '../guest-errors.ts';
import { MAX_METADATA_TEXT } from './lvm-metadata-text.ts';

const SECTOR = 512;
const MDA_MAGIC = ' LVM2 x[5A%r0N*>';
const MDA_HEADER_SIZE = 512;
const LVM_CRC_SEED = 0xf597a6cf;
/** Areas listed in a PV header (LVM writes one or two of each). */
const MAX_AREAS = 8;

export interface PvLabel {
  /** 32 characters, no dashes. */
  uuid: string;
  deviceSize: number;
  metadataAreas: { offset: number; size: number }[];
}

export function lvmCrc(bytes: Buffer): number {
  return (~crc32(bytes, ~LVM_CRC_SEED >>> 0)) >>> 0;
}

export async function readPvLabel(source: BlockSource, name: string): Promise<PvLabel> {
  const head = await source.read(0, Math.min(source.size, 4 * SECTOR));
  for (let sector = 0; sector < 4; sector += 1) {
    const at = sector * SECTOR;
    if (head.toString('latin1', at, at + 8) !== 'LABELONE' || head.toString('latin1', at + 24, at + 32) !== 'LVM2 001') continue;
    const headerOffset = head.readUInt32LE(at + 20);
    if (headerOffset < 32 || headerOffset > SECTOR - 40) throw guestDamage(`The LVM2 label of ${name}`, `its PV header offset ${headerOffset} is invalid`);
    const pv = head.subarray(at + headerOffset, at + SECTOR);
    const uuid = pv.toString('latin1', 0, 32);
    const deviceSize = Number(pv.readBigUInt64LE(32));
    let cursor = 40;
    const readList = (): { offset: number; size: number }[] => {
      const list: { offset: number; size: number }[] = [];
      for (let n = 0; n <= MAX_AREAS; n += 1) {
        if (cursor + 16 > pv.length) throw guestDamage(`The LVM2 PV header of ${name}`, 'its area lists run past the sector');
        const offset = Number(pv.readBigUInt64LE(cursor));
        const size = Number(pv.readBigUInt64LE(cursor + 8));
        cursor += 16;
        if (offset === 0) return list;
        list.push({ offset, size });
      }
      throw guestDamage(`The LVM2 PV header of ${name}`, `it lists more than ${MAX_AREAS} areas`);
    };
    readList();
    return { uuid, deviceSize, metadataAreas: readList() };
  }
  throw guestDamage(`The LVM2 label of ${name}`, 'no LABELONE / LVM2 001 label in the first four sectors');
}

/** The current metadata text of a metadata area, or a string saying why there is none. */
export async function readMetadataText(source: BlockSource, area: { offset: number; size: number },
  name: string): Promise<string> {
  const what = `The LVM2 metadata area of ${name}`;
  if (area.size < MDA_HEADER_SIZE * 2 || area.offset + area.size > source.size) throw guestDamage(what, 'it lies outside the volume');
  const header = await source.read(area.offset, MDA_HEADER_SIZE);
  if (header.toString('latin1', 4, 20) !== MDA_MAGIC) throw guestDamage(what, 'its header has no LVM2 magic');
  if (lvmCrc(header.subarray(4)) !== header.readUInt32LE(0)) throw guestDamage(what, 'its header checksum does not match');
  const textOffset = Number(header.readBigUInt64LE(40));
  const textSize = Number(header.readBigUInt64LE(48));
  const checksum = header.readUInt32LE(56);
  if (textOffset === 0 || textSize === 0) throw guestDamage(what, 'it holds no metadata');
  const fits = textSize <= MAX_METADATA_TEXT && textSize <= area.size - MDA_HEADER_SIZE && textOffset < area.size
    && textOffset >= MDA_HEADER_SIZE;
  if (!fits) {
    throw guestDamage(what, `its text of ${textSize} bytes at ${textOffset} does not fit the ${area.size}-byte area`);
  }
  const firstPart = Math.min(textSize, area.size - textOffset);
  const parts = [await source.read(area.offset + textOffset, firstPart)];
  if (firstPart < textSize) parts.push(await source.read(area.offset + MDA_HEADER_SIZE, textSize - firstPart));
  const text = Buffer.concat(parts);
  if (lvmCrc(text) !== checksum) throw guestDamage(what, 'its metadata text checksum does not match');
  return text.toString('utf8');
}
