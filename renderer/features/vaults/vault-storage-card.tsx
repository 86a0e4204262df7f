/**
 * A vault's storage: logical, stored, reclaimable and free figures (Vault.usage, the figures of
 * `labvault vault show --json`), each labelled with what it counts, the per-item table
 * (vaults.stats), and "Reclaim space" (a gc job) with its progress and result.
 */
import { useState } from 'react';
import type { VaultStats } from '../../../shared/contract/item-models.ts';
import type { VaultUsage } from '../../../shared/contract/models.ts';
import { api } from '../../api/labvault-client.ts';
import { shownError } from '../../api/error-text.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { Card } from '../../components/card.tsx';
import { ProgressBar } from '../../components/progress-bar.tsx';
import { Table } from '../../components/table.tsx';
import { formatBytes } from '../../format/format-bytes.ts';
import { plural } from '../../format/plural.ts';
import { navigate } from '../../stores/route-store.ts';
import { SIZE_MEANING, vaultSizes } from './vault-sizes.ts';

type Reclaim =
  | { kind: 'idle' }
  | { kind: 'running' }
  | { kind: 'done'; bytesFreed: number; chunksRemoved: number; jobId: string }
  | { kind: 'failed'; message: string };

function SizeFigure({ label, value, meaning, testId }: {
  label: string; value: number | null; meaning: string; testId: string;
}) {
  return (
    <div className="size-figure">
      <div className="stat-label">{label}</div>
      <div className="size-value" data-testid={testId}>{value === null ? '—' : formatBytes(value)}</div>
      <div className="stat-sub">{meaning}</div>
    </div>
  );
}

export function VaultStorageCard({ name, usage, stats, error, onChanged }: {
  name: string; usage: VaultUsage | undefined; stats: VaultStats | undefined; error: string | null;
  onChanged: () => void;
}) {
  const [reclaim, setReclaim] = useState<Reclaim>({ kind: 'idle' });
  const run = async () => {
    setReclaim({ kind: 'running' });
    try {
      const report = await api.vaults.gc({ vault: name });
      setReclaim({ kind: 'done', bytesFreed: report.bytesFreed, chunksRemoved: report.chunksRemoved, jobId: report.jobId });
      onChanged();
    } catch (problem) {
      setReclaim({ kind: 'failed', message: shownError(problem).message });
    }
  };
  if (error) return <Card title="Storage"><p className="muted">Storage figures are not available: {error}</p></Card>;
  if (!stats) return <Card title="Storage"><p className="muted">Loading…</p></Card>;
  const sizes = vaultSizes(usage);
  // Rounded down: 99.99 % saved never reads as 100.0 %.
  const saved = usage && usage.logicalBytes > 0
    ? (Math.floor(Math.max(0, 1 - usage.referencedBytes / usage.logicalBytes) * 1000) / 10).toFixed(1) : null;
  const action = (
    <Button small busy={reclaim.kind === 'running'} onClick={() => void run()}
      title="Remove stored data that no recovery point uses (a clean-up job)">Reclaim space</Button>
  );
  return (
    <Card title="Storage" actions={action}>
      <div className="size-figures" role="group" aria-label="Vault sizes">
        <SizeFigure label="Logical" value={sizes.logicalBytes} meaning={SIZE_MEANING.logical} testId="size-logical" />
        <SizeFigure label="Stored" value={sizes.storedBytes} meaning={SIZE_MEANING.stored} testId="size-stored" />
        <SizeFigure label="Reclaimable" value={sizes.reclaimableBytes} meaning={SIZE_MEANING.reclaimable} testId="size-reclaimable" />
        <SizeFigure label="Free on drive" value={sizes.freeBytes} meaning={SIZE_MEANING.free} testId="size-free" />
      </div>
      <p className="small muted">
        {plural(stats.points, 'recovery point')}{stats.softDeletedPoints > 0 ? ` (+${stats.softDeletedPoints} soft-deleted)` : ''}
        {' · '}{plural(stats.chunks, 'chunk')}{saved === null ? '' : ` · ${saved} % saved by deduplication and compression`}
      </p>
      {reclaim.kind === 'running' ? (
        <div className="reclaim-progress">
          <ProgressBar done={0} total={null} label="Reclaiming space" />
          <p className="small muted">Removing stored data no recovery point uses…</p>
        </div>
      ) : null}
      {reclaim.kind === 'done' ? (
        <AlertBanner tone="ok" title={`Reclaimed ${formatBytes(reclaim.bytesFreed)}.`}
          actions={<Button small onClick={() => navigate({ page: 'job', id: reclaim.jobId })}>Open job</Button>}>
          {reclaim.chunksRemoved === 0 ? 'Nothing was left to remove.' : `${plural(reclaim.chunksRemoved, 'unused chunk')} removed.`}
        </AlertBanner>
      ) : null}
      {reclaim.kind === 'failed' ? <AlertBanner tone="danger" title="Space was not reclaimed.">{reclaim.message}</AlertBanner> : null}
      {stats.perItem.length > 0 ? (
        <div className="subtable">
          <Table
            label="Storage per item"
            rows={stats.perItem}
            rowKey={(row) => row.itemId}
            onRowClick={(row) => navigate({ page: 'item', item: row.itemId })}
            columns={[
              { key: 'name', header: 'Item', render: (row) => <span className="cell-title">{row.name}</span> },
              { key: 'points', header: 'Points', align: 'right', render: (row) => row.points },
              { key: 'logical', header: 'Logical', align: 'right', render: (row) => formatBytes(row.logicalBytes) },
              { key: 'stored', header: 'Stored (referenced)', align: 'right', render: (row) => formatBytes(row.storedBytes) },
            ]}
          />
        </div>
      ) : null}
    </Card>
  );
}
