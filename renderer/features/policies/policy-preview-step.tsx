/** Step 5: the next runs (DST days marked) and a year of backups colored by the rules that keep them. */
import { api } from '../../api/labvault-client.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Badge } from '../../components/badge.tsx';
import { useLoader } from '../../hooks/use-loader.ts';
import { draftToPolicy, type PolicyDraft } from './policy-draft.ts';
import { YearRetentionGrid } from './year-retention-grid.tsx';

const RUNS_SHOWN = 14;
const DST_LABEL = { gap: 'clocks skip an hour: moved to the first valid time', overlap: 'an hour repeats: runs once', change: 'clocks change this day' } as const;

export function PolicyPreviewStep({ draft }: { draft: PolicyDraft }) {
  const policy = draftToPolicy(draft);
  const key = JSON.stringify(policy);
  const runs = useLoader(() => api.policies.previewRuns({ policy, count: RUNS_SHOWN }), [key]);
  const picture = useLoader(() => api.policies.previewRetention({ policy }), [key]);
  return (
    <div>
      <h2>Preview</h2>
      <p className="step-intro">What this policy will do, computed by the engine in {draft.timeZone}.</p>
      <h3 className="section-title">Next runs</h3>
      {runs.error ? <AlertBanner tone="danger">{runs.error}</AlertBanner> : null}
      {runs.data ? (
        <ol className="runs-list" aria-label="Next runs">
          {runs.data.map((run) => (
            <li key={run.at}>
              <span>{run.local}</span>
              {run.dst ? <Badge tone="warn" title={DST_LABEL[run.dst]}>DST: {DST_LABEL[run.dst]}</Badge> : null}
            </li>
          ))}
        </ol>
      ) : runs.loading ? <p className="muted">Computing…</p> : null}
      <h3 className="section-title">A year of backups</h3>
      {picture.error ? <AlertBanner tone="danger">{picture.error}</AlertBanner> : null}
      {picture.data ? <YearRetentionGrid picture={picture.data} timeZone={draft.timeZone} /> : picture.loading ? <p className="muted">Simulating a year…</p> : null}
    </div>
  );
}
