/**
 * Vault encryption keys. A passphrase goes through scrypt to a key-encryption key (KEK)
 * that unwraps a random 256-bit master key (AES-256-GCM). The master key never changes,
 * so a passphrase change only re-wraps it. From the master key HKDF-SHA256 derives:
 *  - the data key (AES-256-GCM, one random 96-bit nonce per blob), and
 *  - the MAC key (HMAC-SHA256) that makes chunk and index ids keyed, so ids leak no content,
 *  - the settings key (HMAC-SHA256) authenticating vault.json's identity and settings.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, scrypt as scryptCallback, hkdf as hkdfCallback } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { ErrorCodes, LabvaultError, invalidInput } from '../../../../shared/errors.ts';
import {
  GCM_NONCE_SIZE, GCM_TAG_SIZE, HKDF_INFO_DATA_KEY, HKDF_INFO_MAC_KEY, HKDF_INFO_SETTINGS_KEY, KEY_SIZE, KEY_WRAP_AAD,
  KEY_WRAP_AAD_SETTINGS_BOUND,
} from './format-constants.ts';
import type { EncryptionSettings } from './store-settings.ts';

const scrypt = promisify(scryptCallback) as (
  password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;
const hkdf = promisify(hkdfCallback);

/** Unlocked keys of an encrypted vault. Keep in memory only; never write them. */
export interface VaultKeys {
  /** AES-256-GCM key sealing every blob (chunks, indexes, manifests). */
  readonly dataKey: KeyObject;
  /** HMAC-SHA256 key for chunk and index ids (a KeyObject, so hash workers can receive it). */
  readonly macKey: KeyObject;
  /** HMAC-SHA256 key of vault.json's settingsMac (see vault/vault-settings-mac.ts). */
  readonly settingsKey: KeyObject;
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

/** The key-wrap AAD: v2 once vault.json carries a settingsMac, so removing the MAC cannot pass for an old vault. */
function wrapAad(settingsBound: boolean): Buffer {
  return Buffer.from(settingsBound ? KEY_WRAP_AAD_SETTINGS_BOUND : KEY_WRAP_AAD);
}

function wrapMasterKey(kek: Buffer, master: Buffer, settingsBound: boolean): string {
  const nonce = randomBytes(GCM_NONCE_SIZE);
  const cipher = createCipheriv('aes-256-gcm', kek, nonce);
  cipher.setAAD(wrapAad(settingsBound));
  const body = Buffer.concat([cipher.update(master), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
}

function tryUnwrap(kek: Buffer, raw: Buffer, settingsBound: boolean): Buffer | undefined {
  const decipher = createDecipheriv('aes-256-gcm', kek, raw.subarray(0, GCM_NONCE_SIZE));
  decipher.setAAD(wrapAad(settingsBound));
  decipher.setAuthTag(raw.subarray(GCM_NONCE_SIZE + KEY_SIZE));
  try {
    return Buffer.concat([decipher.update(raw.subarray(GCM_NONCE_SIZE, GCM_NONCE_SIZE + KEY_SIZE)), decipher.final()]);
  } catch {
    return undefined;
  }
}

function unwrapMasterKey(kek: Buffer, wrapped: string, settingsBound: boolean): Buffer {
  const raw = Buffer.from(wrapped, 'base64');
  if (raw.length !== GCM_NONCE_SIZE + KEY_SIZE + GCM_TAG_SIZE) {
    throw new LabvaultError(ErrorCodes.CORRUPT, `store.encryption.wrappedKey has ${raw.length} bytes, expected ${GCM_NONCE_SIZE + KEY_SIZE + GCM_TAG_SIZE}: vault.json is damaged.`, { field: 'store.encryption.wrappedKey' });
  }
  const master = tryUnwrap(kek, raw, settingsBound);
  if (master !== undefined) return master;
  const other = tryUnwrap(kek, raw, !settingsBound);
  if (other !== undefined) {
    other.fill(0);
    throw new LabvaultError(ErrorCodes.CORRUPT, 'vault.json was changed outside Labvault: store.encryption.settingsBound does not match the wrapped key (vault.json). Restore the vault.json Labvault wrote.', { field: 'store.encryption.settingsBound' });
  }
  throw new LabvaultError(ErrorCodes.BAD_PASSPHRASE, 'The passphrase is wrong for this vault. Nothing was changed.', { field: 'passphrase' });
}

async function keysFromMaster(master: Buffer): Promise<VaultKeys> {
  const dataRaw = Buffer.from(await hkdf('sha256', master, Buffer.alloc(0), HKDF_INFO_DATA_KEY, KEY_SIZE));
  const macRaw = Buffer.from(await hkdf('sha256', master, Buffer.alloc(0), HKDF_INFO_MAC_KEY, KEY_SIZE));
  const settingsRaw = Buffer.from(await hkdf('sha256', master, Buffer.alloc(0), HKDF_INFO_SETTINGS_KEY, KEY_SIZE));
  const dataKey = createSecretKey(dataRaw);
  const macKey = createSecretKey(macRaw);
  const settingsKey = createSecretKey(settingsRaw);
  dataRaw.fill(0);
  macRaw.fill(0);
  settingsRaw.fill(0);
  return { dataKey, macKey, settingsKey };
}

/** Makes a new master key and wraps it with `passphrase`. Store `settings` in vault.json. */
export async function createEncryption(
  passphrase: string, params: KdfParams = DEFAULT_KDF_PARAMS,
): Promise<{ settings: EncryptionSettings; keys: VaultKeys }> {
  const salt = randomBytes(SALT_SIZE).toString('base64');
  const base = { kdf: 'scrypt' as const, n: params.n, r: params.r, p: params.p, salt };
  const kek = await deriveKek(passphrase, base);
  const master = randomBytes(KEY_SIZE);
  const settings: EncryptionSettings = { ...base, wrappedKey: wrapMasterKey(kek, master, true), settingsBound: true };
  const keys = await keysFromMaster(master);
  master.fill(0);
  kek.fill(0);
  return { settings, keys };
}

/** Unlocks a vault. Wrong passphrase: LabvaultError BAD_PASSPHRASE. */
export async function unlock(settings: EncryptionSettings, passphrase: string): Promise<VaultKeys> {
  const kek = await deriveKek(passphrase, settings);
  const master = unwrapMasterKey(kek, settings.wrappedKey, settings.settingsBound === true);
  kek.fill(0);
  const keys = await keysFromMaster(master);
  master.fill(0);
  return keys;
}

/**
 * Re-wraps the master key under a new passphrase (new salt). Returns new settings for
 * vault.json; no data is rewritten. A wrong `oldPassphrase` throws BAD_PASSPHRASE.
 */
export async function changePassphrase(
  settings: EncryptionSettings, oldPassphrase: string, newPassphrase: string, params: KdfParams = settings,
): Promise<EncryptionSettings> {
  const bound = settings.settingsBound === true;
  const oldKek = await deriveKek(oldPassphrase, settings);
  const master = unwrapMasterKey(oldKek, settings.wrappedKey, bound);
  const salt = randomBytes(SALT_SIZE).toString('base64');
  const base = { kdf: 'scrypt' as const, n: params.n, r: params.r, p: params.p, salt };
  const newKek = await deriveKek(newPassphrase, base);
  const next: EncryptionSettings = {
    ...base, wrappedKey: wrapMasterKey(newKek, master, bound), ...(bound ? { settingsBound: true } : {}),
  };
  master.fill(0);
  oldKek.fill(0);
  newKek.fill(0);
  return next;
}

/**
 * Re-wraps the master key of an older vault with the settings-bound AAD (same passphrase,
 * same salt), once vault.json has its settingsMac: from then on a vault.json without the
 * MAC no longer unlocks as an old vault. Returns the new `encryption` settings.
 */
export async function bindSettingsToWrap(
  settings: EncryptionSettings, passphrase: string,
): Promise<EncryptionSettings> {
  if (settings.settingsBound === true) return settings;
  const kek = await deriveKek(passphrase, settings);
  const master = unwrapMasterKey(kek, settings.wrappedKey, false);
  const next: EncryptionSettings = { ...settings, wrappedKey: wrapMasterKey(kek, master, true), settingsBound: true };
  master.fill(0);
  kek.fill(0);
  return next;
}
