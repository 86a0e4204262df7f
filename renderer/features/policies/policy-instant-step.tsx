/** Step 3: how many days each point's instant-restore snapshot is kept (limits by type). */
import { POLICY_LIMITS } from '../../../shared/policy.ts';
import { Field } from '../../components/field.tsx';
import { draftType, fieldError, type PolicyDraft, type PolicyErrors } from './policy-draft.ts';

export function PolicyInstantStep({ draft, update, errors }: {
  draft: PolicyDraft; update: (change: Partial<PolicyDraft>) => void; errors: PolicyErrors;
}) {
  const type = draftType(draft);
  const limits = POLICY_LIMITS.instantRestoreDays[type];
  return (
    <div className="form-narrow">
      <h2>Instant restore</h2>
      <p className="step-intro">Where the filesystem can clone files (XFS, btrfs, APFS, ReFS) or the hypervisor can snapshot, each point also keeps a snapshot-tier copy that restores fastest. Elsewhere points have the vault tier only.</p>
      <Field label="Keep instant-restore snapshots for" error={fieldError(errors, 'instantRestoreDays')} hint={`${limits.min} to ${limits.max} days for ${type === 'enhanced' ? 'an' : 'a'} ${type} policy (default ${limits.default}).`}>
        {({ inputId, describedBy, invalid }) => (
          <div className="input-with-suffix">
            <input id={inputId} className="input narrow" type="number" name="instant-restore-days" min={limits.min} max={limits.max} value={draft.instantRestoreDays} aria-invalid={invalid || undefined} aria-describedby={describedBy} onChange={(event) => update({ instantRestoreDays: event.target.value })} />
            <span>days</span>
          </div>
        )}
      </Field>
    </div>
  );
}
