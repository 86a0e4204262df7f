/** Shows a running job's progress on a terminal and waits for it to end. */
import type { Job } from '../../shared/contract/item-models.ts';
import type { CliIo } from './cli-command.ts';
import { cliClient, cliEvents } from './cli-context.ts';
import { formatBytes, formatDuration } from './cli-format.ts';

/** Waits for a job this process started (jobs.wait); Ctrl+C cancels it. */
export async function waitWithProgress(jobId: string, io: CliIo, show: boolean): Promise<Job> {
  let lastLine = '';
  const client = cliClient(io);
  const unsubscribe = cliEvents(io).on('jobProgress', (progress) => {
    if (!show || progress.jobId !== jobId) return;
    const percent = progress.bytesTotal > 0 ? ` ${Math.min(100, Math.floor((progress.bytesDone / progress.bytesTotal) * 100))}%` : '';
    const rate = progress.bytesPerSecond > 0 ? ` ${formatBytes(progress.bytesPerSecond)}/s` : '';
    const eta = progress.etaSeconds !== null && progress.etaSeconds > 0 ? ` ETA ${formatDuration(progress.etaSeconds * 1000)}` : '';
    const line = `${progress.subtask}:${percent} ${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}${rate}${eta}`;
    if (line === lastLine) return;
    lastLine = line;
    if (io.isTty) process.stderr.write(`\r\u001b[2K${line}`);
  });
  const cancel = () => {
    client.jobs.cancel({ id: jobId, by: 'cli' }).catch(() => undefined);
  };
  process.once('SIGINT', cancel);
  try {
    return await client.jobs.wait({ id: jobId });
  } finally {
    process.off('SIGINT', cancel);
    unsubscribe();
    if (show && io.isTty && lastLine) process.stderr.write('\n');
  }
}

/** Exit code of a command that waited for a job: 4 when it was cancelled (see labvault.ts). */
export const EXIT_CANCELLED = 4;

/** 0 completed (or skipped), 4 cancelled, 1 failed or still running. */
export function jobExitCode(job: Job): number {
  if (job.status === 'completed' || job.status === 'skipped') return 0;
  return job.status === 'cancelled' ? EXIT_CANCELLED : 1;
}

function outcomeOf(job: Job): string {
  if (job.cancelled) return ` (${job.cancelled.message})`;
  return job.error ? ` (${job.error.code}: ${job.error.message})` : '';
}

export function describeJob(job: Job): string {
  const lines = [`Job ${job.id}: ${job.operation} of ${job.item ?? job.vaultName} ${job.status}${outcomeOf(job)}`];
  for (const subtask of job.subtasks) {
    const duration = subtask.startedAt && subtask.endedAt ? ` in ${formatDuration(Date.parse(subtask.endedAt) - Date.parse(subtask.startedAt))}` : '';
    const figures = [
      subtask.bytesRead !== undefined ? `read ${formatBytes(subtask.bytesRead)}` : '',
      subtask.bytesWritten !== undefined ? `written ${formatBytes(subtask.bytesWritten)}` : '',
      subtask.bytesDeduplicated !== undefined ? `deduplicated ${formatBytes(subtask.bytesDeduplicated)}` : '',
      subtask.bytesPerSecond ? `${formatBytes(subtask.bytesPerSecond)}/s` : '',
    ].filter(Boolean).join(', ');
    lines.push(`  ${subtask.name}: ${subtask.status}${duration}${figures ? `; ${figures}` : ''}${subtask.message ? `. ${subtask.message}` : ''}`);
  }
  if (job.pointId) lines.push(`  Recovery point: ${job.pointId}`);
  return lines.join('\n');
}
