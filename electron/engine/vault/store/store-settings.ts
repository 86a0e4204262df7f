/**
 * The parts of vault.json the store needs. The integrator keeps a `StoreSettings` object
 * inside vault.json under `store` and passes it back to `VaultStore.open`.
 */
import { invalidInput } from '../../../../shared/errors.ts';

export type CompressionSetting = 'none' | 'zstd';

/** Passphrase-based key wrapping parameters; everything here is safe to store in clear. */
export interface EncryptionSettings {
  kdf: 'scrypt';
  /** scrypt cost parameters. N must be a power of two. */
  n: number;
  r: number;
  p: number;
  /** KDF salt, base64 (16 random bytes). */
  salt: string;
  /** The 256-bit master key sealed with AES-256-GCM: base64 of nonce(12) | ciphertext(32) | tag(16). */
  wrappedKey: string;
  /**
   * True once vault.json carries a settingsMac: the master key is then wrapped with the AAD
   * "labvault master key wrap v2 settings authenticated". Absent in vaults made before.
   */
  settingsBound?: true;
}

export interface StoreSettings {
  /** Fixed chunk size in bytes; a power of two between 64 KiB and 16 MiB. Default 1 MiB. */
  chunkSize: number;
  compression: CompressionSetting;
  /** zstd level 1..19 (default 3). */
  compressionLevel?: number;
  /** Present iff the vault is encrypted. */
  encryption?: EncryptionSettings;
}

export const DEFAULT_CHUNK_SIZE = 1024 * 1024;
export const DEFAULT_COMPRESSION_LEVEL = 3;
export const MIN_CHUNK_SIZE = 64 * 1024;
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
/**
 * Bounds on scrypt parameters read from vault.json (Labvault writes N = 2^16, r = 8, p = 2; before, 2^17, 8, 1):
 * a vault file must not make unlocking take minutes or gigabytes. scrypt needs 128·N·r bytes.
 */
export const SCRYPT_LIMITS = { minN: 1024, maxN: 1 << 20, maxR: 32, maxP: 16, maxMemory: 1024 * 1024 * 1024 } as const;
export const SALT_BYTES = 16;
/** nonce(12) | wrapped master key(32) | tag(16). */
export const WRAPPED_KEY_BYTES = 60;

/** The broken bound of scrypt parameters, or null when they are acceptable. */
export function scryptParamsProblem(n: number, r: number, p: number): string | null {
  const { minN, maxN, maxR, maxP, maxMemory } = SCRYPT_LIMITS;
  if (!Number.isInteger(n) || n < minN || n > maxN || (n & (n - 1)) !== 0) return `n must be a power of two from ${minN} to ${maxN}`;
  if (!Number.isInteger(r) || r < 1 || r > maxR) return `r must be an integer from 1 to ${maxR}`;
  if (!Number.isInteger(p) || p < 1 || p > maxP) return `p must be an integer from 1 to ${maxP}`;
  if (128 * n * r > maxMemory) return `n and r together need ${128 * n * r} bytes, more than the ${maxMemory}-byte limit`;
  return null;
}

export function defaultStoreSettings(): StoreSettings {
  return { chunkSize: DEFAULT_CHUNK_SIZE, compression: 'zstd', compressionLevel: DEFAULT_COMPRESSION_LEVEL };
}

/** Checks settings read back from vault.json; throws INVALID_INPUT naming the field. */
export function validateStoreSettings(settings: StoreSettings): StoreSettings {
  const size = settings.chunkSize;
  if (!Number.isInteger(size) || size < MIN_CHUNK_SIZE || size > MAX_CHUNK_SIZE || (size & (size - 1)) !== 0) {
    throw invalidInput('store.chunkSize', `store.chunkSize ${String(size)} must be a power of two between ${MIN_CHUNK_SIZE} and ${MAX_CHUNK_SIZE} bytes.`);
  }
  if (settings.compression !== 'none' && settings.compression !== 'zstd') {
    throw invalidInput('store.compression', `store.compression "${String(settings.compression)}" must be "none" or "zstd".`);
  }
  const level = settings.compressionLevel;
  if (level !== undefined && (!Number.isInteger(level) || level < 1 || level > 19)) {
    throw invalidInput('store.compressionLevel', `store.compressionLevel ${String(level)} must be an integer from 1 to 19.`);
  }
  const enc = settings.encryption;
  if (enc !== undefined) {
    if (enc.kdf !== 'scrypt') throw invalidInput('store.encryption.kdf', `store.encryption.kdf "${String(enc.kdf)}" is not supported (only "scrypt").`);
    const kdfProblem = scryptParamsProblem(enc.n, enc.r, enc.p);
    if (kdfProblem !== null) throw invalidInput('store.encryption', `store.encryption: scrypt ${kdfProblem}.`);
    if (typeof enc.salt !== 'string' || typeof enc.wrappedKey !== 'string') throw invalidInput('store.encryption.salt', 'store.encryption.salt and .wrappedKey must be base64 strings.');
  }
  return settings;
}
