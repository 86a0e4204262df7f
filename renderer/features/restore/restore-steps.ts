/** The restore wizard as data: steps (a discriminated union) and the draft. */
import type { Job } from '../../../shared/contract/item-models.ts';
import { cliCommand, shellQuote } from '../../format/cli-quote.ts';

export type RestoreStep =
  | { kind: 'item' }
  | { kind: 'point' }
  | { kind: 'what' }
  | { kind: 'target'; error: string | null }
  | { kind: 'running'; jobId: string }
  | { kind: 'finished'; job: Job };

export const RESTORE_STEP_LABELS = ['Item', 'Recovery point', 'What to restore', 'Target', 'Restore', 'Done'] as const;

export function restoreStepIndex(step: RestoreStep): number {
  switch (step.kind) {
    case 'item': return 0;
    case 'point': return 1;
    case 'what': return 2;
    case 'target': return 3;
    case 'running': return 4;
    case 'finished': return 5;
  }
}

export type RestoreKind = 'disks' | 'new-vm' | 'replace' | 'files';

export interface RestoreDraft {
  itemId: string;
  itemName: string;
  pointId: string;
  kind: RestoreKind;
  /** Names of the point's files to restore (all when every one is chosen). */
  files: string[];
  allFiles: boolean;
  target: string;
}

export function restoreCli(draft: RestoreDraft): string {
  return cliCommand([
    'labvault restore disks',
    shellQuote(draft.itemName || 'ITEM'),
    `--point ${shellQuote(draft.pointId || 'POINT')}`,
    `--to ${draft.target ? shellQuote(draft.target) : 'DIR'}`,
    ...(draft.allFiles ? [] : draft.files.map((file) => `--file ${shellQuote(file)}`)),
  ]);
}
