/**
 * ext directory entries, read linearly from each directory block: this covers linear and
 * htree directories alike (an htree's index lives in entries with inode 0 and in the ".."
 * entry's record, which a linear read steps over), and inline directories (the parent
 * inode number, then entries in i_block and in system.data).
 */
import { guestDamage } from '../guest-errors.ts';
import type { GuestEntryType } from '../guest-filesystem.ts';

export interface ExtDirent {
  ino: number;
  name: string;
  /** From the entry's file type byte when the filesystem records it. */
  type?: GuestEntryType;
}

const FILE_TYPES: Record<number, GuestEntryType> = { 1: 'file', 2: 'dir', 7: 'symlink', 3: 'other', 4: 'other', 5: 'other', 6: 'other' };
const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Appends the entries of one directory block (or inline area) to `out`, without "." and
 * "..". Throws GUEST_UNREADABLE naming the directory when a record is malformed.
 */
export function parseDirectoryBlock(block: Buffer, hasFileType: boolean, dirIno: number, inodesCount: number,
  out: ExtDirent[]): void {
  let at = 0;
  while (at + 8 <= block.length) {
    const ino = block.readUInt32LE(at);
    const recordLength = block.readUInt16LE(at + 4);
    const nameLength = hasFileType ? (block[at + 6] ?? 0) : block.readUInt16LE(at + 6);
    if (recordLength < 8 || recordLength % 4 !== 0 || at + recordLength > block.length) {
      throw guestDamage(`The ext directory of inode ${dirIno}`, `a record at +${at} has length ${recordLength}`);
    }
    if (ino !== 0) {
      if (8 + nameLength > recordLength) throw guestDamage(`The ext directory of inode ${dirIno}`, `a name at +${at} runs past its record`);
      if (ino > inodesCount) throw guestDamage(`The ext directory of inode ${dirIno}`, `an entry names inode ${ino}, past ${inodesCount}`);
      const raw = block.subarray(at + 8, at + 8 + nameLength);
      const name = decoder.decode(raw);
      if (nameLength === 0 || raw.includes(0x2f) || raw.includes(0)) {
        throw guestDamage(`The ext directory of inode ${dirIno}`, `an entry has the impossible name ${JSON.stringify(name)}`);
      }
      if (name !== '.' && name !== '..') {
        const type = hasFileType ? FILE_TYPES[block[at + 7] ?? 0] : undefined;
        out.push(type === undefined ? { ino, name } : { ino, name, type });
      }
    }
    at += recordLength;
  }
}
