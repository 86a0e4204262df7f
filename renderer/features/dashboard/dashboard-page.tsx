/** Dashboard: protection at a glance — health, jobs, storage, alerts, upcoming runs. */
import type { ReactNode } from 'react';
import type { Dashboard } from '../../../shared/contract/dashboard-channels.ts';
import { api } from '../../api/labvault-client.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Badge } from '../../components/badge.tsx';
import { Button } from '../../components/button.tsx';
import { Card } from '../../components/card.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { Table } from '../../components/table.tsx';
import { formatBytes } from '../../format/format-bytes.ts';
import { plural } from '../../format/plural.ts';
import { formatDateTime, relativeAge } from '../../format/format-time.ts';
import { useEngineEvent } from '../../hooks/use-event.ts';
import { useLoader } from '../../hooks/use-loader.ts';
import { useJobProgressStore } from '../../stores/job-progress-store.ts';
import { navigate } from '../../stores/route-store.ts';
import { toastError } from '../../stores/toast-store.ts';
import { useVaultsStore } from '../../stores/vaults-store.ts';
import { JobStatusBadge } from '../items/item-badges.tsx';
import { ItemVmCell } from '../protect/item-vm-cell.tsx';
import { useVmStates } from '../protect/use-vm-states.ts';

function StatCard({ label, value, sub, onClick }: {
  label: string; value: string | number; sub?: ReactNode; onClick?: () => void;
}) {
  return (
    <div className={`stat-card${onClick ? ' clickable' : ''}`} onClick={onClick} role={onClick ? 'button' : undefined} tabIndex={onClick ? 0 : undefined}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {sub ? <div className="stat-sub">{sub}</div> : null}
    </div>
  );
}

const IMMUTABILITY_WORDS: Record<string, string> = {
  disabled: 'Immutability: off', enabled: 'Immutability: on', locked: 'Immutability: locked',
};

function healthCounts(summary: Dashboard) {
  const counts = { healthy: 0, warning: 0, critical: 0 };
  for (const item of summary.items) counts[item.health] += 1;
  return counts;
}

