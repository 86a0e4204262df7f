/**
 * Bounds on what a blob read from a vault may declare, checked before it is decrypted or
 * decompressed: a blob's header states its plaintext length, and decompression allocates up
 * to that length, so a header declaring 4 GiB must be refused first. Each kind has its own
 * bound (a chunk never exceeds the vault's chunk size). See docs/FORMAT.md "Size caps".
 */
import { BLOB_HEADER_SIZE, BLOB_PLAIN_LENGTH_OFFSET } from './format-constants.ts';
import { corruptBlob } from './blob-codec.ts';

/** Throws CORRUPT naming `what` when the blob's declared plaintext length exceeds `maxPlain`. */
export function assertBlobPlainLength(bytes: Buffer, maxPlain: number, what: string): void {
  if (bytes.length < BLOB_HEADER_SIZE) return; // decodeBlob reports the short header
  const declared = bytes.readUInt32LE(BLOB_PLAIN_LENGTH_OFFSET);
  if (declared > maxPlain) {
    throw corruptBlob(what, `its header declares ${declared} bytes of plaintext, more than the ${maxPlain}-byte limit for this kind of blob`, { declaredLength: declared, limit: maxPlain });
  }
}
