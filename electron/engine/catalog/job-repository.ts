/**
 * The jobs table, shared by every process using the vault (WAL SQLite). The body is the
 * job's JSON; a running job's body also names the process that runs it (jobs/job-catalog.ts
 * decides what a row whose process died means).
 */
import type { Job, JobOperation, JobStatus } from '../../../shared/contract/item-models.ts';
import type { CatalogDb } from './vault-catalog.ts';

export interface JobOwner {
  pid: number;
  host: string;
}

/** A job as stored: the job, plus its owner process while it is unfinished. */
export type StoredJob = Job & { owner?: JobOwner };

export interface JobQuery {
  status?: JobStatus | undefined;
  operation?: JobOperation | undefined;
  itemId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit?: number | undefined;
}

/** Jobs started in a period, by outcome (the dashboard's counters). */
export interface JobCounts {
  running: number;
  failed: number;
  completed: number;
}

function decodeJob(body: string): StoredJob {
  return JSON.parse(body) as StoredJob;
}

/** Inserts the job's row, or updates its status, end and body (the start and operation never change). */
export function upsertJob(db: CatalogDb, job: StoredJob): void {
  db.prepare(`INSERT INTO jobs (id, item_id, operation, status, started_at, ended_at, body)
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET status = excluded.status, ended_at = excluded.ended_at, body = excluded.body`)
    .run(job.id, job.itemId, job.operation, job.status, job.startedAt, job.endedAt, JSON.stringify(job));
}

export function findJob(db: CatalogDb, id: string): StoredJob | null {
  const row = db.prepare('SELECT body FROM jobs WHERE id = ?').get(id) as { body: string } | undefined;
  return row ? decodeJob(row.body) : null;
}

/** Jobs matching every field the query sets, newest first, at most `limit` (500 by default). */
export function queryJobs(db: CatalogDb, query: JobQuery): StoredJob[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.status) { where.push('status = ?'); params.push(query.status); }
  if (query.operation) { where.push('operation = ?'); params.push(query.operation); }
  if (query.itemId) { where.push('item_id = ?'); params.push(query.itemId); }
  if (query.from) { where.push('started_at >= ?'); params.push(query.from); }
  if (query.to) { where.push('started_at <= ?'); params.push(query.to); }
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const sql = `SELECT body FROM jobs ${filter} ORDER BY started_at DESC LIMIT ?`;
  params.push(query.limit ?? 500);
  return (db.prepare(sql).all(...params) as { body: string }[]).map((row) => decodeJob(row.body));
}

/** The item's newest finished backup job, or null. */
export function findLastFinishedBackup(db: CatalogDb, itemId: string): StoredJob | null {
  const row = db.prepare(`SELECT body FROM jobs WHERE item_id = ? AND operation = 'backup'
    AND status NOT IN ('queued', 'in-progress') ORDER BY started_at DESC LIMIT 1`)
    .get(itemId) as { body: string } | undefined;
  return row ? decodeJob(row.body) : null;
}

/** Start (ISO instant as stored) of the item's latest backup job of any status, or undefined. */
export function latestBackupStartedAt(db: CatalogDb, itemId: string): string | undefined {
  const row = db.prepare("SELECT MAX(started_at) AS at FROM jobs WHERE item_id = ? AND operation = 'backup'")
    .get(itemId) as { at: string | null } | undefined;
  return row?.at ?? undefined;
}

/** Every queued or in-progress job. */
export function listUnfinishedJobs(db: CatalogDb): StoredJob[] {
  const rows = db.prepare("SELECT body FROM jobs WHERE status IN ('queued', 'in-progress')")
    .all() as { body: string }[];
  return rows.map((row) => decodeJob(row.body));
}

/** Running jobs (any start), and failed and completed jobs started at or after `since` (ISO instant). */
export function countJobsSince(db: CatalogDb, since: string): JobCounts {
  const counts = db.prepare(`SELECT
      SUM(CASE WHEN status IN ('queued', 'in-progress') THEN 1 ELSE 0 END) AS running,
      SUM(CASE WHEN status = 'failed' AND started_at >= ? THEN 1 ELSE 0 END) AS failed,
      SUM(CASE WHEN status = 'completed' AND started_at >= ? THEN 1 ELSE 0 END) AS completed FROM jobs`)
    .get(since, since) as { running: number | null; failed: number | null; completed: number | null };
  return { running: counts.running ?? 0, failed: counts.failed ?? 0, completed: counts.completed ?? 0 };
}

export function countJobs(db: CatalogDb): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n;
}
