/**
 * Passphrase change of an encrypted vault: the master key is unwrapped with the old
 * passphrase and wrapped again with the new one; no chunk, index or manifest is rewritten.
 * The master key stays the same: whoever learned it (or kept an old vault.json and the old
 * passphrase) can still read the vault; `labvault vault rekey` replaces the key itself.
 * A wrong old passphrase changes nothing (BAD_PASSPHRASE).
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { VaultDirectory } from './vault-directory.ts';
import type { VaultKeyring } from './vault-keyring.ts';
import { changePassphrase, type StoreSettings } from './store/index.ts';
import { MIN_PASSPHRASE_LENGTH } from './vault-initialization.ts';
import type { VaultSession } from './vault-session.ts';

/** What a passphrase change is given: the keyring (unlock), and the vault directory (save vault.json). */
export interface PassphraseServices {
  readonly keyring: Pick<VaultKeyring, 'isUnlocked' | 'unlockWith'>;
  readonly vaults: Pick<VaultDirectory, 'saveConfig'>;
}

export async function changeVaultPassphrase(services: PassphraseServices, session: VaultSession, oldPassphrase: string,
  newPassphrase: string): Promise<void> {
  if (!(session.config.store as unknown as StoreSettings).encryption) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Vault "${session.config.name}" is not encrypted.`, { field: 'name' });
  if (newPassphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `The new passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long.`, { field: 'newPassphrase' });
  }
  // Unlocking checks vault.json's settingsMac (and adds it to an older vault) before it is written again.
  if (!services.keyring.isUnlocked(session)) await services.keyring.unlockWith(session, oldPassphrase);
  const settings = session.config.store as unknown as StoreSettings;
  if (!settings.encryption) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Vault "${session.config.name}" is not encrypted.`, { field: 'name' });
  const encryption = await changePassphrase(settings.encryption, oldPassphrase, newPassphrase);
  session.config = { ...session.config, store: { ...session.config.store, encryption } };
  await services.vaults.saveConfig(session);
}
