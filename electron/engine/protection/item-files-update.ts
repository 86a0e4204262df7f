/**
 * Changing a protected item's files later (a disk added, the VM moved): the new set is
 * chosen like at protect (a VM config resolves to the VM), the change is shown before it is
 * saved (`dryRun`), and saving keeps the item protected. This machine confirms what the user
 * chose here; another machine needs to confirm again only when the item now names files (or
 * a VM config) it never confirmed (app/machine-trust.ts).
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { confirmedPathsOf } from '../app/machine-trust.ts';
import type { Clock } from '../app/clock.ts';
import { confirmationSubjectOf } from './confirmation-subject.ts';
import type { ItemRecord } from './item-record.ts';
import type { ProtectInput, ProtectionService, ResolvedItem } from './protection-service.ts';
import { vmSourceOf } from './vm-source.ts';

export interface FilesChange {
  added: string[];
  removed: string[];
  /** The VM configuration the item follows before and after (VM items). */
  vmBefore: string | null;
  vmAfter: string | null;
  notes: string[];
  saved: boolean;
}

export async function updateItemFiles(protection: ProtectionService, clock: Clock, resolved: ResolvedItem,
  input: Pick<ProtectInput, 'files' | 'vm'> & { dryRun?: boolean | undefined }): Promise<{ record: ItemRecord; change: FilesChange }> {
  const { session, record } = resolved;
  if (record.state === 'soft-deleted') {
    throw new LabvaultError(ErrorCodes.RULE_VIOLATION, `Item "${record.name}" is soft-deleted: undelete it before changing its files.`, { field: 'item' });
  }
  const chosen = await protection.chooseFiles(input, record.id);
  const before = new Set(confirmedPathsOf(record.files));
  const after = confirmedPathsOf(chosen.files);
  const notes = [...chosen.notes];
  const source = chosen.vm ? vmSourceOf(chosen.vm) : undefined;
  if (record.source && source && record.source.vmId !== source.vmId) {
    notes.push(`The configuration describes another VM ("${source.vmName}", id ${source.vmId}) than before ("${record.source.vmName}"); its points are kept under this item.`);
  }
  if (record.source && !source) notes.push('The item no longer follows a VM configuration: it keeps exactly these files.');
  const change: FilesChange = {
    added: after.filter((path) => !before.has(path)),
    removed: [...before].filter((path) => !after.includes(path)),
    vmBefore: record.source?.configPath ?? null,
    vmAfter: source?.configPath ?? null,
    notes,
    saved: false,
  };
  if (input.dryRun === true) return { record, change };
  const { source: _old, ...rest } = record;
  const next: ItemRecord = {
    ...rest, files: chosen.files, ...(source ? { source } : {}), updatedAt: clock.now().toISOString(),
  };
  await protection.saveItem(session, next);
  // Chosen here by the user: confirmed on this machine (its scripts are kept).
  await protection.trust.confirmItem(session.config.id, next.id, confirmationSubjectOf(next), clock.now());
  return { record: next, change: { ...change, saved: true } };
}
