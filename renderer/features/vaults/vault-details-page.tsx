/** One vault: overview, storage, protection settings, verify, delete. */
import { useState } from 'react';
import { api } from '../../api/labvault-client.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Badge } from '../../components/badge.tsx';
import { Button } from '../../components/button.tsx';
import { Card, FactList } from '../../components/card.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { formatBytes } from '../../format/format-bytes.ts';
import { formatDateTime } from '../../format/format-time.ts';
import { useLoader } from '../../hooks/use-loader.ts';
import { useEngineEvent } from '../../hooks/use-event.ts';
import { navigate } from '../../stores/route-store.ts';
import { DeleteVaultDialog } from './delete-vault-dialog.tsx';
import { VaultSettingsCard } from './vault-settings-card.tsx';
import { VaultStorageCard } from './vault-storage-card.tsx';
import { VaultStatusBadge } from './vault-badges.tsx';
import { UnlockVaultDialog } from './unlock-vault-dialog.tsx';
import { VerifyVaultDialog } from './verify-vault-dialog.tsx';

export function VaultDetailsPage({ name }: { name: string }) {
  const vault = useLoader(() => api.vaults.show({ name }), [name]);
  const stats = useLoader(() => api.vaults.stats({ name }), [name]);
  const [dialog, setDialog] = useState<'verify' | 'delete' | 'unlock' | null>(null);
  const refresh = () => { vault.reload(); stats.reload(); };
  useEngineEvent('vaultsChanged', refresh);
  useEngineEvent('jobFinished', refresh);
  const crumbs = [{ label: 'Vaults', onClick: () => navigate({ page: 'vaults' }) }];
  if (!vault.data) {
    return (
      <div>
        <PageHeader crumbs={crumbs} title={name} />
        {vault.error ? <AlertBanner tone="danger" title="Could not open this vault.">{vault.error}</AlertBanner> : <p className="muted">Loading…</p>}
      </div>
    );
  }
  const current = vault.data;
  return (
    <div>
      <PageHeader
        crumbs={crumbs}
        title={<span className="row">{current.name} <VaultStatusBadge vault={current} /></span>}
        description={<span className="mono small">{current.path}</span>}
        actions={
          <>
            {current.encrypted ? <Button onClick={() => setDialog('unlock')}>Unlock…</Button> : null}
            <Button onClick={() => setDialog('verify')}>Verify</Button>
            <Button onClick={() => setDialog('delete')}>Delete vault</Button>
            <Button variant="primary" onClick={() => navigate({ page: 'protect', vault: current.name })}>Protect VMs</Button>
          </>
        }
      />
      {current.status !== 'ok' ? <AlertBanner tone="danger" title="The vault folder cannot be read.">{current.statusMessage}</AlertBanner> : null}
      {current.locked ? <AlertBanner tone="warn" title="Encrypted and locked." actions={<Button small variant="primary" onClick={() => setDialog('unlock')}>Unlock…</Button>}>{current.statusMessage ?? 'Unlock it with its passphrase to see its items.'}</AlertBanner> : null}
      <div className="stack">
        <Card title="Overview">
          <FactList facts={[
            ['Created', formatDateTime(current.createdAt)],
            ['Protected items', String(current.itemCount ?? 0)],
            ['Encryption', current.encrypted ? <Badge tone="info">Encrypted</Badge> : 'Not encrypted'],
            ['Chunk size', `${current.chunkSize / 1024} KiB`],
            ['Format version', String(current.formatVersion)],
          ]} />
        </Card>
        <VaultSettingsCard vault={current} onChanged={vault.reload} />
        <VaultStorageCard name={current.name} usage={current.usage} stats={stats.data} error={stats.error}
          onChanged={refresh} />
      </div>
      {dialog === 'verify' ? <VerifyVaultDialog name={current.name} onClose={() => setDialog(null)} /> : null}
      {dialog === 'delete' ? <DeleteVaultDialog name={current.name} onClose={() => setDialog(null)} /> : null}
      {dialog === 'unlock' ? <UnlockVaultDialog name={current.name} onClose={() => setDialog(null)} onDone={refresh} /> : null}
    </div>
  );
}
