/**
 * Vault rules shared by the engine (authoritative) and the UI (live validation).
 * PRODUCT.md: name 2 to 50 characters, starts with a letter, only letters, digits and
 * hyphens; unique case-insensitively. Letters are ASCII A-Z: a vault name ends up in
 * folder names, logs and scripts on every OS, as in the cloud service it follows.
 */
export const VAULT_NAME_MIN = 2;
export const VAULT_NAME_MAX = 50;
export const SOFT_DELETE_DAYS_MIN = 14;
export const SOFT_DELETE_DAYS_MAX = 180;
export const SOFT_DELETE_DAYS_DEFAULT = 14;

export const IMMUTABILITY_STATES = ['disabled', 'enabled', 'locked'] as const;
export type ImmutabilityState = (typeof IMMUTABILITY_STATES)[number];

/** Returns the broken rule as a sentence, or null when the name is valid. */
export function vaultNameProblem(name: string): string | null {
  if (name.length < VAULT_NAME_MIN) return `Name must be at least ${VAULT_NAME_MIN} characters long.`;
  if (name.length > VAULT_NAME_MAX) return `Name must be at most ${VAULT_NAME_MAX} characters long.`;
  if (!/^[A-Za-z]/.test(name)) return 'Name must start with a letter (A-Z).';
  if (!/^[A-Za-z0-9-]+$/.test(name)) return 'Name may contain only letters A-Z, digits and hyphens.';
  return null;
}

export function sameVaultName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function softDeleteDaysProblem(days: number): string | null {
  if (!Number.isInteger(days)) return 'Soft delete retention must be a whole number of days.';
  if (days < SOFT_DELETE_DAYS_MIN || days > SOFT_DELETE_DAYS_MAX) {
    return `Soft delete retention must be between ${SOFT_DELETE_DAYS_MIN} and ${SOFT_DELETE_DAYS_MAX} days.`;
  }
  return null;
}
