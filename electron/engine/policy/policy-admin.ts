/**
 * Creating, changing and deleting a vault's policies. A change re-evaluates retention of
 * existing points: previewPolicyChange shows what would be removed before saving, and an
 * immutable vault refuses a change that would remove a point before its current expiry.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { DEFAULT_POLICY_NAME, parsePolicy, policyTypeOf, type Policy } from '../../../shared/policy.ts';
import type { PolicyView } from '../../../shared/contract/policy-channels.ts';
import type { Clock } from '../app/clock.ts';
import { nextRuns } from './next-runs.ts';
import { listItemRecords } from '../protection/item-catalog.ts';
import type { ItemRecord } from '../protection/item-record.ts';
import { effectiveImmutability, immutabilityOn } from '../vault/immutability-state.ts';
import { findPolicyRecord, listPolicyRecords, removePolicyRow, savePolicyRecord, type PolicyRecord } from './policy-records.ts';
import { decideItem } from './retention-pass.ts';
import { assertPolicySavable } from './policy-save-rules.ts';
import type { VaultSession } from '../vault/vault-session.ts';

/** What policy administration is given: the clock (times of changes, previews from now). */
export interface PolicyAdminServices {
  readonly clock: Clock;
}

export function policyView(session: VaultSession, record: PolicyRecord, now: Date): PolicyView {
  return {
    id: record.id,
    name: record.name,
    type: policyTypeOf(record.policy),
    isDefault: record.isDefault,
    body: record.policy as unknown as Record<string, unknown>,
    items: listItemRecords(session).filter((item) => item.policyId === record.id).map((item) => item.name),
    nextRuns: nextRuns(record.policy, now, 5).map((date) => date.toISOString()),
  };
}

export async function createPolicy(
  services: PolicyAdminServices, session: VaultSession, body: unknown,
): Promise<PolicyRecord> {
  const policy = parsePolicy(body, 'policy');
  assertPolicySavable(policy, services.clock.now());
  if (listPolicyRecords(session).some((record) => record.name.toLowerCase() === policy.name.toLowerCase())) {
    throw new LabvaultError(ErrorCodes.CONFLICT, `Vault "${session.config.name}" already has a policy named "${policy.name}".`, { field: 'name' });
  }
  const now = services.clock.now().toISOString();
  const record: PolicyRecord = {
    id: randomUUID(), name: policy.name, isDefault: false, createdAt: now, updatedAt: now, policy,
  };
  await savePolicyRecord(session, record);
  return record;
}

export interface PolicyChangePreview {
  removed: { pointId: string; item: string; createdAt: string; reason: string }[];
  kept: number;
  refusal: string | null;
}

export function previewPolicyChange(services: PolicyAdminServices, session: VaultSession, record: PolicyRecord,
  next: Policy): PolicyChangePreview {
  const items = listItemRecords(session).filter((candidate) => candidate.policyId === record.id && candidate.state !== 'soft-deleted');
  const changes = items.map((item) => ({ item, before: record.policy, after: next }));
  return previewRetentionChange(session, changes, services.clock.now());
}

/**
 * What binding an item to another policy (`item set-policy`, `protection resume --policy`)
 * would remove or shorten; `item` is the record as it will be saved (state included).
 */
export function previewItemPolicyChange(services: PolicyAdminServices, session: VaultSession, item: ItemRecord,
  before: Policy | undefined, after: Policy): PolicyChangePreview {
  if (!before) return previewRetentionChange(session, [], services.clock.now());
  return previewRetentionChange(session, [{ item, before, after }], services.clock.now());
}

