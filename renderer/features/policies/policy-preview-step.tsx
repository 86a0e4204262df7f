/** Step 5: the next runs (DST days marked) and a year of backups colored by the rules that keep them. */
import { useMemo, useState } from 'react';
import { api } from '../../api/labvault-client.ts';
import { Button } from '../../components/button.tsx';
import { formatDate } from '../../format/format-time.ts';
import { nextClockChange } from './next-clock-change.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Badge } from '../../components/badge.tsx';
import { useLoader, type Loaded } from '../../hooks/use-loader.ts';
import type { RetentionPicture } from './policy-keeps-nothing.ts';
import { draftToPolicy, type PolicyDraft } from './policy-draft.ts';
import { YearRetentionGrid } from './year-retention-grid.tsx';
import { MS_PER_DAY } from '../../../shared/time-units.ts';

const RUNS_SHOWN = 14;
const DST_LABEL = { gap: 'clocks skip an hour: moved to the first valid time', overlap: 'an hour repeats: runs once', change: 'clocks change this day' } as const;

const DAYS_BEFORE_CHANGE = 2;

export function PolicyPreviewStep({ draft, picture, keepsNothing }: {
  draft: PolicyDraft; picture: Loaded<RetentionPicture | null>; keepsNothing: string | null;
}) {
  const policy = draftToPolicy(draft);
  const key = JSON.stringify(policy);
  const change = useMemo(() => nextClockChange(draft.timeZone), [draft.timeZone]);
  const [aroundChange, setAroundChange] = useState(false);
  const from = aroundChange && change
    ? new Date(change.getTime() - DAYS_BEFORE_CHANGE * MS_PER_DAY).toISOString()
    : undefined;
  const runs = useLoader(
    () => api.policies.previewRuns({ policy, count: RUNS_SHOWN, ...(from ? { from } : {}) }),
    [key, from],
  );
  return (
    <div>
      <h2>Preview</h2>
      <p className="step-intro">What this policy will do, computed by the engine in {draft.timeZone}.</p>
      <div className="row section-row">
        <h3 className="section-title">{aroundChange ? 'Runs around the next clock change' : 'Next runs'}</h3>
        <span className="spacer" />
        {change ? (
          <Button small onClick={() => setAroundChange(!aroundChange)}>{aroundChange ? 'Show the next runs' : `Show runs around the clock change of ${formatDate(change.toISOString())}`}</Button>
        ) : <span className="muted small">{draft.timeZone} has no clock change in the next year.</span>}
      </div>
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
      {keepsNothing ? <AlertBanner tone="danger" title="This policy keeps no backup.">{keepsNothing}</AlertBanner> : null}
      {picture.data ? <YearRetentionGrid picture={picture.data} timeZone={draft.timeZone} /> : picture.loading ? <p className="muted">Simulating a year…</p> : null}
    </div>
  );
}
