/**
 * The create-vault wizard as data: the steps (a discriminated union), the draft the user
 * fills in, and the checks that decide whether a step may be left. The current step is
 * state; whether "Next" is allowed is computed from the draft.
 */
import type { PathCheck, Vault } from '../../../shared/contract/models.ts';
import { SOFT_DELETE_DAYS_DEFAULT, sameVaultName, softDeleteDaysProblem, vaultNameProblem } from '../../../shared/vault-rules.ts';
import { cliCommand, shellQuote } from '../../format/cli-quote.ts';

export type CreateVaultStep =
  | { kind: 'basics' }
  | { kind: 'settings' }
  | { kind: 'review'; error: string | null }
  | { kind: 'creating' }
  | { kind: 'done'; vault: Vault };

export const CREATE_VAULT_STEP_LABELS = ['Basics', 'Settings', 'Review and create', 'Done'] as const;

export interface VaultDraft {
  name: string;
  path: string;
  /** False while the location follows the name (default parent folder + name). */
  pathEdited: boolean;
  softDeleteEnabled: boolean;
  softDeleteDays: string;
  immutability: 'disabled' | 'enabled';
  encrypt: boolean;
  passphrase: string;
  passphraseAgain: string;
}

/** Field errors the engine returned for the last create attempt, shown beside the fields. */
export interface ServerFieldErrors {
  name?: string;
  path?: string;
  softDeleteDays?: string;
}

export function emptyVaultDraft(): VaultDraft {
  return {
    name: '',
    path: '',
    pathEdited: false,
    softDeleteEnabled: true,
    softDeleteDays: String(SOFT_DELETE_DAYS_DEFAULT),
    immutability: 'disabled',
    encrypt: false,
    passphrase: '',
    passphraseAgain: '',
  };
}

export function stepIndex(step: CreateVaultStep): number {
  switch (step.kind) {
    case 'basics': return 0;
    case 'settings': return 1;
    case 'review': case 'creating': return 2;
    case 'done': return 3;
  }
}

/** The broken name rule, or the clash with a known vault (case-insensitive). */
export function nameError(name: string, knownNames: readonly string[]): string | null {
  const problem = vaultNameProblem(name);
  if (problem) return problem;
  const clash = knownNames.find((known) => sameVaultName(known, name));
  return clash ? `A vault named "${clash}" already exists (names are unique regardless of letter case).` : null;
}

export function softDeleteDaysError(draft: VaultDraft): string | null {
  if (!draft.softDeleteEnabled) return null;
  if (draft.softDeleteDays.trim() === '') return 'Enter how many days deleted data is kept.';
  return softDeleteDaysProblem(Number(draft.softDeleteDays));
}

export const PASSPHRASE_MIN = 10;

export function passphraseError(draft: VaultDraft): string | null {
  if (!draft.encrypt) return null;
  if (draft.passphrase.length < PASSPHRASE_MIN) return `Use at least ${PASSPHRASE_MIN} characters.`;
  return null;
}

export function passphraseAgainError(draft: VaultDraft): string | null {
  if (!draft.encrypt || draft.passphraseAgain === '') return null;
  return draft.passphrase === draft.passphraseAgain ? null : 'The two passphrases differ.';
}

export function basicsComplete(draft: VaultDraft, knownNames: readonly string[], pathCheck: PathCheck | null): boolean {
  return nameError(draft.name, knownNames) === null && draft.path.trim() !== '' && pathCheck !== null && pathCheck.ok && pathCheck.path !== '';
}

export function settingsComplete(draft: VaultDraft): boolean {
  if (softDeleteDaysError(draft)) return false;
  if (!draft.encrypt) return true;
  return passphraseError(draft) === null && draft.passphrase === draft.passphraseAgain;
}

export function createVaultCli(draft: VaultDraft): string {
  const days = Number(draft.softDeleteDays);
  const lines = [
    cliCommand([
      'labvault vault create',
      `--name ${shellQuote(draft.name)}`,
      `--path ${shellQuote(draft.path)}`,
      draft.softDeleteEnabled && days !== SOFT_DELETE_DAYS_DEFAULT ? `--soft-delete-days ${days}` : null,
      draft.immutability === 'enabled' ? '--immutability enabled' : null,
      draft.encrypt ? '--encrypt --passphrase-file FILE' : null,
    ]),
  ];
  if (!draft.softDeleteEnabled) lines.push(`labvault vault update ${shellQuote(draft.name)} --soft-delete off --confirm ${shellQuote(draft.name)}`);
  return lines.join('\n');
}

export function joinPath(parent: string, child: string, platform: string | undefined): string {
  const separator = platform === 'win32' ? '\\' : '/';
  return parent.endsWith(separator) ? `${parent}${child}` : `${parent}${separator}${child}`;
}
