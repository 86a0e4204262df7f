/** Step 3: the item's name and its backup policy. */
import type { PolicyView } from '../../../shared/contract/policy-channels.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Field, TextField } from '../../components/field.tsx';
import { policyScheduleSummary, policyRetentionSummary } from '../policies/policy-summary.ts';
import type { ProtectDraft } from './protect-steps.ts';

export function ProtectDetailsStep({ draft, update, policies, policiesError, nameError }: {
  draft: ProtectDraft; update: (change: Partial<ProtectDraft>) => void; policies: PolicyView[] | null;
  policiesError: string | null; nameError: string | null;
}) {
  const chosen = policies?.find((policy) => policy.name === draft.policy);
  return (
    <div className="form-narrow">
      <h2>Name and policy</h2>
      <p className="step-intro">The name identifies the VM in lists, jobs and the CLI. The policy says when backups run and how long points are kept.</p>
      <TextField label="Item name" name="item-name" value={draft.name} onValue={(name) => update({ name, nameEdited: true })} error={draft.name === '' && !draft.nameEdited ? null : nameError} hint="2 to 64 characters: a letter or digit first, then letters, digits, '.', '_' or '-'." autoComplete="off" spellCheck={false} />
      {policiesError ? <AlertBanner tone="danger" title="Could not list the vault's policies.">{policiesError}</AlertBanner> : null}
      <Field label="Backup policy" hint={chosen ? `${policyScheduleSummary(chosen.body)} · ${policyRetentionSummary(chosen.body)}` : undefined}>
        {({ inputId, describedBy }) => (
          <select id={inputId} className="select" value={draft.policy} aria-describedby={describedBy} onChange={(event) => update({ policy: event.target.value })}>
            {(policies ?? []).map((policy) => <option key={policy.id} value={policy.name}>{policy.name}{policy.isDefault ? ' (default)' : ''}</option>)}
          </select>
        )}
      </Field>
    </div>
  );
}
