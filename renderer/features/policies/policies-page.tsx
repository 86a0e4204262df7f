/** Policies of a vault: schedule and retention at a glance, and the items using each. */
import { useEffect, useState } from 'react';
import type { PolicyView } from '../../../shared/contract/policy-channels.ts';
import { api } from '../../api/labvault-client.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Badge } from '../../components/badge.tsx';
import { Button } from '../../components/button.tsx';
import { Card } from '../../components/card.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { Field } from '../../components/field.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { Table } from '../../components/table.tsx';
import { useLoader } from '../../hooks/use-loader.ts';
import { navigate } from '../../stores/route-store.ts';
import { useVaultsStore } from '../../stores/vaults-store.ts';
import { DeletePolicyDialog } from './delete-policy-dialog.tsx';
import { policyRetentionSummary, policyScheduleSummary } from './policy-summary.ts';
import { POLICY_TYPE_EXPLANATION, POLICY_TYPE_SHORT } from './policy-type-words.ts';

export function PoliciesPage() {
  const vaults = useVaultsStore((state) => state.vaults);
  const [vault, setVault] = useState('');
  useEffect(() => {
    if (vault === '' && vaults[0]) setVault(vaults[0].name);
  }, [vaults, vault]);
  const policies = useLoader(
    () => (vault ? api.policies.list({ vault }) : Promise.resolve([] as PolicyView[])),
    [vault],
  );
  const [deleting, setDeleting] = useState<PolicyView | null>(null);
  const create = <Button variant="primary" disabled={vault === ''} onClick={() => navigate({ page: 'policy-create', vault })}>Create policy</Button>;
  return (
    <div>
      <PageHeader title="Backup policies" description="When backups run and how long recovery points are kept. Every vault has a default policy: daily, points kept 30 days." actions={create} />
      {vaults.length === 0 ? (
        <Card><EmptyState title="No vault yet" action={<Button variant="primary" onClick={() => navigate({ page: 'vault-create' })}>Create vault</Button>}>Policies belong to a vault.</EmptyState></Card>
      ) : (
        <>
          <div className="filters">
            <Field label="Vault">
              {({ inputId }) => (
                <select id={inputId} className="select" value={vault} onChange={(event) => setVault(event.target.value)}>
                  {vaults.map((entry) => <option key={entry.id} value={entry.name}>{entry.name}</option>)}
                </select>
              )}
            </Field>
          </div>
          {policies.error ? <AlertBanner tone="danger" title="Could not list policies.">{policies.error}</AlertBanner> : null}
          <Card>
            <Table
              label="Policies"
              rows={policies.data ?? []}
              rowKey={(policy) => policy.id}
              onRowClick={(policy) => navigate({ page: 'policy-edit', vault, name: policy.name })}
              empty={<p className="muted">{policies.loading ? 'Loading…' : 'No policies.'}</p>}
              columns={[
                { key: 'name', header: 'Name', render: (policy) => <><span className="cell-title">{policy.name}</span> {policy.isDefault ? <Badge>Default</Badge> : null}</> },
                { key: 'type', header: 'Type', render: (policy) => <Badge tone={policy.type === 'enhanced' ? 'accent' : 'neutral'} title={POLICY_TYPE_EXPLANATION[policy.type]}>{POLICY_TYPE_SHORT[policy.type]}</Badge> },
                { key: 'schedule', header: 'Schedule', render: (policy) => <>{policyScheduleSummary(policy.body)}<div className="cell-sub">{String(policy.body.timeZone ?? '')}</div></> },
                { key: 'retention', header: 'Retention', render: (policy) => policyRetentionSummary(policy.body) },
                { key: 'items', header: 'Items', render: (policy) => (policy.items.length === 0 ? <span className="muted">None</span> : <span title={policy.items.join(', ')}>{policy.items.length}: {policy.items.slice(0, 3).join(', ')}{policy.items.length > 3 ? '…' : ''}</span>) },
                {
                  key: 'actions', header: '', align: 'right', render: (policy) => (
                    <Button
                      small
                      variant="quiet"
                      disabled={policy.isDefault || policy.items.length > 0}
                      title={policy.isDefault ? 'The default policy cannot be deleted.' : policy.items.length > 0 ? 'Items use this policy: bind them to another one first.' : undefined}
                      onClick={(event) => { event.stopPropagation(); setDeleting(policy); }}
                    >Delete</Button>
                  ),
                },
              ]}
            />
          </Card>
          {deleting ? (
            <DeletePolicyDialog
              vault={vault} policy={deleting} onClose={() => setDeleting(null)} onDone={policies.reload}
            />
          ) : null}
        </>
      )}
    </div>
  );
}
