/**
 * Policy wizard (create or change): schedule -> time zone -> instant restore -> retention
 * -> preview -> review and save. Field errors come from validatePolicy as you type.
 */
import { useEffect, useMemo, useState } from 'react';
import { api } from '../../api/labvault-client.ts';
import { shownError } from '../../api/error-text.ts';
import { assertNever } from '../../assert-never.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { Field } from '../../components/field.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { WizardFrame } from '../../components/wizard-frame.tsx';
import { navigate } from '../../stores/route-store.ts';
import { useVaultsStore } from '../../stores/vaults-store.ts';
import { useLoader } from '../../hooks/use-loader.ts';
import { useDebounced } from '../../hooks/use-debounced.ts';
import { keepsNothingReason, type RetentionPicture } from './policy-keeps-nothing.ts';
import { changeDraft, errorsUnder, newPolicyDraft, policyErrors, policyToDraft, draftToPolicy, type PolicyDraft } from './policy-draft.ts';
import { PolicyInstantStep } from './policy-instant-step.tsx';
import { PolicyPreviewStep } from './policy-preview-step.tsx';
import { PolicyRetentionStep } from './policy-retention-step.tsx';
import { PolicyReviewStep } from './policy-review-step.tsx';
import { PolicyScheduleStep } from './policy-schedule-step.tsx';
import { POLICY_STEP_LABELS, STEP_FIELDS, policyStepIndex, type PolicyStep } from './policy-wizard-steps.ts';
import { PolicyZoneStep } from './policy-zone-step.tsx';

const PREVIEW_DEBOUNCE_MS = 250;

