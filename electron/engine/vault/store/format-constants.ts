/**
 * Every magic number and fixed size of the vault store's on-disk format, in one place.
 *
 * DO NOT MODIFY any value in this file: vaults written by earlier versions must keep
 * reading. A format change adds NEW constants (and a new format version) next to these.
 *
 * Magics are the first 8 bytes of SHA-256 of a descriptive string (shown beside each), so
 * they are unlikely to collide with any other file type. Recompute with:
 *   node -p "require('crypto').createHash('sha256').update('<string>').digest('hex').slice(0, 16)"
 */

/** SHA-256('labvault chunk blob v1')[0..8] */
export const CHUNK_BLOB_MAGIC: Buffer = Buffer.from('6aea1f073d7d69a7', 'hex');
/** SHA-256('labvault fixed index blob v1')[0..8] */
export const INDEX_BLOB_MAGIC: Buffer = Buffer.from('8be5a9f780f3c5dc', 'hex');
/** SHA-256('labvault manifest blob v1')[0..8] */
export const MANIFEST_BLOB_MAGIC: Buffer = Buffer.from('cd53df553a7920a1', 'hex');
/** SHA-256('labvault tombstone blob v1')[0..8] */
export const TOMBSTONE_BLOB_MAGIC: Buffer = Buffer.from('5061cd0b38ba4c43', 'hex');

/** Blob format version 1: an encrypted blob's AAD is its 16-byte header alone. Still read. */
export const BLOB_FORMAT_VERSION = 1;
/**
 * Blob format version 2, written for encrypted blobs: the AAD is the header followed by the
 * blob's binding (its kind and id, e.g. "chunk/<id>"), so a sealed file copied over another
 * fails authentication. Plain blobs are still written as version 1 (they carry no AAD).
 */
export const BLOB_FORMAT_VERSION_BOUND = 2;
/** Highest blob format version readers accept. */
export const BLOB_FORMAT_VERSION_MAX = 2;

/** Blob header: magic(8) version(1) codec(1) flags(1) reserved(1) plainLength(u32 LE). */
export const BLOB_HEADER_SIZE = 16;
export const BLOB_MAGIC_OFFSET = 0;
export const BLOB_MAGIC_SIZE = 8;
export const BLOB_VERSION_OFFSET = 8;
export const BLOB_CODEC_OFFSET = 9;
export const BLOB_FLAGS_OFFSET = 10;
export const BLOB_RESERVED_OFFSET = 11;
export const BLOB_PLAIN_LENGTH_OFFSET = 12;

/** Codec byte values. */
export const CODEC_NONE = 0;
export const CODEC_ZSTD = 1;

/** Flag bits. */
export const FLAG_ENCRYPTED = 0x01;

/** AES-256-GCM: 96-bit nonce before the ciphertext, 128-bit tag after it. */
export const GCM_NONCE_SIZE = 12;
export const GCM_TAG_SIZE = 16;
export const KEY_SIZE = 32;

/** Chunk ids and index ids: 32 bytes (SHA-256 or HMAC-SHA256), 64 hex characters. */
export const DIGEST_SIZE = 32;

/** Fixed index plaintext: chunkSize u32, reserved u32, fileSize u64, count u64, ids. */
export const INDEX_HEADER_SIZE = 24;
export const INDEX_CHUNK_SIZE_OFFSET = 0;
export const INDEX_RESERVED_OFFSET = 4;
export const INDEX_FILE_SIZE_OFFSET = 8;
export const INDEX_COUNT_OFFSET = 16;

/** HKDF info strings deriving sub-keys from the master key. */
export const HKDF_INFO_DATA_KEY = 'labvault data key v1';
export const HKDF_INFO_MAC_KEY = 'labvault chunk id mac key v1';
/** HKDF info of the key authenticating vault.json's identity and settings (HMAC-SHA256). */
export const HKDF_INFO_SETTINGS_KEY = 'labvault vault settings mac key v1';
/** Additional authenticated data when wrapping the master key with the passphrase key. */
export const KEY_WRAP_AAD = 'labvault master key wrap v1';
/** Key-wrap AAD once vault.json's settings are authenticated (store.encryption.settingsBound). */
export const KEY_WRAP_AAD_SETTINGS_BOUND = 'labvault master key wrap v2 settings authenticated';
