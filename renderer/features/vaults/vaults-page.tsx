/** Vaults: the list of vaults this app knows, create one, or open an existing one. */
import { useEffect, useState } from 'react';
import type { Vault } from '../../../shared/contract/models.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Badge } from '../../components/badge.tsx';
import { Button } from '../../components/button.tsx';
import { Card } from '../../components/card.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { Table, type Column } from '../../components/table.tsx';
import { formatBytes } from '../../format/format-bytes.ts';
import { navigate } from '../../stores/route-store.ts';
import { useVaultsStore } from '../../stores/vaults-store.ts';
import { OpenVaultDialog } from './open-vault-dialog.tsx';
import { ImmutabilityBadge, SoftDeleteBadge, VaultStatusBadge } from './vault-badges.tsx';

const columns: Array<Column<Vault>> = [
  { key: 'name', header: 'Name', render: (vault) => <span className="cell-title">{vault.name}</span> },
  { key: 'path', header: 'Location', render: (vault) => <span className="mono small">{vault.path}</span> },
  { key: 'soft', header: 'Soft delete', render: (vault) => <SoftDeleteBadge vault={vault} /> },
  { key: 'immutability', header: 'Immutability', render: (vault) => <ImmutabilityBadge state={vault.immutability} /> },
  { key: 'encrypted', header: 'Encrypted', render: (vault) => (vault.encrypted ? <Badge tone="info">Yes</Badge> : <span className="muted">No</span>) },
  { key: 'items', header: 'Items', align: 'right', render: (vault) => vault.itemCount ?? 0 },
  {
    key: 'stored', header: <span title="What the vault's data folder takes on its drive">Stored</span>, align: 'right',
    render: (vault) => (vault.usage === undefined ? '—' : formatBytes(vault.usage.storedBytes)),
  },
  { key: 'status', header: 'Status', render: (vault) => <VaultStatusBadge vault={vault} /> },
];

export function VaultsPage() {
  const { vaults, loaded, error } = useVaultsStore();
  const [opening, setOpening] = useState(false);
  // Sizes change without an event (a policy saved adds a record): the list is fresh when the page opens.
  useEffect(() => { void useVaultsStore.getState().refresh(); }, []);
  const actions = (
    <>
      <Button onClick={() => setOpening(true)}>Open existing vault</Button>
      <Button variant="primary" onClick={() => navigate({ page: 'vault-create' })}>Create vault</Button>
    </>
  );
  return (
    <div>
      <PageHeader title="Vaults" description="Each vault is a folder that holds recovery points, backup policies and job history for the VMs it protects." actions={actions} />
      {error ? <AlertBanner tone="danger" title="Could not list vaults.">{error}</AlertBanner> : null}
      <Card>
        {!loaded ? (
          <p className="muted">Loading vaults…</p>
        ) : (
          <Table
            label="Vaults"
            columns={columns}
            rows={vaults}
            rowKey={(vault) => vault.id}
            onRowClick={(vault) => navigate({ page: 'vault', name: vault.name })}
            empty={
              <EmptyState title="No vaults yet" action={actions}>
                Create a vault in an empty folder on a local or attached drive, or open a vault folder that was created
                elsewhere.
              </EmptyState>
            }
          />
        )}
      </Card>
      {opening ? <OpenVaultDialog onClose={() => setOpening(false)} /> : null}
    </div>
  );
}
