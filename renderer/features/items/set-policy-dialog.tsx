/** Binds another policy of the item's vault to the item. */
import { useState } from 'react';
import type { Item } from '../../../shared/contract/item-models.ts';
import { api } from '../../api/labvault-client.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { CliEquivalent } from '../../components/cli-equivalent.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { Field } from '../../components/field.tsx';
import { shellQuote } from '../../format/cli-quote.ts';
import { useLoader } from '../../hooks/use-loader.ts';
import { navigate } from '../../stores/route-store.ts';
import { toastSuccess } from '../../stores/toast-store.ts';
import { policyRetentionSummary, policyScheduleSummary } from '../policies/policy-summary.ts';
import { useDialogAction } from '../../hooks/use-dialog-action.ts';

export function SetPolicyDialog({ item, onClose, onDone }: { item: Item; onClose: () => void; onDone: () => void }) {
  const policies = useLoader(() => api.policies.list({ vault: item.vaultName }), [item.vaultName]);
  const [policy, setPolicy] = useState(item.policyName);
  const { busy, error, run } = useDialogAction(() => {
    onDone();
    onClose();
  });
  const chosen = policies.data?.find((entry) => entry.name === policy);
  const apply = () => run(async () => {
    await api.items.setPolicy({ item: item.id, policy });
    toastSuccess(`"${item.name}" now uses ${policy}`);
  });
  return (
    <Dialog title={`Backup policy of "${item.name}"`} onClose={onClose} footer={<><Button onClick={onClose}>Cancel</Button><Button variant="primary" busy={busy} disabled={policy === item.policyName} onClick={() => void apply()}>Apply policy</Button></>}>
      {policies.error ? <AlertBanner tone="danger">{policies.error}</AlertBanner> : null}
      <Field label="Policy" hint={chosen ? `${policyScheduleSummary(chosen.body)} · ${policyRetentionSummary(chosen.body)}` : undefined}>
        {({ inputId, describedBy }) => (
          <select id={inputId} className="select" value={policy} aria-describedby={describedBy} onChange={(event) => setPolicy(event.target.value)}>
            {(policies.data ?? [{ id: item.policyName, name: item.policyName, isDefault: false }]).map((entry) => <option key={entry.id} value={entry.name}>{entry.name}{entry.isDefault ? ' (default)' : ''}</option>)}
          </select>
        )}
      </Field>
      <p className="muted small">Existing recovery points are re-evaluated against the new policy's retention. <button type="button" className="crumb-link" onClick={() => { onClose(); navigate({ page: 'policy-create', vault: item.vaultName }); }}>Design a new policy…</button></p>
      {error ? <AlertBanner tone="danger">{error}</AlertBanner> : null}
      <CliEquivalent command={`labvault item set-policy ${shellQuote(item.name)} --policy ${shellQuote(policy)}`} />
    </Dialog>
  );
}
