/** Protected items: every VM the vaults protect, stopped and soft-deleted ones included. */
import { useState } from 'react';
import type { Item } from '../../../shared/contract/item-models.ts';
import { api } from '../../api/labvault-client.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { Card } from '../../components/card.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { Field } from '../../components/field.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { Table, type Column } from '../../components/table.tsx';
import { formatBytes } from '../../format/format-bytes.ts';
import { formatDate, formatDateTime } from '../../format/format-time.ts';
import { useEngineEvent } from '../../hooks/use-event.ts';
import { useLoader } from '../../hooks/use-loader.ts';
import { navigate } from '../../stores/route-store.ts';
import { useVaultsStore } from '../../stores/vaults-store.ts';
import { ItemVmCell } from '../protect/item-vm-cell.tsx';
import { useVmStates, type VmStates } from '../protect/use-vm-states.ts';
import { ItemStateBadge, JobStatusBadge, NeedsConfirmationBadge } from './item-badges.tsx';

const columns = (vms: VmStates): Array<Column<Item>> => [
  { key: 'name', header: 'Item', render: (item) => <><div className="cell-title">{item.name}</div><div className="cell-sub">{item.files.length} file{item.files.length === 1 ? '' : 's'}</div></> },
  { key: 'vm', header: 'VM', render: (item) => <ItemVmCell item={item} states={vms} /> },
  { key: 'vault', header: 'Vault', render: (item) => item.vaultName },
  {
    key: 'state', header: 'State', render: (item) => (
      <>
        <span className="badges"><ItemStateBadge item={item} /><NeedsConfirmationBadge item={item} /></span>
        {item.state === 'soft-deleted' && item.purgeAt ? <div className="cell-sub">Purged {formatDate(item.purgeAt)}</div> : null}
      </>
    ),
  },
  { key: 'policy', header: 'Policy', render: (item) => item.policyName },
  {
    key: 'last', header: 'Last backup', render: (item) => (
      item.lastBackupAt ? <><div>{formatDateTime(item.lastBackupAt)}</div>{item.lastBackupStatus ? <JobStatusBadge status={item.lastBackupStatus} /> : null}</> : <span className="muted">Never</span>
    ),
  },
  { key: 'points', header: 'Points', align: 'right', render: (item) => item.pointCount },
  { key: 'stored', header: 'Stored', align: 'right', render: (item) => formatBytes(item.storedBytes) },
];

export function ItemsPage() {
  const vaults = useVaultsStore((state) => state.vaults);
  const [vault, setVault] = useState('');
  const items = useLoader(() => api.items.list(vault ? { vault } : {}), [vault]);
  useEngineEvent('jobFinished', () => items.reload());
  const vmStates = useVmStates(items.data);
  const protect = <Button variant="primary" onClick={() => navigate({ page: 'protect' })}>Protect VMs</Button>;
  return (
    <div>
      <PageHeader title="Protected items" description="Virtual machines with backup enabled, their policy, last backup and storage. Stopped and soft-deleted items stay listed until their data is gone." actions={protect} />
      <div className="filters">
        <Field label="Vault">
          {({ inputId }) => (
            <select id={inputId} className="select" value={vault} onChange={(event) => setVault(event.target.value)}>
              <option value="">All vaults</option>
              {vaults.map((entry) => <option key={entry.id} value={entry.name}>{entry.name}</option>)}
            </select>
          )}
        </Field>
      </div>
      {items.error ? <AlertBanner tone="danger" title="Could not list protected items.">{items.error}</AlertBanner> : null}
      <Card>
        {items.data === undefined ? (
          <p className="muted">{items.loading ? 'Loading…' : 'No data.'}</p>
        ) : (
          <Table
            label="Protected items"
            columns={columns(vmStates)}
            rows={items.data}
            rowKey={(item) => item.id}
            onRowClick={(item) => navigate({ page: 'item', item: item.id })}
            empty={<EmptyState title="No protected items yet" action={protect}>Choose VMs from those found on this machine, pick a policy, and Labvault backs them up on schedule.</EmptyState>}
          />
        )}
      </Card>
    </div>
  );
}
