/**
 * Steps 6 and 7: the restore job's live progress (each subtask with its state and figures,
 * as the job page shows them), then its result: the folder, the registered VM or the command
 * to register it, or the point a replace backed up the current state as.
 */
import type { Job } from '../../../shared/contract/item-models.ts';
import type { RestoreVmPlan } from '../../../shared/contract/restore-vm-channels.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { formatBytes } from '../../format/format-bytes.ts';
import { formatDuration, secondsBetween } from '../../format/format-time.ts';
import { JobStatusBadge } from '../items/item-badges.tsx';
import { JobLiveProgress } from '../jobs/job-live-progress.tsx';
import { subtaskMessageText } from '../jobs/subtask-words.ts';
import { RegistrationText } from './restore-review-step.tsx';
import { prePointOf, type RestoreDraft } from './restore-steps.ts';

function RestoreSubtasks({ job }: { job: Job }) {
  return (
    <div className="subtasks">
      {job.subtasks.map((subtask) => (
        <section key={subtask.name} className="subtask" aria-label={`Subtask ${subtask.name}`}>
          <h3>{subtask.name} <JobStatusBadge status={subtask.status} /></h3>
          {subtask.status === 'in-progress' ? <JobLiveProgress job={job} subtask={subtask.name} /> : null}
          {subtask.message ? <p className="small muted">{subtaskMessageText(subtask.message)}</p> : null}
        </section>
      ))}
    </div>
  );
}

function doingWhat(draft: RestoreDraft, plan: RestoreVmPlan | null): string {
  switch (draft.kind) {
    case 'new-vm': return `Writing ${plan?.name ?? draft.vmName} into ${plan?.folder ?? draft.target}, then checking every disk against the backup.`;
    case 'replace': return `Backing up the current state of ${draft.itemName}, then putting the point's files in place one by one.`;
    default: return `Writing files into ${draft.target} and checking each against the backup.`;
  }
}

export function RestoreRunStep({ jobId, job, draft, plan, pointTime }: {
  jobId: string; job: Job | null; draft: RestoreDraft; plan: RestoreVmPlan | null;
  /** When the restored point was taken, as shown. */
  pointTime: string;
}) {
  if (!job || job.status === 'in-progress' || job.status === 'queued') {
    return (
      <div className="form-wide">
        <h2>Restoring…</h2>
        <p className="step-intro">{doingWhat(draft, plan)}</p>
        {job ? <RestoreSubtasks job={job} /> : <JobLiveProgress job={{ id: jobId, subtasks: [] }} />}
      </div>
    );
  }
  if (job.status !== 'completed') {
    return (
      <div className="done-step">
        <div className="done-mark is-failed" aria-hidden="true">!</div>
        <h2>The restore {job.status === 'cancelled' ? 'was cancelled' : 'failed'}</h2>
        {job.error ? <AlertBanner tone="danger" title={job.error.code}>{job.error.message}</AlertBanner> : null}
        <p className="muted">{draft.kind === 'replace'
          ? 'Every file is either the old or the new one; the message above says how to finish or undo the replace.'
          : 'Nothing outside the restore folder was touched; what was written there is left as it is.'}</p>
      </div>
    );
  }
  const written = job.subtasks.reduce((sum, subtask) => sum + (subtask.bytesWritten ?? 0), 0);
  const took = formatDuration(secondsBetween(job.startedAt, job.endedAt));
  if (draft.kind === 'new-vm' && plan) {
    return (
      <div className="done-step">
        <div className="done-mark" aria-hidden="true">✓</div>
        <h2>{plan.name} is restored</h2>
        <p className="step-intro" data-testid="restore-verified">Verified: every disk checked against the backup.</p>
        <dl className="review done-cli">
          <dt>Folder</dt><dd className="mono small" data-testid="restored-folder">{plan.folder}</dd>
          <dt>Configuration</dt><dd className="mono small">{plan.configPath}</dd>
          <dt>Registration</dt><dd className="small" data-testid="restored-registration"><RegistrationText plan={plan} /></dd>
          <dt>Written</dt><dd>{formatBytes(written)} in {took}</dd>
        </dl>
      </div>
    );
  }
  if (draft.kind === 'replace') {
    const prePoint = prePointOf(job);
    return (
      <div className="done-step">
        <div className="done-mark" aria-hidden="true">✓</div>
        <h2>{draft.itemName} is back as it was on {pointTime}</h2>
        <p className="step-intro" data-testid="restore-verified">Verified: every file replaced and checked against the backup.</p>
        <dl className="review done-cli">
          <dt>Before the replace</dt><dd data-testid="pre-replace-point">{prePoint ? <>Saved as recovery point <span className="mono">{prePoint}</span>: restore it to undo this.</> : 'Saved as a recovery point of its own.'}</dd>
          <dt>Written</dt><dd>{formatBytes(written)} in {took}</dd>
        </dl>
      </div>
    );
  }
  return (
    <div className="done-step">
      <div className="done-mark" aria-hidden="true">✓</div>
      <h2>Restore complete</h2>
      <p className="step-intro" data-testid="restore-verified">Verified: every byte checked against stored digests.</p>
      <p className="muted">{formatBytes(written)} written into <span className="mono">{draft.target}</span> in {took}.</p>
    </div>
  );
}
