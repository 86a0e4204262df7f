/**
 * The instant-restore tier setting of a vault (vault.json settings.instantRestoreClones).
 * Its reflink clones are unencrypted copies of the VM's files (in <vault>/snapshots/ or
 * beside the VM), so for an encrypted vault they are off unless the user turns them on
 * knowingly. Absent in vault.json (vaults made before the setting): on for plain vaults,
 * off for encrypted ones.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { VaultConfig } from './vault-config.ts';

export const ENCRYPTED_CLONES_OFF_REASON = "instant-restore clones are off for this encrypted vault (they would hold the VM's files unencrypted)";
export const PLAIN_CLONES_OFF_REASON = 'instant-restore clones are turned off for this vault';

export function isEncryptedConfig(config: Pick<VaultConfig, 'store'>): boolean {
  return Boolean((config.store as { encryption?: unknown }).encryption);
}

/** The effective setting: vault.json's value, or the default of the vault's kind. */
export function instantRestoreClonesOn(config: Pick<VaultConfig, 'store' | 'settings'>): boolean {
  return config.settings.instantRestoreClones ?? !isEncryptedConfig(config);
}

/** Why a backup of this vault makes no clones, or null when it may make them. */
export function cloneRefusalOf(config: Pick<VaultConfig, 'store' | 'settings'>): string | null {
  if (instantRestoreClonesOn(config)) return null;
  return isEncryptedConfig(config) ? ENCRYPTED_CLONES_OFF_REASON : PLAIN_CLONES_OFF_REASON;
}

/**
 * Checks a change of the setting: turning clones on for an encrypted vault needs the
 * explicit confirmation that unencrypted copies of the VM's files are acceptable.
 */
export function checkClonesChange(config: Pick<VaultConfig, 'store' | 'name'>, on: boolean, confirmPlaintext: boolean): void {
  if (!on || !isEncryptedConfig(config) || confirmPlaintext) return;
  throw new LabvaultError(
    ErrorCodes.INVALID_INPUT,
    `Vault "${config.name}" is encrypted: instant-restore clones are unencrypted copies of the VM's files (in the vault's `
      + 'snapshots folder or beside the VM). Confirm that this is acceptable with --confirm-plaintext-clones.',
    { field: 'confirmPlaintextClones' },
  );
}
