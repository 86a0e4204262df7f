/** One job: status, its subtasks with their times, figures and errors; cancel while running. */
import { useEffect, useState } from 'react';
import type { Job, Subtask } from '../../../shared/contract/item-models.ts';
import { api } from '../../api/labvault-client.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { Card, FactList } from '../../components/card.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { formatBytes, formatRate } from '../../format/format-bytes.ts';
import { formatDateTimeSeconds as formatDateTime, formatDuration, secondsBetween } from '../../format/format-time.ts';
import { useLoader } from '../../hooks/use-loader.ts';
import { useJobProgressStore } from '../../stores/job-progress-store.ts';
import { navigate } from '../../stores/route-store.ts';
import { toastError, useToastStore } from '../../stores/toast-store.ts';
import { JobStatusBadge } from '../items/item-badges.tsx';
import { JobLiveProgress } from './job-live-progress.tsx';
import { JobOutcomeBanner } from './job-outcome-banner.tsx';
import { subtaskMessageText } from './subtask-words.ts';

const RUNNING_REFRESH_MS = 2000;

function SubtaskPanel({ job, subtask }: { job: Job; subtask: Subtask }) {
  const seconds = secondsBetween(subtask.startedAt, subtask.endedAt);
  const throughput = subtask.bytesPerSecond
    ?? (seconds && seconds > 0 && subtask.bytesRead !== undefined ? subtask.bytesRead / seconds : undefined);
  return (
    <section className="subtask" aria-label={`Subtask ${subtask.name}`}>
      <h3>{subtask.name} <JobStatusBadge status={subtask.status} /></h3>
      {subtask.status === 'in-progress' ? <JobLiveProgress job={job} subtask={subtask.name} /> : null}
      <FactList facts={[
        ['Started', formatDateTime(subtask.startedAt, 'Not started')],
        ['Ended', formatDateTime(subtask.endedAt, subtask.status === 'in-progress' ? 'Running' : '—')],
        ['Duration', formatDuration(subtask.startedAt ? seconds : null)],
        // A test restore reads metadata, not the disks: no byte figures (its outcome is the message).
        ...(subtask.name === 'Test restore' ? [] : byteFacts(subtask, throughput)),
      ]} />
      {subtask.message ? (
        <p className={`small ${subtask.status === 'failed' ? 'field-error' : 'muted'}`}>{subtaskMessageText(subtask.message)}</p>
      ) : null}
    </section>
  );
}

/** Byte figures of a subtask that moves data (Snapshot, Transfer, Restore, Verify). */
function byteFacts(subtask: Subtask, throughput: number | undefined): [string, string][] {
  return [
    ['Throughput', formatRate(throughput)],
    ['Read', formatBytes(subtask.bytesRead)],
    ['Written', formatBytes(subtask.bytesWritten)],
    ['Deduplicated', formatBytes(subtask.bytesDeduplicated)],
    ['Total', formatBytes(subtask.bytesTotal)],
  ];
}

export function JobDetailsPage({ id }: { id: string }) {
  const revision = useJobProgressStore((state) => state.revision);
  const job = useLoader(() => api.jobs.show({ id }), [id, revision]);
  const [cancelling, setCancelling] = useState(false);
  const [, setTick] = useState(0);
  const running = job.data?.status === 'in-progress' || job.data?.status === 'queued';
  const { reload } = job;
  // While it runs: durations tick every second; figures refresh every few seconds.
  useEffect(() => {
    if (!running) return;
    const tick = window.setInterval(() => setTick((value) => value + 1), 1000);
    const refresh = window.setInterval(reload, RUNNING_REFRESH_MS);
    return () => { window.clearInterval(tick); window.clearInterval(refresh); };
  }, [running, reload]);
  const crumbs = [{ label: 'Jobs', onClick: () => navigate({ page: 'jobs' }) }];
  if (!job.data) {
    return <div><PageHeader crumbs={crumbs} title="Job" />{job.error ? <AlertBanner tone="danger" title="Could not show this job.">{job.error}</AlertBanner> : <p className="muted">Loading…</p>}</div>;
  }
  const current = job.data;
  const cancel = async () => {
    setCancelling(true);
    try {
      await api.jobs.cancel({ id: current.id, by: 'ui' });
      useToastStore.getState().show('info', 'Job cancelled', 'No recovery point was made from it.');
      job.reload();
    } catch (problem) {
      toastError('The job could not be cancelled', problem);
    } finally {
      setCancelling(false);
    }
  };
  const title = `${current.operation.charAt(0).toUpperCase()}${current.operation.slice(1)}${current.item ? ` of ${current.item}` : ''}`;
  return (
    <div>
      <PageHeader
        crumbs={crumbs}
        title={<span className="row">{title} <JobStatusBadge status={current.status} /></span>}
        description={`Vault ${current.vaultName} · ${current.trigger} · job ${current.id}`}
        actions={<>
          {current.itemId ? <Button onClick={() => navigate({ page: 'item', item: current.itemId ?? '' })}>Open item</Button> : null}
          {running ? <Button variant="danger" busy={cancelling} onClick={() => void cancel()}>Cancel job</Button> : null}
        </>}
      />
      <JobOutcomeBanner job={current} />
      <div className="stack">
        <Card title="Summary">
          <FactList facts={[
            ['Started', formatDateTime(current.startedAt)],
            ['Ended', formatDateTime(current.endedAt, running ? 'Running' : '—')],
            ['Duration', formatDuration(secondsBetween(current.startedAt, current.endedAt))],
            ['Recovery point', current.pointId ?? '—'],
          ]} />
        </Card>
        <div className="subtasks">
          {current.subtasks.map((subtask) => <SubtaskPanel key={subtask.name} job={current} subtask={subtask} />)}
        </div>
      </div>
    </div>
  );
}
