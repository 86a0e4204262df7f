/**
 * VHDX log replay in memory. A header with a non-zero log guid means metadata updates sit
 * in the log and were never applied to the file. The spec (and qemu) require them to be
 * applied before the image is read; we must not modify the user's file, so the active
 * log sequence is applied to an in-memory overlay of the file instead.
 *
 * Log (circular, at the header's log offset, 4 KiB sectors). Entry header, 64 bytes:
 *   signature "loge" 0/4, checksum 4/4 (CRC-32C of the whole entry, this field as 0),
 *   entry length 8/4 (multiple of 4 KiB), tail 12/4 (log offset of the sequence's first
 *   entry), sequence number 16/8 (> 0), descriptor count 24/4, reserved 28/4,
 *   log guid 32/16 (must equal the header's), flushed file offset 48/8, last file offset 56/8
 * Descriptors from byte 64 (32 bytes each, spilling into following 4 KiB sectors):
 *   data "desc": trailing bytes 4/4, leading bytes 8/8, file offset 16/8, sequence 24/8
 *   zero "zero": reserved 4/4, zero length 8/8, file offset 16/8, sequence 24/8
 * Then one 4 KiB data sector per data descriptor, in order:
 *   signature "data" 0/4, sequence high 4/4, data 8/4084, sequence low 4092/4.
 *   The 4 KiB written = leading bytes (8) + data (4084) + trailing bytes (4).
 *
 * Active sequence: the valid entry with the highest sequence number, back to the entry its
 * tail names, every entry in between valid with consecutive sequence numbers. A torn
 * newest entry is simply invalid (the previous one is the head); a damaged entry inside
 * the active sequence is refused (BAD_IMAGE) rather than replaying part of it.
 */
import type { ImageFile } from '../image-file.ts';
import { badImage, truncatedImage, unsupportedImage } from '../image-error.ts';
import type { PositionedReader } from '../table-pages.ts';
import { crc32cWithZeroedField } from './crc32c.ts';
import { MiB, readU64LE } from './vhdx-layout.ts';
import type { VhdxHeader } from './vhdx-layout.ts';
import { LogOverlayFile } from './vhdx-log-overlay.ts';
import type { LogOperation } from './vhdx-log-overlay.ts';

const LOG_SECTOR = 4096;
/** Logs larger than this are not replayed in memory (Hyper-V and qemu use 1 MiB). */
const VHDX_MAX_REPLAY_LOG = 32 * MiB;
const ENTRY_HEADER_SIZE = 64;
const DESCRIPTOR_SIZE = 32;
const DATA_PAYLOAD = 4084;

interface LogEntry {
  position: number;
  length: number;
  tail: number;
  sequence: bigint;
  flushedFileOffset: number;
  lastFileOffset: number;
  operations: LogOperation[];
}

function refuse(file: ImageFile, problem: string): Error {
  return unsupportedImage(file.path, 'vhdx.log', `${problem}: open the image once with Hyper-V or qemu (qemu-img check -r all) to replay its log, then try again`);
}

/** Reads `length` bytes of the circular log starting at `position` (wrapping at the end). */
function circular(log: Buffer, position: number, length: number): Buffer {
  if (position + length <= log.length) return log.subarray(position, position + length);
  const first = log.length - position;
  return Buffer.concat([log.subarray(position), log.subarray(0, length - first)]);
}

