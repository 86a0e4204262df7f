/**
 * The policies of a vault: records in data/records/policies, mirrored in the catalog.
 * Every vault has DefaultPolicy, which cannot be deleted.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { DEFAULT_POLICY_NAME, defaultPolicy, parsePolicy, type Policy } from '../../../shared/policy.ts';
import type { VaultSession } from './vault-session.ts';

export interface PolicyRecord {
  id: string;
  name: string;
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
  policy: Policy;
}

export function upsertPolicyRow(session: VaultSession, record: PolicyRecord): void {
  session.catalog.prepare(`INSERT INTO policies (id, name, body, is_default, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET name = excluded.name, body = excluded.body, is_default = excluded.is_default, updated_at = excluded.updated_at`)
    .run(record.id, record.name, JSON.stringify(record), record.isDefault ? 1 : 0, record.createdAt, record.updatedAt);
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
  const rows = session.catalog.prepare('SELECT body FROM policies ORDER BY is_default DESC, name COLLATE NOCASE').all() as { body: string }[];
  return rows.map((row) => {
    const record = JSON.parse(row.body) as PolicyRecord;
    return { ...record, policy: parsePolicy(record.policy, `policy ${record.name}`) };
  });
}

export function findPolicyRecord(session: VaultSession, nameOrId: string): PolicyRecord {
  const records = listPolicyRecords(session);
  const found = records.find((record) => record.id === nameOrId) ?? records.find((record) => record.name.toLowerCase() === nameOrId.toLowerCase());
  if (!found) {
    throw new LabvaultError(ErrorCodes.NOT_FOUND, `Vault "${session.config.name}" has no policy named "${nameOrId}". Policies: ${records.map((record) => record.name).join(', ') || 'none'}.`, { field: 'policy' });
  }
  return found;
}
