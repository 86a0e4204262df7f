/**
 * What happened to a finished job, in one banner: a cancelled job is its own neutral state
 * (who cancelled it, what was kept), a failed one names its error, a verified restore says so.
 */
import type { Job } from '../../../shared/contract/item-models.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { navigate } from '../../stores/route-store.ts';
import { cancelledByText } from './cancelled-by.ts';

export function JobOutcomeBanner({ job }: { job: Job }) {
  if (job.status === 'cancelled') {
    const backup = job.operation === 'backup';
    return (
      <AlertBanner
        tone="info"
        title={`${cancelledByText(job)}.`}
        actions={backup ? <Button small onClick={() => navigate({ page: 'vault', name: job.vaultName })}>Open vault</Button> : null}
      >
        {job.cancelled?.message ?? (backup
          ? 'No recovery point was made. Data it wrote before the cancel belongs to no recovery point: the vault page'
            + ' shows it as reclaimable until a clean-up (Reclaim space) removes it.'
          : 'The job stopped before it finished.')}
      </AlertBanner>
    );
  }
  if (job.status === 'failed' || job.error) {
    const code = job.error?.code ? ` (${job.error.code})` : '';
    return <AlertBanner tone="danger" title={`The job failed${code}.`}>{job.error?.message ?? 'No reason was recorded.'}</AlertBanner>;
  }
  if (job.status === 'completed' && job.operation === 'restore') {
    return <AlertBanner tone="ok" title="Restore verified.">Every byte written was checked against the stored digests.</AlertBanner>;
  }
  return null;
}
