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
import type { Job } from '../../../shared/contract/item-models.ts';
import {
  countJobsSince, findJob, findLastFinishedBackup, listUnfinishedJobs, queryJobs, upsertJob,
  type JobCounts, type JobOwner, type JobQuery, type StoredJob,
} from '../catalog/job-repository.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import { processAlive } from '../app/process-liveness.ts';

export type { JobQuery };

function unfinished(job: Job): boolean {
  return job.status === 'queued' || job.status === 'in-progress';
}

function ownerGone(owner: JobOwner | undefined): boolean {
  if (!owner || owner.host !== hostname() || owner.pid === process.pid) return false;
  return !processAlive(owner.pid);
}

export function saveJobRow(session: VaultSession, job: Job): void {
  const body: StoredJob = unfinished(job) ? { ...job, owner: { pid: process.pid, host: hostname() } } : job;
  upsertJob(session.catalog, body);
}

/**
 * Older records kept a cancel as an error with code CANCELLED (status 'cancelled', or 'failed' before that
 * state existed): read them as status 'cancelled' with job.cancelled (by 'unknown') and no error.
 */
export function withCancelledState(job: Job): Job {
  if (job.error?.code !== ErrorCodes.CANCELLED || (job.status !== 'failed' && job.status !== 'cancelled')) return job;
  const { error, ...rest } = job;
  return {
    ...rest,
    status: 'cancelled',
    cancelled: job.cancelled ?? { by: 'unknown', at: job.endedAt ?? job.startedAt, message: error.message },
  };
}

/** A stored job as read; an unfinished job whose process is gone is marked failed (and saved so). */
function jobFromRow(session: VaultSession, stored: StoredJob): Job {
  const { owner, ...read } = stored;
  const job = withCancelledState(read);
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
  const stored = findJob(session.catalog, id);
  return stored ? jobFromRow(session, stored) : null;
}

export function queryJobRows(session: VaultSession, query: JobQuery): Job[] {
  return queryJobs(session.catalog, query).map((stored) => jobFromRow(session, stored));
}

/** The newest backup job of an item, for "last backup" columns. */
export function lastBackupJob(session: VaultSession, itemId: string): Job | null {
  const stored = findLastFinishedBackup(session.catalog, itemId);
  return stored ? jobFromRow(session, stored) : null;
}

/** Marks every unfinished job of a dead process as failed (before counting running jobs). */
export function settleInterruptedJobs(session: VaultSession): void {
  for (const stored of listUnfinishedJobs(session.catalog)) jobFromRow(session, stored);
}

/** Running jobs, and jobs failed or completed since `since` (ISO instant), as stored now. */
export function recentJobCounts(session: VaultSession, since: string): JobCounts {
  return countJobsSince(session.catalog, since);
}
