/**
 * The protect-VMs wizard as data: steps (a discriminated union), the draft, and the
 * checks that let the user move on.
 */
import type { FileCandidate, Item } from '../../../shared/contract/item-models.ts';
import { cliCommand, shellQuote } from '../../format/cli-quote.ts';

export type ProtectStep =
  | { kind: 'vault' }
  | { kind: 'files' }
  | { kind: 'details' }
  | { kind: 'review'; error: string | null }
  | { kind: 'protecting' }
  | { kind: 'done'; item: Item };

export const PROTECT_STEP_LABELS = ['Vault', 'Files', 'Name and policy', 'Review', 'Done'] as const;

export function protectStepIndex(step: ProtectStep): number {
  switch (step.kind) {
    case 'vault': return 0;
    case 'files': return 1;
    case 'details': return 2;
    case 'review': case 'protecting': return 3;
    case 'done': return 4;
  }
}

export interface ProtectDraft {
  vault: string;
  /** One path per line, as typed or picked. */
  pathsText: string;
  name: string;
  nameEdited: boolean;
  policy: string;
}

/** Mirrors the engine's item name rule (electron/engine/protection/item-record.ts). */
export { ITEM_NAME_MIN, ITEM_NAME_MAX } from '../../../shared/item-rules.ts';
import { ITEM_NAME_MAX, itemNameProblem } from '../../../shared/item-rules.ts';

export function pathsOf(text: string): string[] {
  return [...new Set(text.split('\n').map((line) => line.trim()).filter((line) => line !== ''))];
}

/** Paths to protect: what the user listed plus parent images found for differencing disks. */
export function filesToProtect(candidates: readonly FileCandidate[]): string[] {
  return [...new Set(candidates.map((candidate) => candidate.path))];
}

export function candidatesOk(candidates: readonly FileCandidate[] | null): boolean {
  return candidates !== null && candidates.length > 0 && candidates.every((candidate) => candidate.ok);
}

/** A name from the configuration file, else the first disk: "/vms/web-01/web-01.vbox" -> "web-01". */
export function suggestedItemName(candidates: readonly FileCandidate[]): string {
  const pick = candidates.find((candidate) => candidate.role === 'config') ?? candidates.find((candidate) => candidate.role === 'disk') ?? candidates[0];
  if (!pick) return '';
  const base = pick.path.split(/[\\/]/).pop() ?? '';
  return base.replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, ITEM_NAME_MAX);
}

export function itemNameError(name: string): string | null {
  return itemNameProblem(name);
}

export function protectCli(draft: ProtectDraft, files: readonly string[]): string {
  return cliCommand([
    'labvault protect',
    `--vault ${shellQuote(draft.vault)}`,
    `--name ${shellQuote(draft.name)}`,
    draft.policy ? `--policy ${shellQuote(draft.policy)}` : null,
    ...files.map(shellQuote),
  ]);
}
