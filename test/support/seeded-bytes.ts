/** Deterministic test data and in-place writes into files, shared by the speed tests. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';

/** `length` bytes that look random, the same for the same seed (SHA-256 of "<seed>-<n>" in a row). */
export function seededBytes(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let at = 0, n = 0; at < length; n += 1) at += createHash('sha256').update(`${seed}-${n}`).digest().copy(out, at);
  return out;
}

/** Writes `data` into the existing file at `offset` (the inode kept, nothing else touched). */
export function writeAt(path: string, offset: number, data: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, data, 0, data.length, offset);
  } finally {
    closeSync(fd);
  }
}
