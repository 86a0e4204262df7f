/**
 * Vault encryption keys. A passphrase goes through scrypt to a key-encryption key (KEK)
 * that unwraps a random 256-bit master key (AES-256-GCM). The master key never changes,
 * so a passphrase change only re-wraps it. From the master key HKDF-SHA256 derives:
 *  - the data key (AES-256-GCM, one random 96-bit nonce per blob), and
 *  - the MAC key (HMAC-SHA256) that makes chunk and index ids keyed, so ids leak no content.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, scrypt as scryptCallback, hkdf as hkdfCallback } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { ErrorCodes, LabvaultError, invalidInput } from '../../../../shared/errors.ts';
import { GCM_NONCE_SIZE, GCM_TAG_SIZE, HKDF_INFO_DATA_KEY, HKDF_INFO_MAC_KEY, KEY_SIZE, KEY_WRAP_AAD } from './format-constants.ts';
import type { EncryptionSettings } from './store-settings.ts';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;
const hkdf = promisify(hkdfCallback);

/** Unlocked keys of an encrypted vault. Keep in memory only; never write them. */
export interface VaultKeys {
  /** AES-256-GCM key sealing every blob (chunks, indexes, manifests). */
  readonly dataKey: KeyObject;
  /** HMAC-SHA256 key for chunk and index ids (a KeyObject, so hash workers can receive it). */
  readonly macKey: KeyObject;
}

export interface KdfParams {
  n: number;
  r: number;
  p: number;
}

/** Default scrypt cost: N=2^17, r=8, p=1 (128 MiB, about 0.3 s here). */
export const DEFAULT_KDF_PARAMS: KdfParams = { n: 1 << 17, r: 8, p: 1 };
const SALT_SIZE = 16;

async function deriveKek(passphrase: string, settings: Pick<EncryptionSettings, 'n' | 'r' | 'p' | 'salt'>): Promise<Buffer> {
  if (passphrase.length === 0) throw invalidInput('passphrase', 'The passphrase must not be empty.');
  const maxmem = 128 * settings.n * settings.r + 64 * 1024 * 1024;
  return scrypt(passphrase.normalize('NFC'), Buffer.from(settings.salt, 'base64'), KEY_SIZE, { N: settings.n, r: settings.r, p: settings.p, maxmem });
}

function wrapMasterKey(kek: Buffer, master: Buffer): string {
  const nonce = randomBytes(GCM_NONCE_SIZE);
  const cipher = createCipheriv('aes-256-gcm', kek, nonce);
  cipher.setAAD(Buffer.from(KEY_WRAP_AAD));
  const body = Buffer.concat([cipher.update(master), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
}

function unwrapMasterKey(kek: Buffer, wrapped: string): Buffer {
  const raw = Buffer.from(wrapped, 'base64');
  if (raw.length !== GCM_NONCE_SIZE + KEY_SIZE + GCM_TAG_SIZE) {
    throw new LabvaultError(ErrorCodes.CORRUPT, `store.encryption.wrappedKey has ${raw.length} bytes, expected ${GCM_NONCE_SIZE + KEY_SIZE + GCM_TAG_SIZE}: vault.json is damaged.`, { field: 'store.encryption.wrappedKey' });
  }
  const decipher = createDecipheriv('aes-256-gcm', kek, raw.subarray(0, GCM_NONCE_SIZE));
  decipher.setAAD(Buffer.from(KEY_WRAP_AAD));
  decipher.setAuthTag(raw.subarray(GCM_NONCE_SIZE + KEY_SIZE));
  try {
    return Buffer.concat([decipher.update(raw.subarray(GCM_NONCE_SIZE, GCM_NONCE_SIZE + KEY_SIZE)), decipher.final()]);
  } catch {
    throw new LabvaultError(ErrorCodes.BAD_PASSPHRASE, 'The passphrase is wrong for this vault. Nothing was changed.', { field: 'passphrase' });
  }
}

async function keysFromMaster(master: Buffer): Promise<VaultKeys> {
  const dataRaw = Buffer.from(await hkdf('sha256', master, Buffer.alloc(0), HKDF_INFO_DATA_KEY, KEY_SIZE));
  const macRaw = Buffer.from(await hkdf('sha256', master, Buffer.alloc(0), HKDF_INFO_MAC_KEY, KEY_SIZE));
  const dataKey = createSecretKey(dataRaw);
  const macKey = createSecretKey(macRaw);
  dataRaw.fill(0);
  macRaw.fill(0);
  return { dataKey, macKey };
}

/** Makes a new master key and wraps it with `passphrase`. Store `settings` in vault.json. */
export async function createEncryption(passphrase: string, params: KdfParams = DEFAULT_KDF_PARAMS): Promise<{ settings: EncryptionSettings; keys: VaultKeys }> {
  const salt = randomBytes(SALT_SIZE).toString('base64');
  const base = { kdf: 'scrypt' as const, n: params.n, r: params.r, p: params.p, salt };
  const kek = await deriveKek(passphrase, base);
  const master = randomBytes(KEY_SIZE);
  const settings: EncryptionSettings = { ...base, wrappedKey: wrapMasterKey(kek, master) };
  const keys = await keysFromMaster(master);
  master.fill(0);
  kek.fill(0);
  return { settings, keys };
}

/** Unlocks a vault. Wrong passphrase: LabvaultError BAD_PASSPHRASE. */
export async function unlock(settings: EncryptionSettings, passphrase: string): Promise<VaultKeys> {
  const kek = await deriveKek(passphrase, settings);
  const master = unwrapMasterKey(kek, settings.wrappedKey);
  kek.fill(0);
  const keys = await keysFromMaster(master);
  master.fill(0);
  return keys;
}

/**
 * Re-wraps the master key under a new passphrase (new salt). Returns new settings for
 * vault.json; no data is rewritten. A wrong `oldPassphrase` throws BAD_PASSPHRASE.
 */
export async function changePassphrase(settings: EncryptionSettings, oldPassphrase: string, newPassphrase: string, params: KdfParams = settings): Promise<EncryptionSettings> {
  const oldKek = await deriveKek(oldPassphrase, settings);
  const master = unwrapMasterKey(oldKek, settings.wrappedKey);
  const salt = randomBytes(SALT_SIZE).toString('base64');
  const base = { kdf: 'scrypt' as const, n: params.n, r: params.r, p: params.p, salt };
  const newKek = await deriveKek(newPassphrase, base);
  const next: EncryptionSettings = { ...base, wrappedKey: wrapMasterKey(newKek, master) };
  master.fill(0);
  oldKek.fill(0);
  newKek.fill(0);
  return next;
}
