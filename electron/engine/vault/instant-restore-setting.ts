/**
 * The instant-restore tier setting of a vault (vault.json settings.instantRestoreClones).
 *
 * Clones are reflink copies of the VM's files, never encrypted. A plain vault keeps them in
 * <vault>/snapshots/ when the vault shares the VM's filesystem, else beside the VM. An
 * encrypted vault keeps them only beside the VM (<folder of the VM's first file>/
 * .labvault-snapshots/<item>/<point>), on the VM's own filesystem, and never in its own
 * folder, whatever the setting: a clone there holds the same bytes the VM's disk holds in
 * plaintext right beside it, and copying or moving the vault never carries plaintext. What a
 * clone adds is that blocks the VM has since overwritten stay on the host until the clone is
 * removed: after the policy's instant-restore days (2 by default; 1-5 for a standard policy,
 * up to 30 for an enhanced one), at the next backup or hourly prune pass, or when its point
 * is deleted. So clones are on by default for both kinds of vault.
 *
 * Absent in vault.json (vaults made before the setting, and encrypted vaults made since):
 * on. An explicit `false` (the user turned them off; encrypted vaults made by earlier
 * versions were created with it) is honoured. In an encrypted vault "on" is written as the
 * setting's absence, never `true`: a Labvault before this version reads an absent setting
 * of an encrypted vault as off, while it would put the clones of a `true` into the vault's
 * own snapshots folder.
 */
import type { VaultConfig } from './vault-config.ts';

export const ENCRYPTED_CLONES_OFF_REASON = 'instant-restore clones are turned off for this encrypted vault';
export const PLAIN_CLONES_OFF_REASON = 'instant-restore clones are turned off for this vault';

export function isEncryptedConfig(config: Pick<VaultConfig, 'store'>): boolean {
  return Boolean((config.store as { encryption?: unknown }).encryption);
}

/** The effective setting: vault.json's value, else on (for plain and encrypted vaults alike). */
export function instantRestoreClonesOn(config: Pick<VaultConfig, 'store' | 'settings'>): boolean {
  return config.settings.instantRestoreClones ?? true;
}

/** Whether this vault's clones may only be made beside the VM (never in the vault folder): encrypted vaults. */
export function clonesBesideVmOnly(config: Pick<VaultConfig, 'store'>): boolean {
  return isEncryptedConfig(config);
}

/** Why a backup of this vault makes no clones, or null when it may make them. */
export function cloneRefusalOf(config: Pick<VaultConfig, 'store' | 'settings'>): string | null {
  if (instantRestoreClonesOn(config)) return null;
  return isEncryptedConfig(config) ? ENCRYPTED_CLONES_OFF_REASON : PLAIN_CLONES_OFF_REASON;
}

/**
 * The value vault.json gets when the user turns clones on or off: `false` for off; for on,
 * `true` in a plain vault and undefined (the setting removed) in an encrypted one, so that
 * no earlier Labvault reading the vault makes clones in the vault folder.
 *
 * Turning clones on needs no confirmation any more (`--confirm-plaintext-clones` is accepted
 * and ignored): it only brings back the default, and an encrypted vault's clones never enter
 * its folder.
 */
export function clonesSettingValue(config: Pick<VaultConfig, 'store'>, on: boolean): boolean | undefined {
  if (!on) return false;
  return isEncryptedConfig(config) ? undefined : true;
}
