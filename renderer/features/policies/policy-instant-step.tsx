/** Step 3: how many days each point's fast restore copy (instant-restore snapshot) is kept (limits by type). */
import { POLICY_LIMITS } from '../../../shared/policy.ts';
import { Field } from '../../components/field.tsx';
import { draftType, fieldError, type PolicyDraft, type PolicyErrors } from './policy-draft.ts';
import { POLICY_TYPE_LABEL } from './policy-type-words.ts';

export function PolicyInstantStep({ draft, update, errors }: {
  draft: PolicyDraft; update: (change: Partial<PolicyDraft>) => void; errors: PolicyErrors;
}) {
  const type = draftType(draft);
  const limits = POLICY_LIMITS.instantRestoreDays[type];
  return (
    <div className="form-narrow">
      <h2>Fast restore copies</h2>
      <p className="step-intro">Where the disk can clone files (XFS, btrfs, APFS, ReFS) or the hypervisor can snapshot, each backup also keeps a copy on this disk that restores fastest. Elsewhere restores come from the vault copy, which every backup has.</p>
      <Field label="Keep fast restore copies on this disk for" error={fieldError(errors, 'instantRestoreDays')} hint={`${limits.min} to ${limits.max} days for an ${POLICY_TYPE_LABEL[type].toLowerCase()} (default ${limits.default}).`}>
        {({ inputId, describedBy, invalid }) => (
          <div className="input-with-suffix">
            <input id={inputId} className="input narrow" type="number" name="instant-restore-days" min={limits.min} max={limits.max} value={draft.instantRestoreDays} aria-invalid={invalid || undefined} aria-describedby={describedBy} onChange={(event) => update({ instantRestoreDays: event.target.value })} />
            <span>days</span>
          </div>
        )}
      </Field>
      <h3 className="section-title">Test restore</h3>
      <label className="check">
        <input type="checkbox" name="test-restore" checked={draft.testRestore} onChange={(event) => update({ testRestore: event.target.checked })} />
        <span>
          <span className="check-title">Test restore after every backup</span><br />
          <span className="check-text">Reads each new point&apos;s partition tables and walks its filesystems&apos; metadata from the vault; the point shows Verified, Warnings, Failed (with an alert) or Not readable (encrypted or unknown filesystems).</span>
        </span>
      </label>
    </div>
  );
}
