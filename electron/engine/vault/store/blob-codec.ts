/**
 * The blob container shared by chunks, indexes, manifests and tombstones:
 *
 *   header (16 bytes): magic(8) | version u8 | codec u8 | flags u8 | reserved u8 | plainLength u32 LE
 *   payload, plain:     codec-encoded bytes
 *   payload, encrypted: nonce(12) | AES-256-GCM(codec-encoded bytes) | tag(16)
 *
 * AAD of an encrypted blob: version 1 (still read) the header alone; version 2 (written
 * today) the header followed by the UTF-8 binding ("chunk/<id>", "record/items/<id>", see
 * blob-binding.ts), so a blob only opens under the name it was written for.
 *
 * Encoding compresses first, then encrypts. Decoding checks magic, version, lengths and the
 * GCM tag and throws CORRUPT naming the blob (`what`) on any mismatch.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import {
  BLOB_CODEC_OFFSET, BLOB_FLAGS_OFFSET, BLOB_FORMAT_VERSION, BLOB_FORMAT_VERSION_BOUND, BLOB_FORMAT_VERSION_MAX,
  BLOB_HEADER_SIZE, BLOB_MAGIC_OFFSET, BLOB_MAGIC_SIZE,
  BLOB_PLAIN_LENGTH_OFFSET, BLOB_RESERVED_OFFSET, BLOB_VERSION_OFFSET, CODEC_NONE, CODEC_ZSTD, FLAG_ENCRYPTED,
  GCM_NONCE_SIZE, GCM_TAG_SIZE,
} from './format-constants.ts';
import { compressPayload, decompressPayload } from './blob-compression.ts';
import type { VaultKeys } from './vault-keys.ts';
import type { BlobBinding } from './blob-binding.ts';
import type { StageProfile } from './stage-profile.ts';

const MAX_PLAIN_LENGTH = 0xffffffff;

export interface BlobEncodeOptions {
  /** zstd level, or undefined to store uncompressed. */
  compressionLevel: number | undefined;
  keys: VaultKeys | undefined;
  /** Kind and id the blob is written for; authenticated in an encrypted blob. */
  binding: BlobBinding;
  /** Adds compression and encryption time when given. */
  profile?: StageProfile;
}

function additionalData(header: Buffer, version: number, binding: BlobBinding): Buffer {
  return version >= BLOB_FORMAT_VERSION_BOUND ? Buffer.concat([header, Buffer.from(binding, 'utf8')]) : header;
}

export function corruptBlob(what: string, problem: string, details: Record<string, unknown> = {}): LabvaultError {
  return new LabvaultError(ErrorCodes.CORRUPT, `${what} is damaged: ${problem}. Run a vault verify to see which recovery points are affected.`, { details: { blob: what, ...details } });
}

function writeHeader(magic: Buffer, version: number, codec: number, flags: number, plainLength: number): Buffer {
  const header = Buffer.alloc(BLOB_HEADER_SIZE);
  magic.copy(header, BLOB_MAGIC_OFFSET);
  header.writeUInt8(version, BLOB_VERSION_OFFSET);
  header.writeUInt8(codec, BLOB_CODEC_OFFSET);
  header.writeUInt8(flags, BLOB_FLAGS_OFFSET);
  header.writeUInt8(0, BLOB_RESERVED_OFFSET);
  header.writeUInt32LE(plainLength, BLOB_PLAIN_LENGTH_OFFSET);
  return header;
}

/** Encodes `plain` as a blob; returns the list of buffers to write (header first). */
export async function encodeBlob(magic: Buffer, plain: Buffer, options: BlobEncodeOptions): Promise<Buffer[]> {
  if (plain.length > MAX_PLAIN_LENGTH) throw new LabvaultError(ErrorCodes.INTERNAL, `Blob of ${plain.length} bytes exceeds the 4 GiB blob limit.`);
  const { codec, payload } = options.compressionLevel === undefined
    ? { codec: CODEC_NONE, payload: plain }
    : await compressPayload(plain, options.compressionLevel, options.profile);
  if (options.keys === undefined) return [writeHeader(magic, BLOB_FORMAT_VERSION, codec, 0, plain.length), payload];
  const start = options.profile === undefined ? 0n : process.hrtime.bigint();
  const header = writeHeader(magic, BLOB_FORMAT_VERSION_BOUND, codec, FLAG_ENCRYPTED, plain.length);
  const nonce = randomBytes(GCM_NONCE_SIZE);
  const cipher = createCipheriv('aes-256-gcm', options.keys.dataKey, nonce, { authTagLength: GCM_TAG_SIZE });
  cipher.setAAD(additionalData(header, BLOB_FORMAT_VERSION_BOUND, options.binding));
  const sealed = Buffer.concat([cipher.update(payload), cipher.final()]);
  options.profile?.end('encrypt', start, payload.length);
  return [header, nonce, sealed, cipher.getAuthTag()];
}

/** What a blob's header says, checked against the reader's expectations (readBlobHeader). */
export interface BlobHeader {
  version: number;
  codec: number;
  plainLength: number;
  encrypted: boolean;
}