export function DashboardPage() {
  const revision = useJobProgressStore((state) => state.revision);
  const summary = useLoader(() => api.dashboard.summary({}), [revision]);
  const itemViews = useLoader(() => api.items.list({}), [revision]);
  const vmStates = useVmStates(itemViews.data);
  const itemById = new Map((itemViews.data ?? []).map((item) => [item.id, item]));
  const itemVm = (id: string) => {
    const view = itemById.get(id);
    return view?.vm ? <div className="dashboard-vm"><ItemVmCell item={view} states={vmStates} /></div> : null;
  };
  const vaultCount = useVaultsStore((state) => state.vaults.length);
  useEngineEvent('alertRaised', () => summary.reload());
  const acknowledge = async (id: string) => {
    try {
      await api.alerts.acknowledge({ id });
      summary.reload();
    } catch (problem) {
      toastError('Could not acknowledge the alert', problem);
    }
  };
  const actions = <><Button onClick={() => navigate({ page: 'restore' })}>Restore</Button><Button variant="primary" onClick={() => navigate({ page: 'protect' })}>Protect VMs</Button></>;
  if (!summary.data) {
    return <div><PageHeader title="Dashboard" actions={actions} />{summary.error ? <AlertBanner tone="danger" title="The dashboard is not available.">{summary.error}</AlertBanner> : <p className="muted">Loading…</p>}</div>;
  }
  const data = summary.data;
  const counts = healthCounts(data);
  const openAlerts = data.alerts.filter((alert) => !alert.acknowledged);
  return (
    <div>
      <PageHeader title="Dashboard" description="Protection at a glance: what is protected, how healthy it is, and what runs next." actions={actions} />
      {vaultCount === 0 && data.items.length === 0 ? (
        <Card><EmptyState title="Welcome to Labvault" action={<Button variant="primary" onClick={() => navigate({ page: 'vault-create' })}>Create your first vault</Button>}>Start by creating a vault: a folder that holds your VMs' recovery points. Then protect the VMs you want to back up, pick a policy, and Labvault does the rest.</EmptyState></Card>
      ) : null}
      {vaultCount === 0 && data.items.length === 0 ? null : (<>
      <div className="grid grid-4 dashboard-stats">
        <StatCard label="Protected items" value={data.items.filter((item) => item.state === 'protected').length} sub={`${plural(data.items.length, 'item')} in ${plural(data.vaults.length, 'vault')}`} onClick={() => navigate({ page: 'items' })} />
        <StatCard label="Healthy items" value={data.items.length === 0 ? '—' : `${counts.healthy} / ${data.items.length}`} sub={<span className="health-summary"><span><span className="health-dot health-healthy" />{counts.healthy} healthy</span><span><span className="health-dot health-warning" />{counts.warning} warning</span><span><span className="health-dot health-critical" />{counts.critical} critical</span></span>} />
        <StatCard label="Jobs in progress" value={data.jobs.inProgress} sub={`${data.jobs.completed24h} completed in 24 h`} onClick={() => navigate({ page: 'jobs' })} />
        <StatCard label="Failed in 24 h" value={data.jobs.failed24h} sub={data.jobs.failed24h > 0 ? 'See the jobs list' : 'No failures'} onClick={() => navigate({ page: 'jobs' })} />
      </div>
      <div className="dashboard-columns">
        <div className="stack">
          <Card title="Protected items">
            <Table
              label="Items health"
              rows={data.items}
              rowKey={(item) => item.id}
              onRowClick={(item) => navigate({ page: 'item', item: item.id })}
              empty={<p className="muted">No protected items yet.</p>}
              columns={[
                { key: 'name', header: 'Item', render: (item) => <><span className="nowrap"><span className={`health-dot health-${item.health}`} aria-hidden="true" /><span className="cell-title">{item.name}</span></span><div className="cell-sub">{item.vaultName}</div>{itemVm(item.id)}</> },
                { key: 'health', header: 'Health', render: (item) => <><Badge tone={item.health === 'healthy' ? 'ok' : item.health === 'warning' ? 'warn' : 'danger'}>{item.health}</Badge><div className="cell-sub">{item.healthReason}</div></> },
                { key: 'last', header: 'Last backup', render: (item) => (item.lastBackupAt ? <><div title={formatDateTime(item.lastBackupAt)}>{relativeAge(item.lastBackupAt)}</div>{item.lastBackupStatus ? <JobStatusBadge status={item.lastBackupStatus} /> : null}</> : <span className="muted">Never</span>) },
                { key: 'next', header: 'Next run', render: (item) => formatDateTime(item.nextRunAt, '—') },
                { key: 'stored', header: 'Stored', align: 'right', render: (item) => formatBytes(item.storedBytes) },
              ]}
            />
          </Card>
          <Card title="Upcoming runs">
            {data.upcoming.length === 0 ? <p className="muted">Nothing scheduled.</p> : (
              <Table label="Upcoming runs" rows={data.upcoming.slice(0, 10)} rowKey={(run) => `${run.at}-${run.item}`} columns={[
                { key: 'at', header: 'When', render: (run) => formatDateTime(run.at) },
                { key: 'item', header: 'Item', render: (run) => <span className="cell-title">{run.item}</span> },
                { key: 'vault', header: 'Vault', render: (run) => run.vaultName },
                { key: 'policy', header: 'Policy', render: (run) => run.policy },
              ]} />
            )}
          </Card>
        </div>
        <div className="stack">
          <Card title={`Alerts${openAlerts.length > 0 ? ` (${openAlerts.length})` : ''}`}>
            {openAlerts.length === 0 ? <p className="muted">No open alerts.</p> : openAlerts.slice(0, 20).map((alert) => (
              <div key={alert.id} className="alert-row">
                <Badge tone={alert.severity === 'critical' ? 'danger' : alert.severity === 'warning' ? 'warn' : 'info'}>{alert.severity}</Badge>
                <div className="alert-text">
                  <strong>{alert.title}</strong>
                  <div className="small">{alert.message}</div>
                  <div className="cell-sub">{alert.vaultName} · {formatDateTime(alert.createdAt)}</div>
                  <div className="alert-actions"><Button small onClick={() => void acknowledge(alert.id)}>Acknowledge</Button></div>
                </div>
              </div>
            ))}
          </Card>
          <Card title="Storage per vault">
            {data.vaults.length === 0 ? <p className="muted">No vaults.</p> : data.vaults.map((vault) => (
              <div key={vault.id} className="alert-row clickable" onClick={() => navigate({ page: 'vault', name: vault.name })}>
                <div className="alert-text"><strong>{vault.name}</strong><div className="cell-sub">{plural(vault.items, 'item')} · {IMMUTABILITY_WORDS[vault.immutability] ?? `Immutability: ${vault.immutability}`}{vault.status !== 'ok' ? ` · ${vault.status}` : ''}</div></div>
                <span className="nowrap" data-testid={`vault-stored-${vault.name}`} title="What the vault takes on its drive">{formatBytes(vault.storedBytes)} stored</span>
              </div>
            ))}
          </Card>
        </div>
      </div>
      </>)}
    </div>
  );
}
