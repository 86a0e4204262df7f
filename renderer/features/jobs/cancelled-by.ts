/** Who cancelled a job, in words, from the engine's record (job.cancelled.by). */
import type { JobCancellation } from '../../../shared/contract/item-models.ts';

const CANCELLED_BY: Record<JobCancellation['by'], string> = {
  ui: 'Cancelled by you',
  cli: 'Cancelled from the command line',
  service: 'Cancelled by the background service as it stopped',
  unknown: 'Cancelled',
};

export function cancelledByText(job: { cancelled?: Pick<JobCancellation, 'by'> | undefined }): string {
  return job.cancelled ? CANCELLED_BY[job.cancelled.by] : 'Cancelled';
}
