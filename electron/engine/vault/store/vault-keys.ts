/**
 * Vault encryption keys. A passphrase goes through scrypt to a key-encryption key (KEK)
 * that unwraps a random 256-bit master key (AES-256-GCM). The master key never changes,
 * so a passphrase change only re-wraps it. From the master key HKDF-SHA256 derives:
 *  - the data key (AES-256-GCM, one random 96-bit nonce per blob), and
 *  - the MAC key (HMAC-SHA256) that makes chunk and index ids keyed, so ids leak no content,
 *  - the settings key (HMAC-SHA256) authenticating vault.json's identity and settings.
 */
import { createCipheriv, createDecipheriv, createHash, createSecretKey, randomBytes, hkdf as hkdfCallback } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { ErrorCodes, LabvaultError, invalidInput } from '../../../../shared/errors.ts';
import {
  GCM_NONCE_SIZE, GCM_TAG_SIZE, HKDF_INFO_DATA_KEY, HKDF_INFO_MAC_KEY, HKDF_INFO_SETTINGS_KEY, KEY_SIZE, KEY_WRAP_AAD,
  KEY_WRAP_AAD_SETTINGS_BOUND,
} from './format-constants.ts';
import type { EncryptionSettings } from './store-settings.ts';
import { startScrypt, type ScryptRun } from './scrypt-kdf.ts';

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

/**
 * Default scrypt cost of new vaults: N=2^16, r=8, p=2, which OWASP's password storage cheat
 * sheet lists as equivalent to N=2^17, r=8, p=1 (the default before): the same 128 MiB and
 * work, in two lanes that run on two cores (about 0.13 s here instead of 0.45 s).
 */
export const DEFAULT_KDF_PARAMS: KdfParams = { n: 1 << 16, r: 8, p: 2 };
const SALT_SIZE = 16;

/**
 * Derivations started before the engine asked for them (the CLI starts the likely vault's at
 * start-up: vault/early-key-derivation.ts), by a digest of exactly what they were started
 * with. Kept on globalThis: that start-up code and the engine may be two copies of this
 * module. Each is taken at most once.
 */
const EARLY_KEKS = Symbol.for('labvault.vault-keys.early-keks');
type KdfInput = Pick<EncryptionSettings, 'n' | 'r' | 'p' | 'salt'>;

function earlyKeks(): Map<string, ScryptRun> {
  const holder = globalThis as { [EARLY_KEKS]?: Map<string, ScryptRun> };
  holder[EARLY_KEKS] ??= new Map();
  return holder[EARLY_KEKS];
}

function kdfInputId(passphrase: string, settings: KdfInput): string {
  return createHash('sha256').update(JSON.stringify([passphrase, settings.salt, settings.n, settings.r, settings.p])).digest('hex');
}

function startKek(passphrase: string, settings: KdfInput, background: boolean): ScryptRun {
  return startScrypt(passphrase, Buffer.from(settings.salt, 'base64'), KEY_SIZE, settings, { background });
}

/**
 * Starts deriving the KEK of `settings` in the background, for an unlock with the same
 * passphrase and settings to take (the process does not wait for it otherwise).
 */
export function beginKekDerivation(passphrase: string, settings: KdfInput): void {
  if (passphrase.length === 0) return;
  const normalized = passphrase.normalize('NFC');
  const id = kdfInputId(normalized, settings);
  const early = earlyKeks();
  if (early.has(id)) return;
  const run = startKek(normalized, settings, true);
  run.key.catch(() => undefined);
  early.set(id, run);
}

/** How many early derivations are waiting to be taken (tests). */
export function earlyKekCount(): number {
  return earlyKeks().size;
}

/** The early derivation started for exactly these inputs, taken (at most once), or undefined. */
function takeEarlyKek(passphrase: string, settings: KdfInput): Promise<Buffer> | undefined {
  const id = kdfInputId(passphrase, settings);
  const early = earlyKeks().get(id);
  if (early === undefined) return undefined;
  earlyKeks().delete(id);
  early.keepAlive();
  return early.key;
}

/** The KEK of `passphrase` (NFC) under a new or existing vault's settings, derived now. */
async function deriveKek(passphrase: string, settings: KdfInput): Promise<Buffer> {
  if (passphrase.length === 0) throw invalidInput('passphrase', 'The passphrase must not be empty.');
  return startKek(passphrase.normalize('NFC'), settings, false).key;
}

/**
 * Opens the wrapped master key with `passphrase`: BAD_PASSPHRASE when wrong. An early
 * derivation for the same inputs is used when there is one; should its key not open the
 * wrap, the KEK is derived again here before the passphrase is called wrong.
 */
async function openMasterKey(
  passphrase: string, settings: KdfInput & Pick<EncryptionSettings, 'wrappedKey'>, settingsBound: boolean,
): Promise<{ kek: Buffer; master: Buffer }> {
  if (passphrase.length === 0) throw invalidInput('passphrase', 'The passphrase must not be empty.');
  const early = takeEarlyKek(passphrase.normalize('NFC'), settings);
  const earlyKek = early === undefined ? null : await early.catch(() => null);
  if (earlyKek !== null) {
    try {
      return { kek: earlyKek, master: unwrapMasterKey(earlyKek, settings.wrappedKey, settingsBound) };
    } catch (error) {
      earlyKek.fill(0);
      if (!(error instanceof LabvaultError) || error.code !== ErrorCodes.BAD_PASSPHRASE) throw error;
    }
  }
  const kek = await deriveKek(passphrase, settings);
  return { kek, master: unwrapMasterKey(kek, settings.wrappedKey, settingsBound) };
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
  const { kek, master } = await openMasterKey(passphrase, settings, settings.settingsBound === true);
  kek.fill(0);
  const keys = await keysFromMaster(master);
  master.fill(0);
  return keys;
}

/**
 * The cost a re-wrapped key gets: today's default, unless the vault's own costs more (N*r*p),
 * so a vault made with the earlier default (N=2^17, r=8, p=1: the same cost in one lane)
 * unlocks in two lanes from then on, and a vault made stronger stays as strong.
 */
export function rewrapKdfParams(settings: KdfParams): KdfParams {
  const cost = (params: KdfParams): number => params.n * params.r * params.p;
  if (cost(settings) <= cost(DEFAULT_KDF_PARAMS)) return DEFAULT_KDF_PARAMS;
  return { n: settings.n, r: settings.r, p: settings.p };
}

/**
 * Re-wraps the master key under a new passphrase (new salt; cost: rewrapKdfParams). Returns
 * new settings for vault.json; no data is rewritten. A wrong `oldPassphrase` throws BAD_PASSPHRASE.
 */
export async function changePassphrase(
  settings: EncryptionSettings, oldPassphrase: string, newPassphrase: string,
  params: KdfParams = rewrapKdfParams(settings),
): Promise<EncryptionSettings> {
  const bound = settings.settingsBound === true;
  const { kek: oldKek, master } = await openMasterKey(oldPassphrase, settings, bound);
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
  const { kek, master } = await openMasterKey(passphrase, settings, false);
  const next: EncryptionSettings = { ...settings, wrappedKey: wrapMasterKey(kek, master, true), settingsBound: true };
  master.fill(0);
  kek.fill(0);
  return next;
}
