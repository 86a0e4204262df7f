/** vaults.* channels. */
import type { ChannelHandlers } from '../../../shared/contract/channels.ts';
import { alertSettingsChange } from '../alerts/settings-change-alert.ts';
import type { EngineServices } from './engine-services.ts';
import { updateVaultSettings } from '../vault/vault-settings.ts';
import { vaultStats } from '../vault/vault-stats.ts';
import { vaultUsage } from '../vault/vault-usage.ts';
import type { Vault } from '../../../shared/contract/models.ts';
import { verifyVault } from '../vault/vault-verification.ts';
import { changeVaultPassphrase } from '../vault/vault-passphrase.ts';
import { rekeyVault } from '../vault/vault-rekey.ts';
import { rebuildCatalog } from '../vault/vault-initialization.ts';
import { unlockVault } from '../vault/vault-unlock.ts';

export function vaultHandlers(engine: EngineServices): Omit<ChannelHandlers['vaults'], 'gc' | 'prune' | 'rebuildCatalog'> {
  const { vaults } = engine;
  const notify = (reason: string) => engine.events.emitAny('vaultsChanged', { reason });
  /** The vault with its usage and stored bytes, when it is open and unlocked (a locked one is never prompted for). */
  const withUsage = async (vault: Vault): Promise<Vault> => {
    if (vault.status !== 'ok' || vault.locked === true) return vault;
    try {
      const session = await vaults.session(vault.id);
      if (!engine.keyring.isUnlocked(session)) return vault;
      const usage = await vaultUsage(engine, session);
      return { ...vault, storedBytes: usage.storedBytes, usage };
    } catch {
      return vault;
    }
  };
  return {
    list: async () => Promise.all((await vaults.list()).map(withUsage)),
    show: async ({ name, strict }) => {
      const vault = await vaults.show(name);
      // A vault that cannot be opened (damaged vault.json or catalog, moved folder): opening it rethrows the reason.
      if (strict === true && vault.status !== 'ok') await vaults.session(vault.id);
      return withUsage(vault);
    },
    usage: async ({ name, refresh }) => vaultUsage(engine, await vaults.session(name), refresh === true),
    checkPath: ({ path }) => vaults.checkPath(path),
    create: async (input) => {
      const vault = await vaults.create(input);
      notify('created');
      return vault;
    },
    open: async ({ path }) => {
      const vault = await vaults.open(path);
      notify('opened');
      return vault;
    },
    update: async (input) => {
      const vault = await updateVaultSettings(vaults, input, (vaultId, change) => {
        vaults.session(vaultId)
          .then((session) => alertSettingsChange(engine.alerts, session, change))
          .catch(() => undefined);
      });
      notify('updated');
      return vault;
    },
    deleteCheck: async ({ name }) => {
      const blockers = await vaults.deleteBlockers(name);
      return { deletable: blockers.length === 0, blockers };
    },
    delete: async ({ name }) => {
      const session = await vaults.session(name);
      await vaults.delete(name);
      engine.keyring.forget(session.config.id);
      notify('deleted');
      return { deleted: true };
    },
    stats: async ({ name }) => vaultStats(engine, await vaults.session(name)),
    verify: async ({ name, readData }) => verifyVault(engine, await vaults.session(name), readData === true),
    changePassphrase: async ({ name, oldPassphrase, newPassphrase }) => {
      const session = await vaults.session(name, { allowLocked: true });
      await changeVaultPassphrase(engine, session, oldPassphrase, newPassphrase);
      return { changed: true };
    },
    rekey: async ({ name, passphrase }) => {
      const session = await vaults.session(name, { allowLocked: true });
      const result = await rekeyVault(session, engine.keyring, passphrase, (progress) => {
        engine.events.emitAny('rekeyProgress', { vaultId: session.config.id, ...progress });
      });
      await rebuildCatalog(session, engine.keyring, (catalog) => { session.catalog = catalog; });
      notify('rekeyed');
      return result;
    },
    unlock: async (input) => {
      await unlockVault(engine, input);
      return { unlocked: true };
    },
  };
}
