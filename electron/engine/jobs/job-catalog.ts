/**
 * Jobs in the catalog (shared by every process using the vault: WAL SQLite).
 *
 * A running job's row also records the process that runs it (pid, host). When that process
 * died without finishing the job (killed, crashed, power loss), the row is marked failed
 * the next time it is read, so no job stays "in progress" forever. The point it was making
 * never existed: a point exists only once its manifest is committed.
 */
import { hostname } from 'node:os';
import { ErrorCodes } from '../../../shared/errors.ts';
import type { Job, JobOperation, JobStatus } from '../../../shared/contract/item-models.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import { processAlive } from '../app/process-liveness.ts';

interface JobOwner {
  pid: number;
  host: string;
}

type JobRowBody = Job & { owner?: JobOwner };

function unfinished(job: Job): boolean {
  return job.status === 'queued' || job.status === 'in-progress';
}

function ownerGone(owner: JobOwner | undefined): boolean {
  if (!owner || owner.host !== hostname() || owner.pid === process.pid) return false;
  return !processAlive(owner.pid);
}

export function saveJobRow(session: VaultSession, job: Job): void {
  const body: JobRowBody = unfinished(job) ? { ...job, owner: { pid: process.pid, host: hostname() } } : job;
  session.catalog.prepare(`INSERT INTO jobs (id, item_id, operation, status, started_at, ended_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET status = excluded.status, ended_at = excluded.ended_at, body = excluded.body`)
    .run(job.id, job.itemId, job.operation, job.status, job.startedAt, job.endedAt, JSON.stringify(body));
}

/** Parses a row; an unfinished job whose process is gone is marked failed (and saved so). */
function jobFromRow(session: VaultSession, text: string): Job {
  const { owner, ...job } = JSON.parse(text) as JobRowBody;
  if (!unfinished(job) || !ownerGone(owner)) return job;
  const now = new Date().toISOString();
  const message = `Interrupted: the Labvault process running this job (pid ${owner?.pid ?? '?'}) ended before the job finished. Nothing partial was kept; run it again.`;
  for (const subtask of job.subtasks) {
    if (subtask.status === 'in-progress') {
      subtask.status = 'failed';
      subtask.endedAt = now;
      subtask.message = message;
    } else if (subtask.status === 'queued') {
      subtask.status = 'cancelled';
      subtask.message = 'not run: the job was interrupted';
    }
  }
  job.status = 'failed';
  job.endedAt = now;
  job.error = { code: ErrorCodes.INTERNAL, message };
  saveJobRow(session, job);
  session.records.write('jobs', job.id, job).catch(() => undefined);
  return job;
}

export function readJobRow(session: VaultSession, id: string): Job | null {
  const row = session.catalog.prepare('SELECT body FROM jobs WHERE id = ?').get(id) as { body: string } | undefined;
  return row ? jobFromRow(session, row.body) : null;
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
  return (session.catalog.prepare(sql).all(...params) as { body: string }[]).map((row) => jobFromRow(session, row.body));
}

/** The newest backup job of an item, for "last backup" columns. */
export function lastBackupJob(session: VaultSession, itemId: string): Job | null {
  const row = session.catalog.prepare("SELECT body FROM jobs WHERE item_id = ? AND operation = 'backup' AND status NOT IN ('queued', 'in-progress') ORDER BY started_at DESC LIMIT 1").get(itemId) as { body: string } | undefined;
  return row ? jobFromRow(session, row.body) : null;
}

/** Marks every unfinished job of a dead process as failed (before counting running jobs). */
export function settleInterruptedJobs(session: VaultSession): void {
  const rows = session.catalog.prepare("SELECT body FROM jobs WHERE status IN ('queued', 'in-progress')").all() as { body: string }[];
  for (const row of rows) jobFromRow(session, row.body);
}
