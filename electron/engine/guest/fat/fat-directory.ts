/**
 * FAT directory entries: 8.3 names (code page 437, the NT lowercase flags of byte 0x0C,
 * 0x05 standing for 0xE5), long names (UTF-16 pieces in reverse order, each with its
 * sequence number and the checksum of the 8.3 entry they belong to: a broken or orphaned
 * sequence falls back to the 8.3 name, as Windows does), attributes and the modification
 * time (local time as stored, read as UTC; 2-second precision).
 */
import { guestDamage } from '../guest-errors.ts';
import { decodeCp437 } from './code-page-437.ts';

export const FatAttributes = {
  READ_ONLY: 0x01, HIDDEN: 0x02, SYSTEM: 0x04, VOLUME_LABEL: 0x08, DIRECTORY: 0x10, ARCHIVE: 0x20, LONG_NAME: 0x0f,
} as const;

const LOWERCASE_BASE = 0x08;
const LOWERCASE_EXTENSION = 0x10;
/** Characters of a long name: 20 pieces of 13 (the specification's limit is 255). */
const MAX_LONG_PIECES = 20;

export interface FatDirent {
  name: string;
  /** The 8.3 name as stored (upper case, for messages). */
  shortName: string;
  attributes: number;
  firstCluster: number;
  size: number;
  mtimeMs: number;
}

/** A FAT date and time (local time as stored) as ms since the epoch, read as UTC; 0 when unset or impossible. */
export function fatTimeMs(date: number, time: number): number {
  if (date === 0) return 0;
  const year = 1980 + (date >> 9);
  const month = (date >> 5) & 0x0f;
  const day = date & 0x1f;
  const hours = time >> 11;
  const minutes = (time >> 5) & 0x3f;
  const seconds = (time & 0x1f) * 2;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hours > 23 || minutes > 59 || seconds > 59) return 0;
  return Date.UTC(year, month - 1, day, hours, minutes, seconds);
}

/** The checksum long-name entries carry of their 8.3 entry's 11 name bytes. */
export function shortNameChecksum(raw: Buffer): number {
  let sum = 0;
  for (let i = 0; i < 11; i += 1) sum = ((((sum & 1) << 7) | (sum >> 1)) + (raw[i] as number)) & 0xff;
  return sum;
}

function shortName(entry: Buffer): { display: string; stored: string } {
  const base = Buffer.from(entry.subarray(0, 8));
  if (base[0] === 0x05) base[0] = 0xe5;
  let name = decodeCp437(base).replace(/ +$/, '');
  let extension = decodeCp437(entry.subarray(8, 11)).replace(/ +$/, '');
  const stored = extension === '' ? name : `${name}.${extension}`;
  const caseFlags = entry[12] as number;
  if ((caseFlags & LOWERCASE_BASE) !== 0) name = name.toLowerCase();
  if ((caseFlags & LOWERCASE_EXTENSION) !== 0) extension = extension.toLowerCase();
  return { display: extension === '' ? name : `${name}.${extension}`, stored };
}

/** The 13 UTF-16 units of a long-name entry, up to its terminating 0x0000. */
function longPiece(entry: Buffer): { text: string; ended: boolean } {
  const units = Buffer.concat([entry.subarray(1, 11), entry.subarray(14, 26), entry.subarray(28, 32)]);
  let text = '';
  for (let at = 0; at < units.length; at += 2) {
    const unit = units.readUInt16LE(at);
    if (unit === 0) return { text, ended: true };
    text += String.fromCharCode(unit);
  }
  return { text, ended: false };
}

interface PendingLongName {
  checksum: number;
  /** The sequence number the next piece must carry. */
  expect: number;
  /** Pieces in the order met (last piece of the name first). */
  pieces: string[];
}

/**
 * Parses directory bytes (a whole directory: the fixed root or its cluster chain) into
 * entries, skipping deleted entries, "." and "..", volume labels, and stopping at the end
 * marker. `label` receives the volume label entry when one is met (the root directory's).
 */
export function parseFatDirectory(bytes: Buffer, where: string): { entries: FatDirent[]; label?: string } {
  const entries: FatDirent[] = [];
  let label: string | undefined;
  let pending: PendingLongName | undefined;
  for (let at = 0; at + 32 <= bytes.length; at += 32) {
    const entry = bytes.subarray(at, at + 32);
    const first = entry[0] as number;
    if (first === 0x00) break;
    if (first === 0xe5) {
      pending = undefined;
      continue;
    }
    const attributes = entry[11] as number;
    if ((attributes & 0x3f) === FatAttributes.LONG_NAME) {
      const sequence = first & 0x1f;
      const checksum = entry[13] as number;
      if ((first & 0x40) !== 0) {
        pending = sequence >= 1 && sequence <= MAX_LONG_PIECES && (first & 0x80) === 0
          ? { checksum, expect: sequence, pieces: [] } : undefined;
      }
      if (!pending || sequence !== pending.expect || checksum !== pending.checksum) {
        pending = undefined;
        continue;
      }
      pending.pieces.push(longPiece(entry).text);
      pending.expect -= 1;
      continue;
    }
    const long = pending;
    pending = undefined;
    if ((attributes & FatAttributes.VOLUME_LABEL) !== 0) {
      if ((attributes & FatAttributes.DIRECTORY) === 0) label ??= decodeCp437(entry.subarray(0, 11)).replace(/ +$/, '');
      continue;
    }
    const names = shortName(entry);
    if (names.stored === '.' || names.stored === '..') continue;
    const name = long && long.expect === 0 && long.checksum === shortNameChecksum(entry)
      ? long.pieces.reverse().join('') : names.display;
    if (name === '' || name.includes('/') || name.includes('\0')) throw guestDamage(`A FAT directory entry in ${where}`, `its name ${JSON.stringify(name)} is not a file name`);
    const firstCluster = ((entry.readUInt16LE(20) << 16) | entry.readUInt16LE(26)) >>> 0;
    entries.push({
      name, shortName: names.stored, attributes, firstCluster, size: entry.readUInt32LE(28),
      mtimeMs: fatTimeMs(entry.readUInt16LE(24), entry.readUInt16LE(22)),
    });
  }
  return label === undefined ? { entries } : { entries, label };
}
