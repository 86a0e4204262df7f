/** The restore wizard as data: steps (a discriminated union), the draft, and its CLI equivalent. */
import type { Job, Point } from '../../../shared/contract/item-models.ts';
import type { RestoreDiskFormat, RestoreHypervisor } from '../../../shared/contract/restore-vm-channels.ts';
import { cliCommand, shellQuote } from '../../format/cli-quote.ts';

export type RestoreStep =
  | { kind: 'item' }
  | { kind: 'point' }
  | { kind: 'what' }
  | { kind: 'options' }
  | { kind: 'review'; error: string | null }
  | { kind: 'running'; jobId: string }
  | { kind: 'finished'; job: Job };

export const RESTORE_STEP_LABELS = ['Item', 'Recovery point', 'What to restore', 'Options', 'Review', 'Restore', 'Done'] as const;

export function restoreStepIndex(step: RestoreStep): number {
  switch (step.kind) {
    case 'item': return 0;
    case 'point': return 1;
    case 'what': return 2;
    case 'options': return 3;
    case 'review': return 4;
    case 'running': return 5;
    case 'finished': return 6;
  }
}

export type RestoreKind = 'disks' | 'new-vm' | 'replace' | 'files';

/** 'same': the point's own hypervisor. */
export type HypervisorChoice = 'same' | RestoreHypervisor;
/** '': as stored (disks) or the hypervisor's own format (new VM). */
export type FormatChoice = '' | RestoreDiskFormat;

export interface RestoreDraft {
  itemId: string;
  itemName: string;
  pointId: string;
  kind: RestoreKind;
  /** Restore disks: names of the point's files to restore (all when every one is chosen). */
  files: string[];
  allFiles: boolean;
  /** The folder: restore disks into it, or the new VM's folder. */
  target: string;
  /** New VM: the folder was typed or picked (it no longer follows the name). */
  targetEdited: boolean;
  format: FormatChoice;
  /** Restore disks: merge each disk's chain into one image. */
  flatten: boolean;
  /** New VM. */
  vmName: string;
  hypervisor: HypervisorChoice;
  register: boolean;
  keepSavedState: boolean;
  /** Replace: the item's name typed again. */
  confirm: string;
}

export function emptyDraft(itemId: string): RestoreDraft {
  return {
    itemId, itemName: '', pointId: '', kind: 'disks', files: [], allFiles: true, target: '', targetEdited: false,
    format: '', flatten: false, vmName: '', hypervisor: 'same', register: true, keepSavedState: true, confirm: '',
  };
}

/** A point of a VM item (not a folder of disk images): it can be restored as a new VM. */
export function restoresAsVm(point: Pick<Point, 'vm'> | undefined): boolean {
  return point?.vm !== undefined && point.vm.hypervisor !== 'files';
}

/** Where a new VM goes by default: beside the VM the point was taken from, in a folder named after it. */
export function suggestedVmFolder(configPath: string | undefined, name: string): string {
  if (!configPath || name.trim() === '') return '';
  const separator = configPath.includes('\\') && !configPath.includes('/') ? '\\' : '/';
  const vmFolder = configPath.slice(0, Math.max(configPath.lastIndexOf(separator), 0));
  const parent = vmFolder.slice(0, Math.max(vmFolder.lastIndexOf(separator), 0)) || separator;
  return `${parent.endsWith(separator) ? parent : parent + separator}${name.trim()}`;
}

/** The same restore on the command line; `savedState`: the point has a saved state (kept unless dropped). */
export function restoreCli(draft: RestoreDraft, savedState = false): string {
  const item = shellQuote(draft.itemName || 'ITEM');
  const point = `--point ${shellQuote(draft.pointId || 'POINT')}`;
  const to = `--to ${draft.target ? shellQuote(draft.target) : 'DIR'}`;
  switch (draft.kind) {
    case 'new-vm': return cliCommand([
      'labvault restore vm', item, point, to, `--name ${draft.vmName ? shellQuote(draft.vmName) : 'NEW'}`,
      draft.hypervisor !== 'same' && `--hypervisor ${draft.hypervisor}`,
      draft.format !== '' && `--format ${draft.format}`,
      !draft.register && '--no-register',
      savedState && draft.hypervisor === 'same' && !draft.keepSavedState && '--drop-saved-state',
    ]);
    case 'replace': return cliCommand(['labvault restore replace', item, point, `--confirm ${item}`]);
    case 'disks': case 'files': return cliCommand([
      'labvault restore disks', item, point, to,
      ...(draft.allFiles ? [] : draft.files.map((file) => `--file ${shellQuote(file)}`)),
      draft.format !== '' && `--format ${draft.format}`,
      draft.flatten && '--flatten',
    ]);
  }
}

/** The point a replace backed up the current state as, from its subtasks' messages. */
export function prePointOf(job: Pick<Job, 'subtasks'>): string | null {
  for (const subtask of job.subtasks) {
    const found = /(?:backed up as|state before(?: the replace)? is) point (\S+?)(?: \(job|[.;,]?(?:\s|$))/.exec(subtask.message ?? '');
    if (found?.[1]) return found[1];
  }
  return null;
}
