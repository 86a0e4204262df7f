/**
 * What this machine confirms for an item (app/machine-trust.ts): its files, or for a VM item
 * the VM's configuration path. The files a VM item's backup reads are derived from that local
 * configuration at backup time, never taken from the record.
 */
import { confirmedPathsOf, type ConfirmationSubject } from '../app/machine-trust.ts';
import type { ItemRecord } from './item-record.ts';

export function confirmationSubjectOf(record: ItemRecord): ConfirmationSubject {
  return record.source ? { files: record.files, vmConfig: record.source.configPath } : { files: record.files };
}

/** The paths shown for confirmation: the VM config of a VM item, else the files. */
export function pathsToConfirm(record: ItemRecord): string[] {
  return record.source ? [record.source.configPath] : confirmedPathsOf(record.files);
}
