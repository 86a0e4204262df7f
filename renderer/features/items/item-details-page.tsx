/** One protected item: facts, files, recovery points, and what can be done with it. */
import { useState } from 'react';
import type { Item, Point } from '../../../shared/contract/item-models.ts';
import { api } from '../../api/labvault-client.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Badge } from '../../components/badge.tsx';
import { Button } from '../../components/button.tsx';
import { Card, FactList } from '../../components/card.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { Table } from '../../components/table.tsx';
import { formatBytes } from '../../format/format-bytes.ts';
import { formatDate, formatDateTime } from '../../format/format-time.ts';
import { useEngineEvent } from '../../hooks/use-event.ts';
import { useLoader } from '../../hooks/use-loader.ts';
import { navigate } from '../../stores/route-store.ts';
import { toastError, toastSuccess } from '../../stores/toast-store.ts';
import { ItemVmCell } from '../protect/item-vm-cell.tsx';
import { useVmStates } from '../protect/use-vm-states.ts';
import { BackupNowDialog } from './backup-now-dialog.tsx';
import { ChangeFilesDialog } from './change-files-dialog.tsx';
import { ConfirmFilesDialog } from './confirm-files-dialog.tsx';
import { DeletePointDialog } from './delete-point-dialog.tsx';
import { ConsistencyBadge, ItemStateBadge, JobStatusBadge, TierBadges, VaultOnlyNote } from './item-badges.tsx';
import { SetPolicyDialog } from './set-policy-dialog.tsx';
import { StopProtectionDialog } from './stop-protection-dialog.tsx';
import { TestRestoreBadge } from '../files/test-restore-badge.tsx';

/** Whether backups of the item leave a fast restore copy (snapshot tier) on this disk. */
function fastRestoreFact(item: Item, newest: Point | undefined) {
  if (item.snapshotTier) {
    return item.snapshotTier.available
      ? <Badge tone="accent">Kept on this disk</Badge>
      : <span className="small">None, vault copies only: {item.snapshotTier.reason}</span>;
  }
  if (!newest) return <span className="muted">Known after the first backup</span>;
  return newest.tiers.includes('snapshot')
    ? <Badge tone="accent">Kept on this disk</Badge>
    : <span className="small">None: restores come from the vault (why: under Recovery points)</span>;
}

type ItemDialog = { kind: 'backup' } | { kind: 'stop' } | { kind: 'policy' } | { kind: 'confirm' } | { kind: 'files' } | { kind: 'delete-point'; point: Point } | null;

