/**
 * The one place that says how immutable a vault is. Immutability is a one-way state: the
 * effective state is the stronger of vault.json's and the one this machine remembers
 * (app/machine-trust.ts), so a vault.json edited to "disabled" after this machine saw the
 * vault locked keeps refusing every delete and shortening. While immutable, soft delete is
 * on and its retention is the longest this machine has seen.
 */
import { SOFT_DELETE_DAYS_MIN, type ImmutabilityState } from '../../../shared/vault-rules.ts';
import { strongerImmutability } from '../app/machine-trust.ts';
import type { VaultSession } from './vault-session.ts';

export function effectiveImmutability(session: VaultSession): ImmutabilityState {
  const inFile = session.config.settings.immutability;
  const remembered = session.immutabilityMemory?.state;
  return remembered ? strongerImmutability(inFile, remembered) : inFile;
}

export function immutabilityOn(session: VaultSession): boolean {
  return effectiveImmutability(session) !== 'disabled';
}

/** Soft delete as the rules apply it: never off, never shorter than seen (nor than the minimum), while immutable. */
export function effectiveSoftDelete(session: VaultSession): { enabled: boolean; days: number } {
  const { softDelete } = session.config.settings;
  if (!immutabilityOn(session)) return { enabled: softDelete.enabled, days: softDelete.days };
  const seen = session.immutabilityMemory?.softDeleteDays ?? 0;
  return { enabled: true, days: Math.max(softDelete.enabled ? softDelete.days : 0, seen, SOFT_DELETE_DAYS_MIN) };
}

/** Why the effective state differs from vault.json's, for `vault show`; undefined when it does not. */
export function immutabilityNote(session: VaultSession): string | undefined {
  const inFile = session.config.settings.immutability;
  const effective = effectiveImmutability(session);
  if (effective === inFile) return undefined;
  const seenAt = session.immutabilityMemory?.seenAt ?? '?';
  return `vault.json says "${inFile}", but this machine saw this vault ${effective} (on ${seenAt}): `
    + `it stays ${effective} here, and deletes or retention shortening are refused. `
    + 'Someone edited vault.json, or the vault was changed on another machine.';
}
