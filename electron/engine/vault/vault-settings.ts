/**
 * Changing a vault's soft delete and immutability settings, with the rules of
 * PRODUCT.md: immutability goes disabled <-> enabled -> locked (irreversible, confirmed by
 * typing the vault name); while enabled or locked soft delete cannot be turned off or
 * shortened; turning soft delete off is confirmed by typing the vault name.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { Vault } from '../../../shared/contract/models.ts';
import type { UpdateVaultInput } from '../../../shared/contract/vault-channels.ts';
import { softDeleteDaysProblem } from '../../../shared/vault-rules.ts';
import type { VaultDirectory } from './vault-directory.ts';
import { clonesSettingValue } from './instant-restore-setting.ts';
import { effectiveImmutability, effectiveSoftDelete } from './immutability-state.ts';

export interface SettingsChange {
  kind: 'immutability' | 'softDelete';
  from: string;
  to: string;
}

export async function updateVaultSettings(
  vaults: VaultDirectory, input: UpdateVaultInput, onChange?: (vaultId: string, change: SettingsChange) => void,
): Promise<Vault> {
  const session = await vaults.session(input.name);
  // The rules apply to the effective settings: what this machine has seen wins over an edited vault.json.
  const current = {
    ...session.config.settings, immutability: effectiveImmutability(session), softDelete: effectiveSoftDelete(session),
  };
  const next = structuredClone(current);
  const confirmed = input.confirm !== undefined && input.confirm === session.config.name;
  const changes: SettingsChange[] = [];

  if (input.immutability !== undefined && input.immutability !== current.immutability) {
    if (current.immutability === 'locked') {
      throw new LabvaultError(ErrorCodes.RULE_VIOLATION, `Immutability of vault "${session.config.name}" is locked: a lock is irreversible and cannot be changed to ${input.immutability}.`, { field: 'immutability' });
    }
    if (input.immutability === 'locked' && !confirmed) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Locking immutability cannot be undone. Confirm by typing the vault name: --confirm ${session.config.name}.`, { field: 'confirm' });
    }
    next.immutability = input.immutability;
    if (input.immutability === 'locked') next.immutabilityLockedAt = new Date().toISOString();
    changes.push({ kind: 'immutability', from: current.immutability, to: input.immutability });
  }

  if (input.softDeleteDays !== undefined) {
    const problem = softDeleteDaysProblem(input.softDeleteDays);
    if (problem) throw new LabvaultError(ErrorCodes.INVALID_INPUT, problem, { field: 'softDeleteDays' });
    if (next.immutability !== 'disabled' && input.softDeleteDays < current.softDelete.days) {
      throw new LabvaultError(ErrorCodes.RULE_VIOLATION, `Soft delete retention cannot be shortened (from ${current.softDelete.days} to ${input.softDeleteDays} days) while immutability is ${next.immutability}.`, { field: 'softDeleteDays' });
    }
    next.softDelete.days = input.softDeleteDays;
  }

  if (input.softDeleteEnabled !== undefined && input.softDeleteEnabled !== current.softDelete.enabled) {
    if (!input.softDeleteEnabled) {
      if (next.immutability !== 'disabled') {
        throw new LabvaultError(ErrorCodes.RULE_VIOLATION, `Soft delete cannot be turned off while immutability is ${next.immutability}.`, { field: 'softDeleteEnabled' });
      }
      if (!confirmed) {
        throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Turning soft delete off means deleted backup data is purged at once. Confirm by typing the vault name: --confirm ${session.config.name}.`, { field: 'confirm' });
      }
    }
    next.softDelete.enabled = input.softDeleteEnabled;
    changes.push({ kind: 'softDelete', from: current.softDelete.enabled ? 'on' : 'off', to: input.softDeleteEnabled ? 'on' : 'off' });
  }

  if (input.instantRestoreClones !== undefined) {
    // An encrypted vault's "on" is the setting's absence (instant-restore-setting.ts). No confirmation is
    // needed: its clones stay beside the VM, never in the vault folder.
    const value = clonesSettingValue(session.config, input.instantRestoreClones);
    if (value === undefined) delete next.instantRestoreClones;
    else next.instantRestoreClones = value;
  }

  if (next.immutability !== 'disabled' && !next.softDelete.enabled) {
    throw new LabvaultError(ErrorCodes.RULE_VIOLATION, 'Immutability requires soft delete: turn soft delete on first.', { field: 'immutability' });
  }

  session.config = { ...session.config, settings: next };
  await vaults.saveConfig(session);
  await vaults.rememberImmutability(session, { allowWeaker: true });
  for (const change of changes) onChange?.(session.config.id, change);
  return vaults.show(session.config.id);
}