/** The entry at `position`, or null when it is not a valid entry of this log. */
function parseLogEntry(log: Buffer, position: number, logGuid: Buffer): LogEntry | null {
  const head = circular(log, position, ENTRY_HEADER_SIZE);
  if (head.toString('latin1', 0, 4) !== 'loge') return null;
  const length = head.readUInt32LE(8);
  const tail = head.readUInt32LE(12);
  const sequence = head.readBigUInt64LE(16);
  const count = head.readUInt32LE(24);
  if (length === 0 || length % LOG_SECTOR !== 0 || length > log.length || sequence === 0n) return null;
  if (tail % LOG_SECTOR !== 0 || tail >= log.length) return null;
  if (!head.subarray(32, 48).equals(logGuid)) return null;
  const descriptorSectors = Math.ceil((ENTRY_HEADER_SIZE + count * DESCRIPTOR_SIZE) / LOG_SECTOR);
  const entry = circular(log, position, length);
  if (crc32cWithZeroedField(entry, 4) !== head.readUInt32LE(4)) return null;
  let dataSector = descriptorSectors;
  const operations: LogOperation[] = [];
  for (let i = 0; i < count; i += 1) {
    const at = ENTRY_HEADER_SIZE + i * DESCRIPTOR_SIZE;
    const kind = entry.toString('latin1', at, at + 4);
    const fileOffset = readU64LE(entry, at + 16);
    if (entry.readBigUInt64LE(at + 24) !== sequence || fileOffset % LOG_SECTOR !== 0) return null;
    if (kind === 'zero') {
      const zeroLength = readU64LE(entry, at + 8);
      if (zeroLength % LOG_SECTOR !== 0) return null;
      operations.push({ kind: 'zero', offset: fileOffset, length: zeroLength });
    } else if (kind === 'desc') {
      if ((dataSector + 1) * LOG_SECTOR > length) return null;
      const sector = entry.subarray(dataSector * LOG_SECTOR, (dataSector + 1) * LOG_SECTOR);
      const dataSequence = (BigInt(sector.readUInt32LE(4)) << 32n) | BigInt(sector.readUInt32LE(4092));
      if (sector.toString('latin1', 0, 4) !== 'data' || dataSequence !== sequence) return null;
      const data = Buffer.alloc(LOG_SECTOR);
      entry.copy(data, 0, at + 8, at + 16);
      sector.copy(data, 8, 8, 8 + DATA_PAYLOAD);
      entry.copy(data, 8 + DATA_PAYLOAD, at + 4, at + 8);
      operations.push({ kind: 'data', offset: fileOffset, data });
      dataSector += 1;
    } else {
      return null;
    }
  }
  return {
    position, length, tail, sequence, operations,
    flushedFileOffset: readU64LE(head, 48),
    lastFileOffset: readU64LE(head, 56),
  };
}

/**
 * The entries of the active sequence, oldest first; empty when the log holds no valid
 * entry; 'broken' when the newest entry's sequence has an invalid or missing entry.
 */
function activeSequence(log: Buffer, logGuid: Buffer): LogEntry[] | 'broken' {
  const valid = new Map<number, LogEntry>();
  let head: LogEntry | null = null;
  for (let position = 0; position < log.length; position += LOG_SECTOR) {
    const entry = parseLogEntry(log, position, logGuid);
    if (!entry) continue;
    valid.set(position, entry);
    if (!head || entry.sequence > head.sequence) head = entry;
  }
  if (!head) return [];
  const chain: LogEntry[] = [];
  let position = head.tail;
  let expected: bigint | null = null;
  for (let steps = 0; steps <= valid.size; steps += 1) {
    const entry = valid.get(position);
    if (!entry || (expected !== null && entry.sequence !== expected)) return 'broken';
    chain.push(entry);
    if (entry === head) return chain;
    expected = entry.sequence + 1n;
    position = (position + entry.length) % log.length;
  }
  return 'broken';
}

export async function replayLogInMemory(file: ImageFile, header: VhdxHeader): Promise<PositionedReader> {
  const { logOffset, logLength } = header;
  if (header.logVersion !== 0) throw unsupportedImage(file.path, 'vhdx.header.log_version', `log version ${header.logVersion} is not 0`);
  if (logLength === 0) return file;
  if (!Number.isSafeInteger(logOffset) || logOffset < MiB || logOffset % MiB !== 0 || logLength % MiB !== 0) {
    throw badImage(file.path, 'vhdx.header.log_offset', `log at ${logOffset} (${logLength} bytes) is not on 1 MiB boundaries`);
  }
  if (logLength > VHDX_MAX_REPLAY_LOG) throw refuse(file, `the ${logLength}-byte log is too large to replay in memory`);
  if (logOffset + logLength > file.size) throw truncatedImage(file.path, 'vhdx.log', logOffset, logLength, file.size);
  const log = await file.readAt(logOffset, logLength, 'vhdx.log');
  const sequence = activeSequence(log, header.logGuid);
  if (sequence === 'broken') {
    throw badImage(file.path, 'vhdx.log', 'the log is damaged: an entry of its newest sequence is missing or has a wrong checksum, so its changes cannot be replayed safely');
  }
  if (sequence.length === 0) return file;
  const newest = sequence[sequence.length - 1]!;
  for (const entry of sequence) {
    if (entry.flushedFileOffset > file.size) {
      throw badImage(file.path, 'vhdx.log.flushed_file_offset', `the log says the file held ${entry.flushedFileOffset} bytes, it has ${file.size}: the image was truncated`);
    }
  }
  const operations = sequence.flatMap((entry) => entry.operations);
  // The log may have grown the file: it is at least LastFileOffset long, rounded up to 1 MiB as qemu does.
  const grown = Number.isSafeInteger(newest.lastFileOffset) ? Math.ceil(newest.lastFileOffset / MiB) * MiB : 0;
  const size = Math.max(file.size, grown);
  return new LogOverlayFile(file, operations, size);
}
