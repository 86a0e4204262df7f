/** The vaults this app knows, refreshed on demand, whenever the engine says they changed and when a job ends. */
import { create } from 'zustand';
import type { Vault } from '../../shared/contract/models.ts';
import { sameVaultName } from '../../shared/vault-rules.ts';
import { api, client } from '../api/labvault-client.ts';
import { shownError } from '../api/error-text.ts';

interface VaultsStore {
  vaults: Vault[];
  loaded: boolean;
  error: string | null;
  refresh(): Promise<void>;
  byName(name: string): Vault | undefined;
}

export const useVaultsStore = create<VaultsStore>((set, get) => ({
  vaults: [],
  loaded: false,
  error: null,
  async refresh() {
    try {
      const vaults = await api.vaults.list({});
      set({ vaults, loaded: true, error: null });
    } catch (error) {
      set({ loaded: true, error: shownError(error).message });
    }
  },
  byName(name) {
    return get().vaults.find((vault) => sameVaultName(vault.name, name));
  },
}));

client.on.vaultsChanged(() => {
  void useVaultsStore.getState().refresh();
});
// A job that ended changed the vault's sizes (Vault.usage) and item count.
client.on.jobFinished(() => {
  void useVaultsStore.getState().refresh();
});