function previewRetentionChange(session: VaultSession, changes: { item: ItemRecord; before: Policy; after: Policy }[],
  now: Date): PolicyChangePreview {
  const removed: PolicyChangePreview['removed'] = [];
  let kept = 0;
  const shortened: string[] = [];
  for (const { item, before: beforePolicy, after } of changes) {
    const before = new Map(decideItem(session, item, beforePolicy, now).map((change) => [change.point.id, change]));
    for (const change of decideItem(session, item, after, now)) {
      const previous = before.get(change.point.id);
      if (!change.keep) {
        removed.push({ pointId: change.point.id, item: item.name, createdAt: change.point.createdAt, reason: change.until ? `expired ${change.until} under the new rules` : 'no rule of the new policy keeps it' });
      } else {
        kept += 1;
      }
      const oldUntil = previous?.until ?? null;
      const newUntil = change.keep ? change.until : null;
      const untilShortened = newUntil === null
        ? !change.keep
        : oldUntil !== null && Date.parse(newUntil) < Date.parse(oldUntil);
      if (previous?.keep && untilShortened) {
        shortened.push(change.point.id);
      }
    }
  }
  const refusal = immutabilityOn(session) && (removed.length > 0 || shortened.length > 0)
    ? `Immutability is ${effectiveImmutability(session)} on vault "${session.config.name}": this change would shorten the retention of ${new Set([...removed.map((entry) => entry.pointId), ...shortened]).size} existing point(s)${removedSummary(removed)}. Retention of existing points cannot be shortened while immutability is on.`
    : null;
  return { removed, kept, refusal };
}

const LISTED_POINTS = 5;

function removedSummary(removed: PolicyChangePreview['removed']): string {
  if (removed.length === 0) return '';
  const listed = removed.slice(0, LISTED_POINTS).map((entry) => `${entry.pointId} of "${entry.item}" (${entry.reason})`);
  const more = removed.length > LISTED_POINTS ? ` and ${removed.length - LISTED_POINTS} more` : '';
  return ` and remove ${removed.length}: ${listed.join('; ')}${more}`;
}

/**
 * Refuses binding `next` (the item as it will be saved) to its policy if that shortens retention on an immutable
 * vault.
 */
export function checkItemPolicyChange(services: PolicyAdminServices, session: VaultSession, current: ItemRecord,
  next: ItemRecord): void {
  if (current.policyId === next.policyId) return;
  const policies = listPolicyRecords(session);
  const before = policies.find((candidate) => candidate.id === current.policyId)?.policy;
  const after = policies.find((candidate) => candidate.id === next.policyId)?.policy;
  if (after) refuseShortening(previewItemPolicyChange(services, session, next, before, after));
}

/** Refuses (RULE_VIOLATION) a change whose preview has a refusal; the preview goes in the details. */
export function refuseShortening(preview: PolicyChangePreview): void {
  if (preview.refusal) throw new LabvaultError(ErrorCodes.RULE_VIOLATION, preview.refusal, { field: 'retention', details: { preview } });
}

export async function updatePolicy(
  services: PolicyAdminServices, session: VaultSession, name: string, body: unknown,
): Promise<PolicyRecord> {
  const record = findPolicyRecord(session, name);
  const policy = parsePolicy(body, 'policy');
  assertPolicySavable(policy, services.clock.now());
  if (record.isDefault && policy.name !== DEFAULT_POLICY_NAME) {
    throw new LabvaultError(ErrorCodes.RULE_VIOLATION, `${DEFAULT_POLICY_NAME} cannot be renamed.`, { field: 'name' });
  }
  if (
    policy.name.toLowerCase() !== record.name.toLowerCase()
    && listPolicyRecords(session).some((other) => other.name.toLowerCase() === policy.name.toLowerCase())
  ) {
    throw new LabvaultError(ErrorCodes.CONFLICT, `Vault "${session.config.name}" already has a policy named "${policy.name}".`, { field: 'name' });
  }
  const preview = previewPolicyChange(services, session, record, policy);
  refuseShortening(preview);
  const next: PolicyRecord = { ...record, name: policy.name, policy, updatedAt: services.clock.now().toISOString() };
  await savePolicyRecord(session, next);
  return next;
}

export async function deletePolicy(session: VaultSession, name: string): Promise<void> {
  const record = findPolicyRecord(session, name);
  if (record.isDefault) throw new LabvaultError(ErrorCodes.RULE_VIOLATION, `${DEFAULT_POLICY_NAME} cannot be deleted: every vault keeps it.`, { field: 'name' });
  const users = listItemRecords(session).filter((item) => item.policyId === record.id);
  if (users.length > 0) {
    throw new LabvaultError(ErrorCodes.RULE_VIOLATION, `Policy "${record.name}" is used by ${users.map((item) => item.name).join(', ')}: bind them to another policy first.`, { field: 'name' });
  }
  await session.records.remove('policies', record.id);
  removePolicyRow(session, record.id);
}