export function PolicyWizard({ vault: initialVault, editing }: { vault?: string | undefined; editing?: string }) {
  const vaults = useVaultsStore((state) => state.vaults);
  const [vault, setVault] = useState(initialVault ?? '');
  const [step, setStep] = useState<PolicyStep>({ kind: 'schedule' });
  const [draft, setDraft] = useState<PolicyDraft>(newPolicyDraft);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(editing === undefined);
  const errors = useMemo(() => policyErrors(draft), [draft]);
  const update = (change: Partial<PolicyDraft>) => setDraft((previous) => changeDraft(previous, change));

  useEffect(() => {
    if (vault === '' && vaults[0]) setVault(vaults[0].name);
  }, [vaults, vault]);

  useEffect(() => {
    if (!editing || !initialVault) return;
    api.policies.show({ vault: initialVault, name: editing }).then(
      (view) => { setDraft(policyToDraft(view.body)); setLoaded(true); },
      (error: unknown) => setLoadError(shownError(error).message),
    );
  }, [editing, initialVault]);

  const blocked = (fields: readonly string[]) => errorsUnder(errors, fields).length > 0;
  // A year of scheduled backups and which are kept: shown on Preview; a policy keeping none is not saved.
  const currentKey = errors.size > 0 ? '' : JSON.stringify(draftToPolicy(draft));
  const policyKey = useDebounced(currentKey, PREVIEW_DEBOUNCE_MS);
  const picture = useLoader<RetentionPicture | null>(
    () => (policyKey === '' ? Promise.resolve(null) : api.policies.previewRetention({ policy: JSON.parse(policyKey) })),
    [policyKey],
  );
  const pictureCurrent = policyKey === currentKey && !picture.loading && picture.data;
  const keepsNothing = pictureCurrent ? keepsNothingReason(pictureCurrent, draft) : null;
  const unsaveable = errors.size > 0 || keepsNothing !== null || !pictureCurrent;

  const save = async () => {
    setStep({ kind: 'saving' });
    try {
      const policy = draftToPolicy(draft);
      const saved = editing
        ? await api.policies.update({ vault, name: editing, policy })
        : await api.policies.create({ vault, policy });
      setStep({ kind: 'done', policy: saved });
    } catch (error) {
      setStep({ kind: 'review', error: shownError(error).message });
    }
  };

  const vaultPicker = editing ? null : (
    <Field label="Vault" hint="A policy belongs to one vault and can be bound to that vault's items.">
      {({ inputId, describedBy }) => (
        <select id={inputId} className="select" value={vault} aria-describedby={describedBy} onChange={(event) => setVault(event.target.value)}>
          {vaults.map((entry) => <option key={entry.id} value={entry.name}>{entry.name}</option>)}
        </select>
      )}
    </Field>
  );

  const body = (() => {
    switch (step.kind) {
      case 'schedule': return <PolicyScheduleStep draft={draft} update={update} errors={errors} editing={editing !== undefined} vaultPicker={vaultPicker} />;
      case 'zone': return <PolicyZoneStep draft={draft} update={update} errors={errors} />;
      case 'instant': return <PolicyInstantStep draft={draft} update={update} errors={errors} />;
      case 'retention':
        return (
          <>
            <PolicyRetentionStep draft={draft} update={update} errors={errors} />
            {keepsNothing ? <div className="keeps-nothing"><AlertBanner tone="danger" title="This policy keeps no backup.">{keepsNothing}</AlertBanner></div> : null}
          </>
        );
      case 'preview': return <PolicyPreviewStep draft={draft} picture={picture} keepsNothing={keepsNothing} />;
      case 'review':
        return (
          <>
            {keepsNothing ? <div className="keeps-nothing"><AlertBanner tone="danger" title="This policy keeps no backup.">{keepsNothing}</AlertBanner></div> : null}
            <PolicyReviewStep draft={draft} vault={vault} editing={editing} error={step.error} />
          </>
        );
      case 'saving': return <PolicyReviewStep draft={draft} vault={vault} editing={editing} error={null} />;
      case 'done':
        return (
          <div className="done-step">
            <div className="done-mark" aria-hidden="true">✓</div>
            <h2>Policy "{step.policy.name}" saved</h2>
            <p className="step-intro">{step.policy.items.length > 0 ? `Used by ${step.policy.items.join(', ')}; their points were re-evaluated.` : 'Bind it to protected items from their details page ("Change policy").'}</p>
            <div className="row">
              <Button variant="primary" onClick={() => navigate({ page: 'items' })}>Go to protected items</Button>
              <Button onClick={() => navigate({ page: 'policies' })}>Back to policies</Button>
            </div>
          </div>
        );
      default: return assertNever(step);
    }
  })();

  const back = (to: PolicyStep) => <Button onClick={() => setStep(to)}>Back</Button>;
  const next = (label: string, to: PolicyStep, disabled: boolean) => <Button variant="primary" disabled={disabled} onClick={() => setStep(to)}>{label}</Button>;
  const footer = (() => {
    switch (step.kind) {
      case 'schedule': return <><Button onClick={() => navigate({ page: 'policies' })}>Cancel</Button><span className="spacer" />{next('Next: time zone', { kind: 'zone' }, blocked(STEP_FIELDS.schedule) || vault === '')}</>;
      case 'zone': return <>{back({ kind: 'schedule' })}<span className="spacer" />{next('Next: fast restore', { kind: 'instant' }, blocked(STEP_FIELDS.zone))}</>;
      case 'instant': return <>{back({ kind: 'zone' })}<span className="spacer" />{next('Next: retention', { kind: 'retention' }, blocked(STEP_FIELDS.instant))}</>;
      case 'retention': return <>{back({ kind: 'instant' })}<span className="spacer" />{next('Next: preview', { kind: 'preview' }, errors.size > 0)}</>;
      case 'preview': return <>{back({ kind: 'retention' })}<span className="spacer" />{next('Next: review', { kind: 'review', error: null }, unsaveable)}</>;
      case 'review': case 'saving': return <>{back({ kind: 'preview' })}<span className="spacer" /><Button variant="primary" busy={step.kind === 'saving'} disabled={unsaveable} title={keepsNothing ?? undefined} onClick={() => void save()}>{editing ? 'Save changes' : 'Create policy'}</Button></>;
      case 'done': return null;
      default: return assertNever(step);
    }
  })();

  return (
    <div>
      <PageHeader crumbs={[{ label: 'Policies', onClick: () => navigate({ page: 'policies' }) }]} title={editing ? `Change policy ${editing}` : 'Create a backup policy'} description="A policy says when backups run and how long recovery points are kept." />
      {loadError ? <AlertBanner tone="danger" title="Could not load the policy.">{loadError}</AlertBanner> : null}
      {vaults.length === 0 && !editing ? <AlertBanner tone="warn" title="No vault yet.">Policies belong to a vault: create a vault first.</AlertBanner> : null}
      {loaded ? (
        <WizardFrame
          steps={POLICY_STEP_LABELS}
          current={Math.min(policyStepIndex(step), POLICY_STEP_LABELS.length)}
          stepKind={step.kind}
          footer={footer}
        >
          {body}
        </WizardFrame>
      ) : <p className="muted">Loading…</p>}
    </div>
  );
}
