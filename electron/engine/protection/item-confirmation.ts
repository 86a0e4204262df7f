/**
 * Which items this machine lets read their files. An item record comes from the vault
 * folder, which anyone with access to it may have written; its file list is only acted on
 * once confirmed here (app/machine-trust.ts): at `protect`, or by `labvault item confirm`
 * (the UI's Confirm files dialog). An unconfirmed item is listed as needing confirmation
 * and is never backed up, by any face or by the scheduler.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { confirmationProblem, confirmedPathsOf, type MachineTrust } from '../app/machine-trust.ts';
import { confirmationSubjectOf, pathsToConfirm } from './confirmation-subject.ts';
import { listAllAlerts } from '../catalog/alert-repository.ts';
import type { AlertService } from '../alerts/alert-service.ts';
import type { Clock } from '../app/clock.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import type { ItemRecord } from './item-record.ts';
import type { ResolvedItem } from './protection-service.ts';

export { confirmationSubjectOf, pathsToConfirm } from './confirmation-subject.ts';

/** What confirming an item's files is given: this machine's trust record and the clock; alerts to raise. */
export interface ItemConfirmationServices {
  readonly clock: Clock;
  readonly vaults: { readonly trust: Pick<MachineTrust, 'confirmItem'> };
  readonly alerts: Pick<AlertService, 'raise'>;
}

export const NEEDS_CONFIRMATION_ALERT = 'Item needs confirmation';

/** Why the item is not confirmed on this machine, or null when it is. */
export async function itemConfirmationProblem(trust: MachineTrust, session: VaultSession,
  record: ItemRecord): Promise<string | null> {
  const entry = (await trust.vault(session.config.id))?.items[record.id];
  return confirmationProblem(entry, confirmationSubjectOf(record));
}

/** Confirmation problems of many items, reading the trust file once per vault. */
export async function confirmationProblems(
  trust: MachineTrust, resolved: ResolvedItem[],
): Promise<Map<string, string>> {
  const problems = new Map<string, string>();
  const byVault = new Map<string, Awaited<ReturnType<MachineTrust['vault']>>>();
  for (const { session, record } of resolved) {
    const vaultId = session.config.id;
    if (!byVault.has(vaultId)) byVault.set(vaultId, await trust.vault(vaultId));
    const problem = confirmationProblem(byVault.get(vaultId)?.items[record.id], confirmationSubjectOf(record));
    if (problem) problems.set(`${vaultId}/${record.id}`, problem);
  }
  return problems;
}

export function confirmCommand(session: VaultSession, record: ItemRecord): string {
  return `labvault item confirm ${session.config.name}/${record.name}`;
}

/** Refuses (RULE_VIOLATION) to back up an item this machine has not confirmed. */
export async function assertItemConfirmed(
  trust: MachineTrust, session: VaultSession, record: ItemRecord,
): Promise<void> {
  const problem = await itemConfirmationProblem(trust, session, record);
  if (!problem) return;
  throw new LabvaultError(ErrorCodes.RULE_VIOLATION,
    `Item "${record.name}" in vault "${session.config.name}" needs confirmation on this machine before it is backed up: `
    + `${problem}. Check the files it names (labvault item show ${session.config.name}/${record.name}), `
    + `then run "${confirmCommand(session, record)}".`,
    { field: 'item', details: { rule: 'item-confirmation', item: record.name, files: pathsToConfirm(record) } });
}

/**
 * Confirms on this machine the files the item's record names now. With `expectedFiles`
 * (what the user was shown), a record that changed since is refused (CONFLICT).
 */
export async function confirmItemFiles(services: Omit<ItemConfirmationServices, 'alerts'>, resolved: ResolvedItem,
  expectedFiles?: string[]): Promise<string[]> {
  const { session, record } = resolved;
  const files = pathsToConfirm(record);
  if (expectedFiles !== undefined) {
    const expected = [...new Set(expectedFiles)].sort();
    const same = (list: string[]): boolean => expected.length === list.length
      && expected.every((path, index) => path === list[index]);
    // A VM item may be confirmed from its config path or from the file list it showed.
    if (!same(files) && !(record.source && same(confirmedPathsOf(record.files)))) {
      throw new LabvaultError(ErrorCodes.CONFLICT,
        `The files of item "${record.name}" changed since they were shown (it now names ${files.join(', ') || 'no file'}). `
        + 'Review them again before confirming.',
        { field: 'files', details: { files } });
    }
  }
  await services.vaults.trust.confirmItem(session.config.id, record.id, confirmationSubjectOf(record),
    services.clock.now());
  return files;
}

/** Raises a warning once per unconfirmed item (kept until acknowledged) when the scheduler skips it. */
export async function alertUnconfirmed(services: Pick<ItemConfirmationServices, 'alerts'>, session: VaultSession, record: ItemRecord,
  problem: string): Promise<void> {
  const marker = `Item "${record.name}" (${record.id})`;
  const open = listAllAlerts(session.catalog).some((alert) =>
    !alert.acknowledged && alert.title === NEEDS_CONFIRMATION_ALERT && alert.message.startsWith(marker));
  if (open) return;
  await services.alerts.raise(session, 'warning', NEEDS_CONFIRMATION_ALERT,
    `${marker} in vault "${session.config.name}" is not backed up on this machine: ${problem}. `
    + `Check its files, then run "${confirmCommand(session, record)}" or confirm them on the item's page.`);
}
