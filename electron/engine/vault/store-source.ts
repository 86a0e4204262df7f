/** What a module that reads or changes a vault's store is given: the keyring that opens it (asking for keys). */
import type { VaultKeyring } from './vault-keyring.ts';

export interface StoreSource {
  readonly keyring: Pick<VaultKeyring, 'store'>;
}
