/**
 * The policies table: rows mirror the policy records in data/records/policies (the body is
 * the record's JSON). policy/policy-records.ts checks each policy it reads.
 */
import type { Policy } from '../../../shared/policy.ts';
import type { CatalogDb } from './vault-catalog.ts';

export interface PolicyRecord {
  id: string;
  name: string;
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
  policy: Policy;
}

export function upsertPolicy(db: CatalogDb, record: PolicyRecord): void {
  db.prepare(`INSERT INTO policies (id, name, body, is_default, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET name = excluded.name, body = excluded.body, is_default = excluded.is_default,
    updated_at = excluded.updated_at`)
    .run(record.id, record.name, JSON.stringify(record), record.isDefault ? 1 : 0, record.createdAt, record.updatedAt);
}

/** Every policy as stored (not yet checked), the default first, then by name (case-insensitive). */
export function listPolicies(db: CatalogDb): PolicyRecord[] {
  const rows = db.prepare('SELECT body FROM policies ORDER BY is_default DESC, name COLLATE NOCASE')
    .all() as { body: string }[];
  return rows.map((row) => JSON.parse(row.body) as PolicyRecord);
}

export function deletePolicyRow(db: CatalogDb, policyId: string): void {
  db.prepare('DELETE FROM policies WHERE id = ?').run(policyId);
}

export function countPolicies(db: CatalogDb): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM policies').get() as { n: number }).n;
}
