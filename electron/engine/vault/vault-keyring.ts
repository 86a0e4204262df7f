/**
 * Unlocked keys of encrypted vaults, in memory only, and the way to get a passphrase when
 * a locked vault is needed: the face sets `passphraseFor` (CLI: LABVAULT_PASSPHRASE,
 * --passphrase-file or a terminal prompt; UI: the unlock dialog through vaults.unlock).
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { VaultStore, unlock, type StoreSettings, type VaultKeys } from './store/index.ts';
import type { VaultSession } from './vault-session.ts';
import { sealedRecords } from './record-sealer.ts';

export type PassphraseSource = (vaultName: string, vaultId: string) => Promise<string | null>;

export class VaultKeyring {
  private readonly keys = new Map<string, VaultKeys>();
  private readonly stores = new Map<string, VaultStore>();
  passphraseFor: PassphraseSource | undefined;

  remember(vaultId: string, keys: VaultKeys): void {
    this.keys.set(vaultId, keys);
  }

  forget(vaultId: string): void {
    this.keys.delete(vaultId);
    const store = this.stores.get(vaultId);
    this.stores.delete(vaultId);
    store?.close().catch(() => undefined);
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
    const keys = await unlock(settings.encryption, passphrase);
    this.remember(session.config.id, keys);
    session.records.sealer = sealedRecords(keys);
    await this.onUnlocked?.(session);
    return keys;
  }

  /** Called after a vault is unlocked (the engine reconciles its catalog then). */
  onUnlocked: ((session: VaultSession) => Promise<void>) | undefined;

  async keysFor(session: VaultSession): Promise<VaultKeys | undefined> {
    const settings = storeSettingsOf(session);
    if (!settings.encryption) return undefined;
    const known = this.keys.get(session.config.id);
    if (known) {
      session.records.sealer = sealedRecords(known);
      return known;
    }
    const passphrase = this.passphraseFor ? await this.passphraseFor(session.config.name, session.config.id) : null;
    if (passphrase === null || passphrase === undefined) {
      throw new LabvaultError(ErrorCodes.BAD_PASSPHRASE, `Vault "${session.config.name}" is encrypted and locked: give its passphrase (LABVAULT_PASSPHRASE, --passphrase-file, or unlock it in the app).`, { field: 'passphrase' });
    }
    return this.unlockWith(session, passphrase);
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