export function ItemDetailsPage({ item: ref }: { item: string }) {
  const item = useLoader(() => api.items.show({ item: ref }), [ref]);
  const points = useLoader(() => api.points.list({ item: ref, includeDeleted: true }), [ref]);
  const [dialog, setDialog] = useState<ItemDialog>(null);
  const vmStates = useVmStates(item.data ? [item.data] : undefined);
  const [busy, setBusy] = useState(false);
  const reload = () => { item.reload(); points.reload(); };
  useEngineEvent('jobFinished', reload);
  const crumbs = [{ label: 'Protected items', onClick: () => navigate({ page: 'items' }) }];
  if (!item.data) {
    return <div><PageHeader crumbs={crumbs} title={ref} />{item.error ? <AlertBanner tone="danger" title="Could not show this item.">{item.error}</AlertBanner> : <p className="muted">Loading…</p>}</div>;
  }
  const current: Item = item.data;
  const act = async (run: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await run();
      toastSuccess(done);
      reload();
    } catch (problem) {
      toastError('The change was refused', problem);
    } finally {
      setBusy(false);
    }
  };
  const actions = (() => {
    switch (current.state) {
      case 'protected':
        return <><Button onClick={() => navigate({ page: 'restore', item: current.id })}>Restore</Button><Button onClick={() => setDialog({ kind: 'stop' })}>Stop protection</Button><Button variant="primary" onClick={() => setDialog({ kind: 'backup' })}>Backup now</Button></>;
      case 'stopped':
        return <><Button onClick={() => navigate({ page: 'restore', item: current.id })}>Restore</Button><Button onClick={() => setDialog({ kind: 'stop' })}>Delete backup data</Button><Button variant="primary" busy={busy} onClick={() => void act(() => api.items.resumeProtection({ item: current.id }), `Protection of "${current.name}" resumed`)}>Resume protection</Button></>;
      case 'soft-deleted':
        return <Button variant="primary" busy={busy} onClick={() => void act(() => api.items.undelete({ item: current.id }), `"${current.name}" undeleted`)}>Undelete</Button>;
    }
  })();
  return (
    <div>
      <PageHeader crumbs={crumbs} title={<span className="row">{current.name} <ItemStateBadge item={current} /></span>} description={`Vault ${current.vaultName} · policy ${current.policyName}`} actions={actions} />
      {current.state === 'soft-deleted' ? (
        <AlertBanner tone="danger" title="This item's backup data is soft-deleted.">
          It will be purged on {formatDateTime(current.purgeAt)}. Undelete it to keep its recovery points;
          it cannot be protected again until then.
        </AlertBanner>
      ) : null}
      {current.needsConfirmation ? (
        <AlertBanner tone="warn" title="Not backed up on this machine until you confirm its files.">
          This machine has not confirmed it: {current.needsConfirmation.reason}. <Button small onClick={() => setDialog({ kind: 'confirm' })}>Review and confirm files…</Button>
        </AlertBanner>
      ) : null}
      {current.state === 'stopped' ? (
        <AlertBanner tone="warn" title="Protection is stopped.">No backups run. Recovery points are kept {current.retainMode === 'forever' ? 'forever' : 'until each one expires'}.</AlertBanner>
      ) : null}
      <div className="stack">
        <Card title="Overview" actions={current.state !== 'soft-deleted' ? <Button small onClick={() => setDialog({ kind: 'policy' })}>Change policy</Button> : null}>
          <FactList facts={[
            ['Last backup', current.lastBackupAt ? <>{formatDateTime(current.lastBackupAt)} {current.lastBackupStatus ? <JobStatusBadge status={current.lastBackupStatus} /> : null}</> : 'Never'],
            ['Next run', current.state === 'protected' ? formatDateTime(current.nextRunAt ?? null, 'Not scheduled') : 'None (not protected)'],
            ['Recovery points', String(current.pointCount)],
            ['Stored', formatBytes(current.storedBytes)],
            ['Protected since', formatDate(current.createdAt)],
            ['VM', <ItemVmCell key="vm" item={current} states={vmStates} />],
            ['Fast restore copies', fastRestoreFact(current, points.data?.[0])],
          ]} />
        </Card>
        <Card title="Files" actions={current.state !== 'soft-deleted' ? <Button small onClick={() => setDialog({ kind: 'files' })}>Change files…</Button> : null}>
          {current.vm ? <p className="small muted">Follows the VM configured in <span className="mono">{current.vm.configPath}</span>: each backup re-reads it and backs up the files that make the VM at that moment (below: as last read).</p> : null}
          <Table
            label="Item files"
            rows={current.files}
            rowKey={(file) => file.path}
            columns={[
              { key: 'path', header: 'Path', render: (file) => <span className="mono small">{file.path}</span> },
              { key: 'role', header: 'Role', render: (file) => file.role },
              { key: 'format', header: 'Format', render: (file) => (file.diskFormat ? <Badge tone="info">{file.diskFormat}</Badge> : '—') },
              { key: 'size', header: 'Size', align: 'right', render: (file) => formatBytes(file.size) },
            ]}
          />
        </Card>
        <Card title="Recovery points">
          {points.error ? <p className="muted">{points.error}</p> : null}
          {points.data && current.snapshotTier?.available !== false ? <VaultOnlyNote points={points.data} /> : null}
          {points.data ? (
            <Table
              label="Recovery points"
              rows={points.data}
              rowKey={(point) => point.id}
              empty={<p className="muted">No recovery points yet. Use "Backup now" or wait for the schedule.</p>}
              columns={[
                { key: 'created', header: 'Created', render: (point) => <><div>{formatDateTime(point.createdAt)}</div>{point.onDemand ? <Badge>On-demand</Badge> : null}</> },
                { key: 'consistency', header: 'Consistency', render: (point) => <ConsistencyBadge consistency={point.consistency} /> },
                { key: 'tiers', header: 'Copies', render: (point) => <TierBadges point={point} /> },
                { key: 'test', header: 'Test restore', render: (point) => <TestRestoreBadge check={point.testRestore} /> },
                { key: 'expires', header: 'Expires', render: (point) => (point.state === 'soft-deleted' ? <><Badge tone="danger">Soft-deleted</Badge><div className="cell-sub">Purged {formatDate(point.purgeAt)}</div></> : formatDate(point.expiresAt, 'Never')) },
                { key: 'size', header: 'Logical / stored', align: 'right', render: (point) => <>{formatBytes(point.logicalBytes)}<div className="cell-sub">{formatBytes(point.storedBytes)} new</div></> },
                { key: 'actions', header: '', align: 'right', render: (point) => (point.state === 'active' ? <span className="row-actions"><Button small variant="quiet" onClick={() => navigate({ page: 'point-files', item: current.id, point: point.id })}>Browse files</Button><Button small variant="quiet" onClick={() => setDialog({ kind: 'delete-point', point })}>Delete</Button></span> : null) },
              ]}
            />
          ) : null}
        </Card>
      </div>
      {dialog?.kind === 'backup' ? <BackupNowDialog item={current} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'stop' ? <StopProtectionDialog item={current} onClose={() => setDialog(null)} onDone={reload} /> : null}
      {dialog?.kind === 'confirm' ? <ConfirmFilesDialog item={current} onClose={() => setDialog(null)} onDone={reload} /> : null}
      {dialog?.kind === 'files' ? <ChangeFilesDialog item={current} onClose={() => setDialog(null)} onDone={reload} /> : null}
      {dialog?.kind === 'policy' ? <SetPolicyDialog item={current} onClose={() => setDialog(null)} onDone={reload} /> : null}
      {dialog?.kind === 'delete-point' ? <DeletePointDialog item={current} point={dialog.point} onClose={() => setDialog(null)} onDone={reload} /> : null}
    </div>
  );
}
