/** Protect VMs: vault -> files (inspected by the engine) -> name and policy -> review -> done. */
import { useEffect, useState } from 'react';
import type { FileCandidate } from '../../../shared/contract/item-models.ts';
import type { PolicyView } from '../../../shared/contract/policy-channels.ts';
import { api } from '../../api/labvault-client.ts';
import { shownError } from '../../api/error-text.ts';
import { assertNever } from '../../assert-never.ts';
import { Button } from '../../components/button.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { WizardFrame } from '../../components/wizard-frame.tsx';
import { navigate } from '../../stores/route-store.ts';
import { useVaultsStore } from '../../stores/vaults-store.ts';
import { ProtectDetailsStep } from './protect-details-step.tsx';
import { ProtectDoneStep } from './protect-done-step.tsx';
import { ProtectFilesStep } from './protect-files-step.tsx';
import { ProtectReviewStep } from './protect-review-step.tsx';
import { ProtectVaultStep } from './protect-vault-step.tsx';
import {
  PROTECT_STEP_LABELS, candidatesOk, filesToProtect, itemNameError, pathsOf, protectStepIndex, suggestedItemName,
  type ProtectDraft, type ProtectStep,
} from './protect-steps.ts';

export function ProtectWizard({ initialVault }: { initialVault?: string | undefined }) {
  const vaults = useVaultsStore((state) => state.vaults);
  const [step, setStep] = useState<ProtectStep>(initialVault ? { kind: 'files' } : { kind: 'vault' });
  const [draft, setDraft] = useState<ProtectDraft>({ vault: initialVault ?? '', pathsText: '', name: '', nameEdited: false, policy: '' });
  const [candidates, setCandidates] = useState<FileCandidate[] | null>(null);
  const [inspectedText, setInspectedText] = useState<string | null>(null);
  const [inspectError, setInspectError] = useState<string | null>(null);
  const [inspecting, setInspecting] = useState(false);
  const [policies, setPolicies] = useState<PolicyView[] | null>(null);
  const [policiesError, setPoliciesError] = useState<string | null>(null);
  const [nameServerError, setNameServerError] = useState<string | null>(null);

  useEffect(() => {
    if (draft.vault === '' && vaults.length === 1 && vaults[0]) setDraft((previous) => ({ ...previous, vault: vaults[0]?.name ?? '' }));
  }, [vaults, draft.vault]);

  useEffect(() => {
    if (draft.vault === '') return;
    let current = true;
    api.policies.list({ vault: draft.vault }).then(
      (list) => {
        if (!current) return;
        setPolicies(list);
        setPoliciesError(null);
        setDraft((previous) => (previous.policy && list.some((policy) => policy.name === previous.policy) ? previous : { ...previous, policy: list.find((policy) => policy.isDefault)?.name ?? list[0]?.name ?? '' }));
      },
      (error: unknown) => { if (current) { setPolicies(null); setPoliciesError(shownError(error).message); } },
    );
    return () => { current = false; };
  }, [draft.vault]);

  const update = (change: Partial<ProtectDraft>) => {
    setDraft((previous) => ({ ...previous, ...change }));
    if (change.name !== undefined) setNameServerError(null);
  };

  const inspect = async () => {
    const paths = pathsOf(draft.pathsText);
    if (paths.length === 0) return;
    setInspecting(true);
    setInspectError(null);
    try {
      const found = await api.items.inspectFiles({ vault: draft.vault, paths });
      setCandidates(found);
      setInspectedText(draft.pathsText);
      setDraft((previous) => (previous.nameEdited ? previous : { ...previous, name: suggestedItemName(found) }));
    } catch (error) {
      setCandidates(null);
      setInspectError(shownError(error).message);
    } finally {
      setInspecting(false);
    }
  };

  const inspectedCurrent = inspectedText === draft.pathsText;
  const files = candidates ? filesToProtect(candidates) : [];

  const protect = async () => {
    setStep({ kind: 'protecting' });
    try {
      const item = await api.items.protect({
        vault: draft.vault, name: draft.name, files, ...(draft.policy ? { policy: draft.policy } : {}),
      });
      void useVaultsStore.getState().refresh();
      setStep({ kind: 'done', item });
    } catch (error) {
      const shown = shownError(error);
      if (shown.field === 'name') {
        setNameServerError(shown.message);
        setStep({ kind: 'details' });
      } else if (shown.field === 'files' || shown.field?.startsWith('files')) {
        setInspectError(shown.message);
        setStep({ kind: 'files' });
      } else {
        setStep({ kind: 'review', error: shown.message });
      }
    }
  };

  const body = (() => {
    switch (step.kind) {
      case 'vault': return <ProtectVaultStep vaults={vaults} selected={draft.vault} onSelect={(vault) => { update({ vault }); setCandidates(null); setInspectedText(null); }} />;
      case 'files': return <ProtectFilesStep draft={draft} update={update} candidates={inspectedCurrent ? candidates : null} inspecting={inspecting} error={inspectError} onInspect={() => void inspect()} />;
      case 'details': return <ProtectDetailsStep draft={draft} update={update} policies={policies} policiesError={policiesError} nameError={nameServerError ?? itemNameError(draft.name)} />;
      case 'review': return <ProtectReviewStep draft={draft} files={files} candidates={candidates ?? []} error={step.error} />;
      case 'protecting': return <ProtectReviewStep draft={draft} files={files} candidates={candidates ?? []} error={null} />;
      case 'done': return <ProtectDoneStep item={step.item} />;
      default: return assertNever(step);
    }
  })();

  const footer = (() => {
    const cancel = <Button onClick={() => navigate({ page: 'items' })}>Cancel</Button>;
    switch (step.kind) {
      case 'vault':
        return <>{cancel}<span className="spacer" /><Button variant="primary" disabled={draft.vault === ''} onClick={() => setStep({ kind: 'files' })}>Next: files</Button></>;
      case 'files':
        return <><Button onClick={() => setStep({ kind: 'vault' })}>Back</Button><span className="spacer" /><Button variant="primary" disabled={!inspectedCurrent || !candidatesOk(candidates)} onClick={() => setStep({ kind: 'details' })}>Next: name and policy</Button></>;
      case 'details':
        return <><Button onClick={() => setStep({ kind: 'files' })}>Back</Button><span className="spacer" /><Button variant="primary" disabled={itemNameError(draft.name) !== null || nameServerError !== null || draft.policy === ''} onClick={() => setStep({ kind: 'review', error: null })}>Next: review</Button></>;
      case 'review':
      case 'protecting':
        return <><Button disabled={step.kind === 'protecting'} onClick={() => setStep({ kind: 'details' })}>Back</Button><span className="spacer" /><Button variant="primary" busy={step.kind === 'protecting'} onClick={() => void protect()}>Enable backup</Button></>;
      case 'done':
        return null;
      default:
        return assertNever(step);
    }
  })();

  return (
    <div>
      <PageHeader crumbs={[{ label: 'Protected items', onClick: () => navigate({ page: 'items' }) }]} title="Protect VMs" description="Choose a vault, the VM's files (configuration, disk images, firmware), a name and a backup policy." />
      <WizardFrame steps={PROTECT_STEP_LABELS} current={protectStepIndex(step)} stepKind={step.kind} footer={footer}>
        {body}
      </WizardFrame>
    </div>
  );
}
