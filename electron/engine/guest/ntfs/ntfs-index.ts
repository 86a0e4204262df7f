/**
 * $I30 directory indexes: the node header and entries shared by $INDEX_ROOT and INDX blocks
 * of $INDEX_ALLOCATION. Each entry names a file (its FILE_NAME as the key) and may point to
 * a child node by VCN; the last entry carries no key. Offsets are checked against the node.
 */
import { check } from '../guest-errors.ts';
import { fileReference, parseFileName, readSafe } from './ntfs-record.ts';
import type { FileNameValue } from './ntfs-record.ts';

const HAS_SUBNODE = 0x1;
const LAST_ENTRY = 0x2;

export interface IndexEntry {
  record: number;
  sequence: number;
  key?: FileNameValue;
  /** VCN of the child node holding the keys before this one. */
  child?: number;
}

export interface IndexNode {
  entries: IndexEntry[];
}

/** The entries of the node whose header starts at `headerAt` of `bytes`. */
export function parseIndexNode(bytes: Buffer, headerAt: number, what: string): IndexNode {
  check(headerAt + 16 <= bytes.length, what, 'its node header is cut off');
  const entriesOffset = bytes.readUInt32LE(headerAt);
  const indexLength = bytes.readUInt32LE(headerAt + 4);
  const end = headerAt + indexLength;
  check(entriesOffset >= 16 && headerAt + entriesOffset <= end && end <= bytes.length, what, 'its node sizes are impossible');
  const entries: IndexEntry[] = [];
  let at = headerAt + entriesOffset;
  for (;;) {
    check(at + 16 <= end, what, 'an index entry goes past the end of its node');
    const length = bytes.readUInt16LE(at + 8);
    const keyLength = bytes.readUInt16LE(at + 10);
    const flags = bytes.readUInt16LE(at + 12);
    check(length >= 16 && length % 8 === 0 && at + length <= end, what, `an index entry of ${length} bytes does not fit`);
    const entry: IndexEntry = { ...fileReference(bytes, at) };
    if ((flags & HAS_SUBNODE) !== 0) {
      check(length >= 24, what, 'an index entry has no room for its child VCN');
      entry.child = readSafe(bytes, at + length - 8, what);
    }
    if ((flags & LAST_ENTRY) === 0) {
      check(16 + keyLength <= length - ((flags & HAS_SUBNODE) !== 0 ? 8 : 0), what, 'an index key is longer than its entry');
      entry.key = parseFileName(bytes.subarray(at + 16, at + 16 + keyLength), what);
    }
    entries.push(entry);
    if ((flags & LAST_ENTRY) !== 0) break;
    at += length;
  }
  return { entries };
}
