/**
 * Step 2: the backup policy: one of the vault's policies (its default first), or a new one
 * designed here with the policy wizard's own pages (schedule, time zone, fast restore,
 * retention); it is created when backup is enabled.
 */
import type { PolicyView } from '../../../shared/contract/policy-channels.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Field } from '../../components/field.tsx';
import type { PolicyDraft, PolicyErrors } from '../policies/policy-draft.ts';
import { PolicyInstantStep } from '../policies/policy-instant-step.tsx';
import { PolicyRetentionStep } from '../policies/policy-retention-step.tsx';
import { PolicyScheduleStep } from '../policies/policy-schedule-step.tsx';
import { policyRetentionSummary, policyScheduleSummary } from '../policies/policy-summary.ts';
import { PolicyZoneStep } from '../policies/policy-zone-step.tsx';
import type { ConfigureDraft, PolicySubStep } from './configure-backup-steps.ts';

export interface BackupPolicyStepProps {
  sub: PolicySubStep;
  draft: ConfigureDraft;
  update: (change: Partial<ConfigureDraft>) => void;
  policies: PolicyView[] | null;
  policiesError: string | null;
  policyErrors: PolicyErrors;
}

function ChoosePolicy({ draft, update, policies, policiesError }: Omit<BackupPolicyStepProps, 'sub' | 'policyErrors'>) {
  const chosen = policies?.find((policy) => policy.name === draft.policy);
  return (
    <div className="form-narrow">
      <h2>Backup policy</h2>
      <p className="step-intro">When backups run and how long recovery points are kept. Every VM chosen next gets this policy; it can be changed per VM later.</p>
      {policiesError ? <AlertBanner tone="danger" title="Could not list the vault's policies.">{policiesError}</AlertBanner> : null}
      <div className="choice-group" role="radiogroup" aria-label="Policy">
        <label className={`choice${draft.policyChoice === 'existing' ? ' is-selected' : ''}`}>
          <input type="radio" name="policy-choice" checked={draft.policyChoice === 'existing'} onChange={() => update({ policyChoice: 'existing' })} />
          <span><span className="check-title">Use a policy of vault {draft.vault}</span><br /><span className="check-text">The default: daily, points kept 30 days, fast restore copies 2 days.</span></span>
        </label>
        <label className={`choice${draft.policyChoice === 'new' ? ' is-selected' : ''}`}>
          <input type="radio" name="policy-choice" checked={draft.policyChoice === 'new'} onChange={() => update({ policyChoice: 'new' })} />
          <span><span className="check-title">Create a new policy</span><br /><span className="check-text">Schedule, time zone, fast restore and retention, on the next pages.</span></span>
        </label>
      </div>
      {draft.policyChoice === 'existing' ? (
        <Field label="Backup policy" hint={chosen ? `${policyScheduleSummary(chosen.body)} · ${policyRetentionSummary(chosen.body)}` : undefined}>
          {({ inputId, describedBy }) => (
            <select id={inputId} className="select" value={draft.policy} aria-describedby={describedBy} onChange={(event) => update({ policy: event.target.value })}>
              {(policies ?? []).map((policy) => <option key={policy.id} value={policy.name}>{policy.name}{policy.isDefault ? ' (default)' : ''}</option>)}
            </select>
          )}
        </Field>
      ) : null}
    </div>
  );
}

export function BackupPolicyStep(props: BackupPolicyStepProps) {
  const { sub, draft, update, policyErrors } = props;
  const updatePolicy = (change: Partial<PolicyDraft>) => update({ newPolicy: { ...draft.newPolicy, ...change } });
  const pageProps = { draft: draft.newPolicy, update: updatePolicy, errors: policyErrors };
  switch (sub) {
    case 'choose': return <ChoosePolicy {...props} />;
    case 'schedule': return <PolicyScheduleStep {...pageProps} editing={false} vaultPicker={<p className="muted small">New policy of vault {draft.vault}.</p>} />;
    case 'zone': return <PolicyZoneStep {...pageProps} />;
    case 'instant': return <PolicyInstantStep {...pageProps} />;
    case 'retention': return <PolicyRetentionStep {...pageProps} />;
  }
}