/**
 * Checks a blob's header: magic, version, codec, that it is encrypted exactly when the vault
 * is, and that an encrypted payload can hold a nonce and a tag. Throws CORRUPT naming `what`.
 */
export function readBlobHeader(magic: Buffer, bytes: Buffer, keys: VaultKeys | undefined, what: string): BlobHeader {
  if (bytes.length < BLOB_HEADER_SIZE) throw corruptBlob(what, `only ${bytes.length} bytes, shorter than the ${BLOB_HEADER_SIZE}-byte header`);
  if (!bytes.subarray(BLOB_MAGIC_OFFSET, BLOB_MAGIC_OFFSET + BLOB_MAGIC_SIZE).equals(magic)) throw corruptBlob(what, 'wrong magic (not a blob of the expected kind)');
  const version = bytes.readUInt8(BLOB_VERSION_OFFSET);
  if (version === 0 || version > BLOB_FORMAT_VERSION_MAX) throw corruptBlob(what, `unknown blob format version ${version}`);
  const codec = bytes.readUInt8(BLOB_CODEC_OFFSET);
  if (codec !== CODEC_NONE && codec !== CODEC_ZSTD) throw corruptBlob(what, `unknown codec ${codec}`);
  const flags = bytes.readUInt8(BLOB_FLAGS_OFFSET);
  const plainLength = bytes.readUInt32LE(BLOB_PLAIN_LENGTH_OFFSET);
  const encrypted = (flags & FLAG_ENCRYPTED) !== 0;
  if (encrypted && keys === undefined) throw corruptBlob(what, 'it is encrypted but the vault is opened without keys');
  if (!encrypted && keys !== undefined) throw corruptBlob(what, 'it is not encrypted in an encrypted vault (possible tampering)');
  if (encrypted && bytes.length - BLOB_HEADER_SIZE < GCM_NONCE_SIZE + GCM_TAG_SIZE) throw corruptBlob(what, 'encrypted payload shorter than nonce and tag');
  return { version, codec, plainLength, encrypted };
}

/** The GCM additional data of an encrypted blob: its header, and from version 2 its binding. */
export function blobAdditionalData(bytes: Buffer, version: number, binding: BlobBinding): Buffer {
  return additionalData(bytes.subarray(0, BLOB_HEADER_SIZE), version, binding);
}

/** Why an encrypted blob failed authentication, worded for its version. */
export function authenticationProblem(version: number, binding: BlobBinding): string {
  return version >= BLOB_FORMAT_VERSION_BOUND
    ? `authentication failed as ${binding} (modified, damaged, or a sealed file copied from another name)`
    : 'authentication failed (modified or damaged ciphertext)';
}

/**
 * Decodes a blob read from disk. `what` names it in errors ("chunk 3fa4... (path)"); `binding`
 * is the kind and id it is read as (checked for encrypted blobs of version 2). With
 * `decryptInto` (at least as long as `bytes`, which it may be: the blob is no longer needed
 * once authenticated), an encrypted payload is decrypted into it, so a shared read buffer
 * stays shared and the hash workers read the plaintext in place instead of a copy of it.
 */
export async function decodeBlob(
  magic: Buffer, bytes: Buffer, keys: VaultKeys | undefined, what: string, binding: BlobBinding,
  profile?: StageProfile, decryptInto?: Buffer,
): Promise<Buffer> {
  const { version, codec, plainLength } = readBlobHeader(magic, bytes, keys, what);
  let payload = bytes.subarray(BLOB_HEADER_SIZE);
  if (keys !== undefined) {
    const start = profile === undefined ? 0n : process.hrtime.bigint();
    try {
      const decipher = createDecipheriv('aes-256-gcm', keys.dataKey, payload.subarray(0, GCM_NONCE_SIZE), { authTagLength: GCM_TAG_SIZE });
      decipher.setAAD(blobAdditionalData(bytes, version, binding));
      decipher.setAuthTag(payload.subarray(payload.length - GCM_TAG_SIZE));
      const sealed = payload.subarray(GCM_NONCE_SIZE, payload.length - GCM_TAG_SIZE);
      const opened = decipher.update(sealed);
      const rest = decipher.final();
      if (decryptInto !== undefined && opened.length + rest.length <= decryptInto.length) {
        opened.copy(decryptInto, 0);
        rest.copy(decryptInto, opened.length);
        payload = decryptInto.subarray(0, opened.length + rest.length);
      } else {
        payload = rest.length === 0 ? opened : Buffer.concat([opened, rest]);
      }
    } catch {
      throw corruptBlob(what, authenticationProblem(version, binding));
    }
    profile?.end('decrypt', start, payload.length);
  }
  let plain: Buffer;
  try {
    plain = await decompressPayload(codec, payload, plainLength, profile);
  } catch (error) {
    throw corruptBlob(what, `zstd frame does not decompress (${error instanceof Error ? error.message : String(error)})`);
  }
  if (plain.length !== plainLength) throw corruptBlob(what, `decoded ${plain.length} bytes, header says ${plainLength}`);
  return plain;
}
