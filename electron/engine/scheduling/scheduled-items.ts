/**
 * What the policy scheduler needs to know about one vault's items: the protected items
 * with their policy, their last recorded slot (schedule-slot-ledger.ts), the start of
 * their latest backup job of any kind (a Backup now covers the slots before it), and
 * when protection began.
 */
import type { ScheduledItem } from '../policy/due-run.ts';
import { latestBackupStartedAt } from '../catalog/job-repository.ts';
import { listItemRecords } from '../protection/item-catalog.ts';
import { listPolicyRecords } from '../policy/policy-records.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import { readLastSlot } from './schedule-slot-ledger.ts';

/** Start of the item's latest backup job (any trigger, any outcome), or undefined. */
export function lastBackupStart(session: VaultSession, itemId: string): Date | undefined {
  const startedAt = latestBackupStartedAt(session.catalog, itemId);
  if (!startedAt) return undefined;
  const at = new Date(startedAt);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** The vault's protected items as the scheduler sees them; items whose policy is missing are skipped. */
export async function scheduledItemsOf(
  session: VaultSession, onMissingPolicy?: (itemName: string, policyId: string) => void,
): Promise<ScheduledItem[]> {
  const policies = new Map(listPolicyRecords(session).map((record) => [record.id, record.policy]));
  const items: ScheduledItem[] = [];
  for (const record of listItemRecords(session)) {
    if (record.state !== 'protected') continue;
    const policy = policies.get(record.policyId);
    if (!policy) {
      onMissingPolicy?.(record.name, record.policyId);
      continue;
    }
    const lastScheduledSlot = await readLastSlot(session, record.id);
    const lastRunAt = lastBackupStart(session, record.id);
    items.push({
      itemId: record.id,
      policy,
      protectedSince: new Date(record.createdAt),
      ...(lastScheduledSlot !== undefined ? { lastScheduledSlot } : {}),
      ...(lastRunAt !== undefined ? { lastRunAt } : {}),
    });
  }
  return items;
}
