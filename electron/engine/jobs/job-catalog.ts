/** Jobs in the catalog (shared by every process using the vault: WAL SQLite). */
import type { Job, JobOperation, JobStatus } from '../../../shared/contract/item-models.ts';
import type { VaultSession } from '../vault/vault-session.ts';

export function saveJobRow(session: VaultSession, job: Job): void {
  session.catalog.prepare(`INSERT INTO jobs (id, item_id, operation, status, started_at, ended_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET status = excluded.status, ended_at = excluded.ended_at, body = excluded.body`)
    .run(job.id, job.itemId, job.operation, job.status, job.startedAt, job.endedAt, JSON.stringify(job));
}

export function readJobRow(session: VaultSession, id: string): Job | null {
  const row = session.catalog.prepare('SELECT body FROM jobs WHERE id = ?').get(id) as { body: string } | undefined;
  return row ? (JSON.parse(row.body) as Job) : null;
}

export interface JobQuery {
  status?: JobStatus | undefined;
  operation?: JobOperation | undefined;
  itemId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit?: number | undefined;
}

export function queryJobRows(session: VaultSession, query: JobQuery): Job[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.status) { where.push('status = ?'); params.push(query.status); }
  if (query.operation) { where.push('operation = ?'); params.push(query.operation); }
  if (query.itemId) { where.push('item_id = ?'); params.push(query.itemId); }
  if (query.from) { where.push('started_at >= ?'); params.push(query.from); }
  if (query.to) { where.push('started_at <= ?'); params.push(query.to); }
  const sql = `SELECT body FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC LIMIT ?`;
  params.push(query.limit ?? 500);
  return (session.catalog.prepare(sql).all(...params) as { body: string }[]).map((row) => JSON.parse(row.body) as Job);
}

/** The newest backup job of an item, for "last backup" columns. */
export function lastBackupJob(session: VaultSession, itemId: string): Job | null {
  const row = session.catalog.prepare("SELECT body FROM jobs WHERE item_id = ? AND operation = 'backup' AND status NOT IN ('queued', 'in-progress') ORDER BY started_at DESC LIMIT 1").get(itemId) as { body: string } | undefined;
  return row ? (JSON.parse(row.body) as Job) : null;
}
