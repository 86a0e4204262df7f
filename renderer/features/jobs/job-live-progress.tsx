/** The running subtask's live figures (from jobProgress events) as a bar and a line of text. */
import type { Job } from '../../../shared/contract/item-models.ts';
import { ProgressBar } from '../../components/progress-bar.tsx';
import { formatBytes, formatRate } from '../../format/format-bytes.ts';
import { formatDuration } from '../../format/format-time.ts';
import { useJobProgressStore, type JobProgress } from '../../stores/job-progress-store.ts';

export function latestProgress(job: Pick<Job, 'id' | 'subtasks'>, progress: Record<string, Record<string, JobProgress>>, subtask?: string): JobProgress | undefined {
  const mine = progress[job.id];
  if (!mine) return undefined;
  if (subtask) return mine[subtask];
  const running = job.subtasks.find((entry) => entry.status === 'in-progress');
  return (running ? mine[running.name] : undefined) ?? Object.values(mine).at(-1);
}

export function JobLiveProgress({ job, subtask, compact = false }: { job: Pick<Job, 'id' | 'subtasks'>; subtask?: string; compact?: boolean }) {
  const progress = useJobProgressStore((state) => state.progress);
  const live = latestProgress(job, progress, subtask);
  if (!live) return compact ? null : <ProgressBar done={0} total={null} label="Progress" />;
  const percent = live.bytesTotal > 0 ? Math.round((live.bytesDone / live.bytesTotal) * 100) : null;
  return (
    <div className={compact ? 'live-compact' : undefined}>
      <ProgressBar done={live.bytesDone} total={live.bytesTotal} label={`${live.subtask} progress`} />
      <div className="job-progress-line">
        <span>{percent !== null ? `${percent} %` : ''} {formatBytes(live.bytesDone)} of {formatBytes(live.bytesTotal)}</span>
        {!compact ? <span>{formatRate(live.bytesPerSecond)} · ETA {live.etaSeconds === null ? '—' : formatDuration(live.etaSeconds)}</span> : null}
      </div>
    </div>
  );
}
