/**
 * The policies of a vault: records in data/records/policies, mirrored in the catalog.
 * Every vault has DefaultPolicy, which cannot be deleted.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { DEFAULT_POLICY_NAME, defaultPolicy, parsePolicy } from '../../../shared/policy.ts';
import { deletePolicyRow, listPolicies, upsertPolicy, type PolicyRecord } from '../catalog/policy-repository.ts';
import type { VaultSession } from '../vault/vault-session.ts';

export type { PolicyRecord };

export function upsertPolicyRow(session: VaultSession, record: PolicyRecord): void {
  upsertPolicy(session.catalog, record);
}

export function removePolicyRow(session: VaultSession, policyId: string): void {
  deletePolicyRow(session.catalog, policyId);
}

export async function savePolicyRecord(session: VaultSession, record: PolicyRecord): Promise<void> {
  await session.records.write('policies', record.id, record);
  upsertPolicyRow(session, record);
}

export async function ensureDefaultPolicy(session: VaultSession, now: Date): Promise<PolicyRecord> {
  const existing = listPolicyRecords(session).find((record) => record.isDefault);
  if (existing) return existing;
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const record: PolicyRecord = {
    id: randomUUID(), name: DEFAULT_POLICY_NAME, isDefault: true,
    createdAt: now.toISOString(), updatedAt: now.toISOString(), policy: defaultPolicy(timeZone),
  };
  await savePolicyRecord(session, record);
  return record;
}

export function listPolicyRecords(session: VaultSession): PolicyRecord[] {
  return listPolicies(session.catalog)
    .map((record) => ({ ...record, policy: parsePolicy(record.policy, `policy ${record.name}`) }));
}

export function findPolicyRecord(session: VaultSession, nameOrId: string): PolicyRecord {
  const records = listPolicyRecords(session);
  const found = records.find((record) => record.id === nameOrId)
    ?? records.find((record) => record.name.toLowerCase() === nameOrId.toLowerCase());
  if (!found) {
    throw new LabvaultError(ErrorCodes.NOT_FOUND, `Vault "${session.config.name}" has no policy named "${nameOrId}". Policies: ${records.map((record) => record.name).join(', ') || 'none'}.`, { field: 'policy' });
  }
  return found;
}
