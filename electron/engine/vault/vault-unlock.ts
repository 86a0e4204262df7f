/**
 * Unlocking an encrypted vault from a face (the UI's unlock dialog): check the passphrase,
 * optionally remember it in the OS keychain (desktop app only), then index the vault's
 * files into its catalog.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { RememberedPassphrases } from '../app/remembered-passphrases.ts';
import type { VaultDirectory } from './vault-directory.ts';
import { reconcileCatalog } from './vault-initialization.ts';
import type { VaultKeyring } from './vault-keyring.ts';

export interface UnlockRequest {
  name: string;
  passphrase: string;
  remember?: boolean | undefined;
}

export async function unlockVault(
  services: { vaults: VaultDirectory; keyring: VaultKeyring; passphraseStore: RememberedPassphrases | undefined },
  request: UnlockRequest,
): Promise<void> {
  const session = await services.vaults.session(request.name, { allowLocked: true });
  await services.keyring.unlockWith(session, request.passphrase);
  if (request.remember === true) {
    if (!services.passphraseStore) {
      throw new LabvaultError(ErrorCodes.UNSUPPORTED,
        'Remembering a passphrase needs the desktop app and an OS keychain; the vault is unlocked for this session.',
        { field: 'remember' });
    }
    await services.passphraseStore.remember(session.config.id, request.passphrase);
  }
  await reconcileCatalog(session, services.keyring);
}
