/**
 * LZNT1, the compression of NTFS compressed files: a compression unit is a series of chunks
 * of at most 4096 bytes out, each with a 2-byte header (size, compressed flag); a compressed
 * chunk is groups of a flag byte and eight literals or back-references whose split of
 * length and offset bits depends on the position inside the chunk. Every reference is
 * checked to point inside what was already written; output never passes `limit`.
 */
import { check } from '../guest-errors.ts';

const CHUNK = 4096;
const STRUCTURE = 'An LZNT1 compressed block';

function decompressChunk(input: Buffer, start: number, end: number, out: Buffer, outStart: number,
  outEnd: number): number {
  let at = start;
  let pos = outStart;
  const chunkEnd = Math.min(outEnd, outStart + CHUNK);
  while (at < end && pos < chunkEnd) {
    const flags = input[at] as number;
    at += 1;
    for (let bit = 0; bit < 8 && at < end && pos < chunkEnd; bit += 1) {
      if ((flags & (1 << bit)) === 0) {
        out[pos] = input[at] as number;
        pos += 1;
        at += 1;
        continue;
      }
      check(at + 2 <= end, STRUCTURE, 'a back-reference is cut off');
      const token = input.readUInt16LE(at);
      at += 2;
      let lengthMask = 0x0fff;
      let offsetShift = 12;
      for (let p = pos - outStart - 1; p >= 0x10; p >>= 1) {
        lengthMask >>= 1;
        offsetShift -= 1;
      }
      const length = (token & lengthMask) + 3;
      const offset = (token >> offsetShift) + 1;
      check(offset <= pos - outStart, STRUCTURE, 'a back-reference points before its chunk');
      for (let i = 0; i < length && pos < chunkEnd; i += 1) {
        out[pos] = out[pos - offset] as number;
        pos += 1;
      }
    }
  }
  return pos;
}

/** Decompresses one compression unit into a buffer of `limit` bytes (zeros past the data). */
export function decompressLznt1(input: Buffer, limit: number): Buffer {
  const out = Buffer.alloc(limit);
  let at = 0;
  let pos = 0;
  while (at + 2 <= input.length && pos < limit) {
    const header = input.readUInt16LE(at);
    if (header === 0) break;
    const size = (header & 0x0fff) + 1;
    check(at + 2 + size <= input.length, STRUCTURE, 'a chunk goes past the end of its unit');
    if ((header & 0x8000) === 0) {
      const take = Math.min(size, limit - pos, CHUNK);
      input.copy(out, pos, at + 2, at + 2 + take);
      pos += CHUNK;
    } else {
      decompressChunk(input, at + 2, at + 2 + size, out, pos, limit);
      // Every chunk but the last decompresses to a whole 4096 bytes.
      pos += CHUNK;
    }
    at += 2 + size;
  }
  return out;
}
