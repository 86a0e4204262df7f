/**
 * Unlocked keys of encrypted vaults, in memory only, and the way to get a passphrase when
 * a locked vault is needed: the passphrase source the keyring is constructed with (CLI:
 * LABVAULT_PASSPHRASE, --passphrase-file or a terminal prompt; desktop: the OS keychain when
 * the user asked; otherwise the unlock dialog through vaults.unlock). Records are sealed with
 * the keys it holds (recordSealer, given to each session's RecordStore).
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { VaultStore, bindSettingsToWrap, unlock, type StoreSettings, type VaultKeys } from './store/index.ts';
import type { VaultSession } from './vault-session.ts';
import { sealedRecords } from './record-sealer.ts';
import { plainRecords, type RecordSealer } from './record-store.ts';
import { readVaultConfig, vaultConfigPath, writeVaultConfig } from './vault-config.ts';
import { checkSettingsMac, withSettingsMac } from './vault-settings-mac.ts';

export type PassphraseSource = (vaultName: string, vaultId: string) => Promise<string | null>;

export interface VaultKeyringOptions {
  /** Asked when a locked vault is needed (none: a locked vault is BAD_PASSPHRASE until unlocked). */
  passphraseFor?: PassphraseSource | undefined;
  /** Called after a vault is unlocked (the engine reconciles its catalog then). */
  onUnlocked?: ((session: VaultSession) => Promise<void>) | undefined;
}

export class VaultKeyring {
  private readonly keys = new Map<string, VaultKeys>();
  private readonly stores = new Map<string, VaultStore>();
  /** Sessions whose vault.json settings were checked against their settingsMac. */
  private readonly verified = new WeakSet<VaultSession>();
  private readonly passphraseFor: PassphraseSource | undefined;
  private readonly onUnlocked: ((session: VaultSession) => Promise<void>) | undefined;

  constructor(options: VaultKeyringOptions = {}) {
    this.passphraseFor = options.passphraseFor;
    this.onUnlocked = options.onUnlocked;
  }

  remember(vaultId: string, keys: VaultKeys): void {
    this.keys.set(vaultId, keys);
  }

  forget(vaultId: string): void {
    this.keys.delete(vaultId);
    const store = this.stores.get(vaultId);
    this.stores.delete(vaultId);
    store?.close().catch(() => undefined);
  }

  /** The keys of an unlocked encrypted vault (INTERNAL when it is locked: unlock first). */
  keysOf(session: VaultSession): VaultKeys {
    const keys = this.keys.get(session.config.id);
    if (!keys) throw new LabvaultError(ErrorCodes.INTERNAL, `Vault "${session.config.name}" is not unlocked.`);
    return keys;
  }

  /** After a rekey: the new keys replace the old ones (the store opened with the old keys is closed). */
  replaceKeys(session: VaultSession, keys: VaultKeys): void {
    this.forget(session.config.id);
    this.remember(session.config.id, keys);
    this.verified.add(session);
  }

  /** The keys of a vault just created (its vault.json is written, with its settingsMac, after this). */
  rememberCreated(session: VaultSession, keys: VaultKeys): void {
    this.remember(session.config.id, keys);
    this.verified.add(session);
  }

  /**
   * The sealer of the session's records: plain for a plain vault; the vault's keys for an
   * encrypted one (unlocking it, and checking vault.json's settings, first when needed).
   */
  async recordSealer(session: VaultSession): Promise<RecordSealer> {
    if (!storeSettingsOf(session).encryption) return plainRecords;
    const known = this.keys.get(session.config.id);
    if (known && this.verified.has(session)) return sealedRecords(known);
    const keys = await this.keysFor(session);
    return keys ? sealedRecords(keys) : plainRecords;
  }

  /** Closes every open store (stops their hashing workers). */
  async closeStores(): Promise<void> {
    const stores = [...this.stores.values()];
    this.stores.clear();
    await Promise.all(stores.map((store) => store.close().catch(() => undefined)));
  }

  isUnlocked(session: VaultSession): boolean {
    return !storeSettingsOf(session).encryption || this.keys.has(session.config.id);
  }

