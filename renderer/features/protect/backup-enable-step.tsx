/**
 * Step 5: backup is enabled VM by VM; each row shows where its VM stands, and a failure
 * stays on its row (the others are protected all the same). Retry runs the failed ones again.
 */
import { Badge } from '../../components/badge.tsx';
import { ProgressBar } from '../../components/progress-bar.tsx';
import { plural } from '../../format/plural.ts';
import { navigate } from '../../stores/route-store.ts';
import type { VmOutcome } from './configure-backup-steps.ts';

export interface EnableRow {
  key: string;
  label: string;
  outcome: VmOutcome;
}

function OutcomeBadge({ outcome }: { outcome: VmOutcome }) {
  switch (outcome.status) {
    case 'pending': return <Badge>Waiting</Badge>;
    case 'protecting': return <Badge tone="info">Enabling…</Badge>;
    case 'protected': return <Badge tone="ok">Protected</Badge>;
    case 'failed': return <Badge tone="danger">Failed</Badge>;
  }
}

function ItemLink({ itemId, name }: { itemId: string; name: string }) {
  return <button type="button" className="crumb-link" onClick={() => navigate({ page: 'item', item: itemId })}>Item {name}</button>;
}

export function BackupEnableStep({ rows, policyNote }: { rows: readonly EnableRow[]; policyNote: string | null }) {
  const done = rows.filter((row) => row.outcome.status === 'protected' || row.outcome.status === 'failed').length;
  const failed = rows.filter((row) => row.outcome.status === 'failed').length;
  return (
    <div className="form-wide">
      <h2>Enable backup</h2>
      <p className="step-intro">
        {done < rows.length
          ? `Enabling backup: ${done} of ${plural(rows.length, 'VM')} done.`
          : failed > 0
            ? `${rows.length - failed} of ${plural(rows.length, 'VM')} protected; ${failed} failed (the reason is on its row): go Back to change what it says, or Retry.`
            : `${plural(rows.length, 'VM')} protected.`}
      </p>
      {policyNote ? <p className="small">{policyNote}</p> : null}
      <ProgressBar done={done} total={rows.length} tone={failed > 0 ? 'danger' : done === rows.length ? 'ok' : 'default'} label="VMs done" />
      <ul className="enable-list" aria-label="Backup enabled per VM">
        {rows.map((row) => (
          <li key={row.key} className={`enable-row is-${row.outcome.status}`}>
            <span className="cell-title">{row.label}</span>
            <OutcomeBadge outcome={row.outcome} />
            <span className="enable-detail">
              {row.outcome.status === 'failed' ? <span className="field-error">{row.outcome.error}</span> : null}
              {row.outcome.status === 'protected' ? <ItemLink itemId={row.outcome.itemId} name={row.outcome.itemName} /> : null}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
