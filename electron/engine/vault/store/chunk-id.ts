/**
 * Content ids of chunks and indexes: SHA-256 of the plaintext, or HMAC-SHA256 with the
 * vault's MAC key when the vault is encrypted (so ids reveal nothing about content).
 * Chunks are hashed in worker threads (ChunkWorkerPool); this synchronous form is for
 * small things (indexes).
 */
import { createHash, createHmac } from 'node:crypto';
import { DIGEST_SIZE } from './format-constants.ts';
import type { VaultKeys } from './vault-keys.ts';

/** The id written in an index for an all-zero chunk. Such chunks are never stored or hashed. */
export const ZERO_CHUNK_ID: Buffer = Buffer.alloc(DIGEST_SIZE);
export const ZERO_CHUNK_HEX: string = ZERO_CHUNK_ID.toString('hex');

export function contentDigest(data: Uint8Array, keys: VaultKeys | undefined): Buffer {
  return (keys === undefined ? createHash('sha256') : createHmac('sha256', keys.macKey)).update(data).digest();
}

export function isZeroId(id: Uint8Array): boolean {
  return ZERO_CHUNK_ID.equals(id);
}

/** True when every byte of `data` is zero: one memcmp against a shared zero buffer. */
export function isAllZero(data: Buffer, zeros: Buffer): boolean {
  if (data.length <= zeros.length) return data.equals(zeros.subarray(0, data.length));
  for (let offset = 0; offset < data.length; offset += zeros.length) {
    const end = Math.min(offset + zeros.length, data.length);
    if (!data.subarray(offset, end).equals(zeros.subarray(0, end - offset))) return false;
  }
  return true;
}