  /** Unlocks with a passphrase; BAD_PASSPHRASE when wrong, nothing changed. */
  async unlockWith(session: VaultSession, passphrase: string): Promise<VaultKeys> {
    const settings = storeSettingsOf(session);
    if (!settings.encryption) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Vault "${session.config.name}" is not encrypted.`, { field: 'passphrase' });
    const keys = await unlock(settings.encryption, passphrase).catch((error: unknown) => {
      if (!(error instanceof LabvaultError) || error.code !== ErrorCodes.CORRUPT) throw error;
      const path = vaultConfigPath(session.dir);
      const message = error.field === 'store.encryption.settingsBound'
        ? `${path} was changed outside Labvault: store.encryption.settingsBound does not match the wrapped key. Restore the vault.json Labvault wrote; the vault stays locked until then.`
        : `${path}: ${error.message}`;
      throw new LabvaultError(ErrorCodes.CORRUPT, message, {
        ...(error.field ? { field: error.field } : {}), details: { path },
      });
    });
    await this.authenticateSettings(session, keys, passphrase);
    this.remember(session.config.id, keys);
    await this.onUnlocked?.(session);
    return keys;
  }

  async keysFor(session: VaultSession): Promise<VaultKeys | undefined> {
    const settings = storeSettingsOf(session);
    if (!settings.encryption) return undefined;
    const known = this.keys.get(session.config.id);
    if (known) {
      if (!this.verified.has(session)) await this.authenticateSettings(session, known, undefined);
      return known;
    }
    const passphrase = this.passphraseFor ? await this.passphraseFor(session.config.name, session.config.id) : null;
    if (passphrase === null || passphrase === undefined) {
      throw new LabvaultError(ErrorCodes.BAD_PASSPHRASE, `Vault "${session.config.name}" is encrypted and locked: give its passphrase (LABVAULT_PASSPHRASE, --passphrase-file, or unlock it in the app).`, { field: 'passphrase' });
    }
    return this.unlockWith(session, passphrase);
  }

  /**
   * Checks vault.json's settingsMac (CORRUPT naming vault.json when it does not match, or when
   * it was removed from a vault whose key wrap says it had one). A vault written before
   * settings were authenticated gets its MAC, and its key wrap is bound to it, on the first
   * unlock with a passphrase that can write vault.json (a read-only copy stays as it is).
   */
  private async authenticateSettings(
    session: VaultSession, keys: VaultKeys, passphrase: string | undefined,
  ): Promise<void> {
    const encryption = storeSettingsOf(session).encryption;
    if (!encryption) return;
    const path = vaultConfigPath(session.dir);
    const state = checkSettingsMac(session.config, keys, path);
    if (state === 'missing' && encryption.settingsBound === true) {
      throw new LabvaultError(ErrorCodes.CORRUPT, `${path} was changed outside Labvault: its settingsMac was removed, `
        + 'but the vault\'s key says its settings are authenticated. Restore the vault.json Labvault wrote; '
        + 'the vault stays locked until then.', { field: 'settingsMac', details: { path } });
    }
    if (state === 'valid' && encryption.settingsBound === true) {
      this.verified.add(session);
      return;
    }
    if (passphrase === undefined) return; // upgraded at the next unlock with a passphrase
    const bound = await bindSettingsToWrap(encryption, passphrase);
    const next = withSettingsMac({ ...session.config, store: { ...session.config.store, encryption: bound } }, keys);
    try {
      await writeVaultConfig(session.dir, next);
      session.config = next;
    } catch {
      // A read-only vault (media, share): it keeps working as a vault of the earlier format.
    }
    this.verified.add(session);
  }

  /**
   * Sets vault.json's settingsMac before Labvault writes `session.config` (encrypted vaults;
   * asks for the passphrase if locked). When the vault.json on disk was not checked yet, it
   * is checked first (the pending change in `session.config` is not what the MAC covers).
   */
  async sealSettings(session: VaultSession): Promise<void> {
    if (!storeSettingsOf(session).encryption) return;
    const pending = session.config;
    const onDisk = this.verified.has(session) ? null : await readVaultConfig(session.dir).catch((error: unknown) => {
      if (error instanceof LabvaultError && error.code === ErrorCodes.NOT_FOUND) return null; // a vault being created
      throw error;
    });
    if (onDisk !== null) {
      session.config = onDisk;
      try {
        await this.keysFor(session); // checks (and on an older vault adds) the MAC of what is on disk
      } finally {
        const encryption = storeSettingsOf(session).encryption;
        session.config = { ...pending, store: { ...pending.store, encryption } };
      }
    }
    // Checked above, or a vault being created (its keys were just made): no MAC on disk to check.
    const keys = this.keys.get(session.config.id) ?? await this.keysFor(session);
    if (keys === undefined) return;
    session.config = withSettingsMac(session.config, keys);
    this.verified.add(session);
  }

  /** The vault's chunk store, opened with its keys (asking for the passphrase when needed). */
  async store(session: VaultSession): Promise<VaultStore> {
    const cached = this.stores.get(session.config.id);
    if (cached && cached.dir === session.dir) return cached;
    const keys = await this.keysFor(session);
    const store = await VaultStore.open(session.dir, storeSettingsOf(session), keys, { log: () => undefined });
    this.stores.set(session.config.id, store);
    return store;
  }
}

export function storeSettingsOf(session: VaultSession): StoreSettings {
  return session.config.store as unknown as StoreSettings;
}
