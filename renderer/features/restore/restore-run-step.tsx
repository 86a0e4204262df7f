/** Steps 5 and 6: the restore job's live progress, then its verified result. */
import type { Job } from '../../../shared/contract/item-models.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { formatBytes } from '../../format/format-bytes.ts';
import { formatDuration, secondsBetween } from '../../format/format-time.ts';
import { JobLiveProgress } from '../jobs/job-live-progress.tsx';

export function RestoreRunStep({ jobId, job, target }: { jobId: string; job: Job | null; target: string }) {
  if (!job) {
    return (
      <div className="form-narrow">
        <h2>Restoring…</h2>
        <p className="step-intro">Writing files into <span className="mono">{target}</span> and checking each against its stored digest.</p>
        <JobLiveProgress job={{ id: jobId, subtasks: [] }} />
      </div>
    );
  }
  const written = job.subtasks.reduce((sum, subtask) => sum + (subtask.bytesWritten ?? 0), 0);
  if (job.status === 'completed') {
    return (
      <div className="done-step">
        <div className="done-mark" aria-hidden="true">✓</div>
        <h2>Restore complete</h2>
        <p className="step-intro" data-testid="restore-verified">Verified: every byte checked against stored digests.</p>
        <p className="muted">{formatBytes(written)} written into <span className="mono">{target}</span> in {formatDuration(secondsBetween(job.startedAt, job.endedAt))}.</p>
      </div>
    );
  }
  return (
    <div className="done-step">
      <div className="done-mark is-failed" aria-hidden="true">!</div>
      <h2>The restore {job.status === 'cancelled' ? 'was cancelled' : 'failed'}</h2>
      {job.error ? <AlertBanner tone="danger" title={job.error.code}>{job.error.message}</AlertBanner> : null}
      <p className="muted">Files already written into <span className="mono">{target}</span> are left as they are; nothing else was touched.</p>
    </div>
  );
}
