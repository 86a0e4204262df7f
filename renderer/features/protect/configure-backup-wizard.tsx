/**
 * Configure backup: vault -> policy (existing, or a new one designed inline) -> VMs (as
 * discovery lists them) -> review -> enable backup (per VM) -> Backup now (optional).
 * The current step is state; whether a step may be left is computed from the draft.
 */
import { useEffect, useMemo, useState } from 'react';
import type { PolicyView } from '../../../shared/contract/policy-channels.ts';
import { itemNameProblem } from '../../../shared/item-rules.ts';
import { api } from '../../api/labvault-client.ts';
import { shownError } from '../../api/error-text.ts';
import { assertNever } from '../../assert-never.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { WizardFrame } from '../../components/wizard-frame.tsx';
import { navigate } from '../../stores/route-store.ts';
import { useVaultsStore } from '../../stores/vaults-store.ts';
import { draftToPolicy, errorsUnder, policyErrors } from '../policies/policy-draft.ts';
import { STEP_FIELDS } from '../policies/policy-wizard-steps.ts';
import { BackupEnableStep, type EnableRow } from './backup-enable-step.tsx';
import { BackupNowStep } from './backup-now-step.tsx';
import { BackupPolicyStep } from './backup-policy-step.tsx';
import { BackupReviewStep } from './backup-review-step.tsx';
import { BackupVaultStep } from './backup-vault-step.tsx';
import { BackupVmsStep, type HandPicked } from './backup-vms-step.tsx';
import {
  CONFIGURE_STEP_LABELS, POLICY_SUB_ORDER, chosenPolicyName, configureStepIndex, emptyConfigureDraft, itemNameErrors,
  vmItemName, type ConfigureDraft, type ConfigureStep, type PolicySubStep, type VmOutcome,
} from './configure-backup-steps.ts';
import { discoverVms, type DiscoveryProblem } from './discover-vms.ts';
import { candidatesOk, filesToProtect, suggestedItemName } from './hand-picked-files.ts';
import type { VmCandidate } from './vm-candidate.ts';

const HAND_PICKED_KEY = 'hand-picked';

function toggled(list: readonly string[], value: string): string[] {
  return list.includes(value) ? list.filter((entry) => entry !== value) : [...list, value];
}

interface Discovery {
  vms: VmCandidate[] | null;
  scanning: boolean;
  error: string | null;
  problems: DiscoveryProblem[];
  folders: string[];
}

function usePolicies(vault: string) {
  const [policies, setPolicies] = useState<PolicyView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (vault === '') return undefined;
    let current = true;
    api.policies.list({ vault }).then(
      (list) => { if (current) { setPolicies(list); setError(null); } },
      (problem: unknown) => { if (current) { setPolicies(null); setError(shownError(problem).message); } },
    );
    return () => { current = false; };
  }, [vault]);
  return { policies, error };
}

export function ConfigureBackupWizard({ initialVault }: { initialVault?: string | undefined }) {
  const vaults = useVaultsStore((state) => state.vaults);
  const [step, setStep] = useState<ConfigureStep>(initialVault ? { kind: 'policy', sub: 'choose' } : { kind: 'vault' });
  const [draft, setDraft] = useState<ConfigureDraft>(() => emptyConfigureDraft(initialVault ?? ''));
  const { policies, error: policiesError } = usePolicies(draft.vault);
  const [discovery, setDiscovery] = useState<Discovery>(
    { vms: null, scanning: false, error: null, problems: [], folders: [] },
  );
  const [handPicked, setHandPicked] = useState<HandPicked & { name: string }>({ candidates: null, error: null, busy: false, name: '' });
  const [outcomes, setOutcomes] = useState<Record<string, VmOutcome>>({});
  const [createdPolicy, setCreatedPolicy] = useState<string | null>(null);
  const [enableError, setEnableError] = useState<string | null>(null);
  const [enabling, setEnabling] = useState(false);
  const newPolicyErrors = useMemo(() => policyErrors(draft.newPolicy), [draft.newPolicy]);
  const update = (change: Partial<ConfigureDraft>) => setDraft((previous) => ({ ...previous, ...change }));

  useEffect(() => {
    const only = vaults.filter((vault) => vault.status === 'ok' && !vault.locked);
    if (draft.vault === '' && only.length === 1 && only[0]) update({ vault: only[0].name });
  }, [vaults, draft.vault]);

  useEffect(() => {
    if (!policies) return;
    setDraft((previous) => (policies.some((policy) => policy.name === previous.policy)
      ? previous
      : { ...previous, policy: policies.find((policy) => policy.isDefault)?.name ?? policies[0]?.name ?? '' }));
  }, [policies]);

  const scan = (folders: string[]) => {
    setDiscovery((previous) => ({ ...previous, folders, scanning: true, error: null }));
    discoverVms(folders).then(
      (found) => setDiscovery((previous) => (previous.folders === folders
        ? { ...previous, vms: found.vms, problems: found.problems, scanning: false }
        : previous)),
      (problem: unknown) => setDiscovery((previous) => (previous.folders === folders
        ? { ...previous, scanning: false, error: shownError(problem).message }
        : previous)),
    );
  };

  useEffect(() => {
    if (step.kind === 'vms' && discovery.vms === null && !discovery.scanning && discovery.error === null) scan([]);
  }, [step.kind]);

  const pickFiles = async (paths: string[]) => {
    setHandPicked((previous) => ({ ...previous, busy: true, error: null }));
    try {
      const candidates = await api.items.inspectFiles({ vault: draft.vault, paths });
      setHandPicked({ candidates, busy: false, error: null, name: suggestedItemName(candidates) });
    } catch (problem) {
      setHandPicked((previous) => ({ ...previous, candidates: null, busy: false, error: shownError(problem).message }));
    }
  };

  const chosenVms = (discovery.vms ?? []).filter((vm) => draft.selected.includes(vm.configPath));
  const picked = handPicked.candidates && candidatesOk(handPicked.candidates) ? handPicked.candidates : null;
  const nameErrors = itemNameErrors(draft, chosenVms);
  const handPickedNameError = picked ? itemNameProblem(handPicked.name) : null;
  const policy = chosenPolicyName(draft);

  const rows: EnableRow[] = [
    ...chosenVms.map((vm) => {
      const name = vmItemName(draft, vm);
      const label = name === vm.name ? name : `${vm.name} (item "${name}")`;
      return { key: vm.configPath, label, outcome: outcomes[vm.configPath] ?? { status: 'pending' as const } };
    }),
    ...(picked ? [{ key: HAND_PICKED_KEY, label: handPicked.name, outcome: outcomes[HAND_PICKED_KEY] ?? { status: 'pending' as const } }] : []),
  ];
  const setOutcome = (key: string, outcome: VmOutcome) => setOutcomes((previous) => ({ ...previous, [key]: outcome }));

  const enable = async () => {
    setStep({ kind: 'enable' });
    setEnabling(true);
    setEnableError(null);
    try {
      if (draft.policyChoice === 'new' && createdPolicy === null) {
        try {
          const saved = await api.policies.create({ vault: draft.vault, policy: draftToPolicy(draft.newPolicy) });
          setCreatedPolicy(saved.name);
        } catch (problem) {
          setEnableError(`The policy "${draft.newPolicy.name}" was not created, so no VM was protected: ${shownError(problem).message}`);
          return;
        }
      }
      for (const vm of chosenVms) {
        if (outcomes[vm.configPath]?.status === 'protected') continue;
        setOutcome(vm.configPath, { status: 'protecting' });
        try {
          const item = await api.items.protect({
            vault: draft.vault, vm: { configPath: vm.configPath }, name: vmItemName(draft, vm), policy,
          });
          setOutcome(vm.configPath, { status: 'protected', itemId: item.id, itemName: item.name });
        } catch (problem) {
          setOutcome(vm.configPath, { status: 'failed', error: shownError(problem).message });
        }
      }
      if (picked && outcomes[HAND_PICKED_KEY]?.status !== 'protected') {
        setOutcome(HAND_PICKED_KEY, { status: 'protecting' });
        try {
          const item = await api.items.protect({
            vault: draft.vault, name: handPicked.name, files: filesToProtect(picked), policy,
          });
          setOutcome(HAND_PICKED_KEY, { status: 'protected', itemId: item.id, itemName: item.name });
        } catch (problem) {
          setOutcome(HAND_PICKED_KEY, { status: 'failed', error: shownError(problem).message });
        }
      }
    } finally {
      setEnabling(false);
      void useVaultsStore.getState().refresh();
    }
  };

  const protectedItems = rows.flatMap((row) => (row.outcome.status === 'protected' ? [{ itemId: row.outcome.itemId, itemName: row.outcome.itemName }] : []));
  const failedCount = rows.filter((row) => row.outcome.status === 'failed').length;
  const policySub = (sub: PolicySubStep, by: number): ConfigureStep => {
    const next = POLICY_SUB_ORDER[POLICY_SUB_ORDER.indexOf(sub) + by];
    if (by > 0 && (draft.policyChoice === 'existing' || next === undefined)) return { kind: 'vms' };
    if (by < 0 && next === undefined) return { kind: 'vault' };
    return { kind: 'policy', sub: next ?? 'choose' };
  };
  const policySubBlocked = (sub: PolicySubStep): boolean => {
    if (sub === 'choose') return draft.policyChoice === 'existing' ? draft.policy === '' : false;
    if (sub === 'retention') return newPolicyErrors.size > 0;
    return errorsUnder(newPolicyErrors, STEP_FIELDS[sub]).length > 0;
  };
  const lastPolicySub: PolicySubStep = draft.policyChoice === 'new' ? 'retention' : 'choose';

  const body = (() => {
    switch (step.kind) {
      case 'vault':
        return <BackupVaultStep vaults={vaults} selected={draft.vault} onSelect={(vault) => update({ vault, policy: '' })} />;
      case 'policy':
        return (
          <BackupPolicyStep
            sub={step.sub} draft={draft} update={update} policies={policies} policiesError={policiesError}
            policyErrors={newPolicyErrors}
          />
        );
      case 'vms':
        return (
          <BackupVmsStep
            vms={discovery.vms}
            scanning={discovery.scanning}
            scanError={discovery.error}
            problems={discovery.problems}
            scannedFolders={discovery.folders}
            selected={draft.selected}
            onToggle={(configPath) => update({ selected: toggled(draft.selected, configPath) })}
            onScanFolder={(folder) => scan(discovery.folders.includes(folder) ? discovery.folders
              : [...discovery.folders, folder])}
            handPicked={handPicked}
            onPickFiles={(paths) => void pickFiles(paths)}
            onClearPicked={() => setHandPicked({ candidates: null, error: null, busy: false, name: '' })}
          />
        );
      case 'review':
        return (
          <BackupReviewStep
            draft={draft}
            vms={chosenVms}
            nameErrors={nameErrors}
            outcomes={outcomes}
            onName={(configPath, name) => update({ names: { ...draft.names, [configPath]: name } })}
            handPicked={picked ? { name: handPicked.name, candidates: picked } : null}
            onHandPickedName={(name) => setHandPicked((previous) => ({ ...previous, name }))}
            handPickedNameError={handPickedNameError}
          />
        );
      case 'enable':
        return (
          <>
            {enableError ? <AlertBanner tone="danger" title="Backup was not enabled.">{enableError}</AlertBanner> : null}
            <BackupEnableStep rows={rows} policyNote={createdPolicy ? `Policy "${createdPolicy}" created in vault ${draft.vault}.` : null} />
          </>
        );
      case 'done':
        return <BackupNowStep items={protectedItems} />;
      default:
        return assertNever(step);
    }
  })();

  const footer = (() => {
    const cancel = <Button onClick={() => navigate({ page: 'items' })}>Cancel</Button>;
    const vmsReady = (chosenVms.length > 0 || picked !== null) && !handPicked.busy;
    switch (step.kind) {
      case 'vault':
        return <>{cancel}<span className="spacer" /><Button variant="primary" disabled={draft.vault === ''} onClick={() => setStep({ kind: 'policy', sub: 'choose' })}>Next: policy</Button></>;
      case 'policy':
        return (
          <>
            <Button onClick={() => setStep(policySub(step.sub, -1))}>Back</Button><span className="spacer" />
            <Button variant="primary" disabled={policySubBlocked(step.sub)} onClick={() => setStep(policySub(step.sub, 1))}>
              {step.sub === lastPolicySub ? 'Next: select VMs' : 'Next'}
            </Button>
          </>
        );
      case 'vms':
        return <><Button onClick={() => setStep({ kind: 'policy', sub: lastPolicySub })}>Back</Button><span className="spacer" /><Button variant="primary" disabled={!vmsReady} onClick={() => setStep({ kind: 'review' })}>Next: review</Button></>;
      case 'review':
        return <><Button onClick={() => setStep({ kind: 'vms' })}>Back</Button><span className="spacer" /><Button variant="primary" disabled={nameErrors.size > 0 || handPickedNameError !== null} onClick={() => void enable()}>Enable backup</Button></>;
      case 'enable':
        return (
          <>
            <Button disabled={enabling || (failedCount === 0 && enableError === null)} onClick={() => setStep({ kind: 'review' })}>Back</Button><span className="spacer" />
            {failedCount > 0 || enableError ? <Button busy={enabling} onClick={() => void enable()}>Retry{failedCount > 0 ? ` ${failedCount} failed` : ''}</Button> : null}
            <Button variant="primary" disabled={enabling || protectedItems.length === 0} onClick={() => setStep({ kind: 'done' })}>Next: backup now</Button>
          </>
        );
      case 'done':
        return null;
      default:
        return assertNever(step);
    }
  })();

  return (
    <div>
      <PageHeader crumbs={[{ label: 'Protected items', onClick: () => navigate({ page: 'items' }) }]} title="Configure backup" description="Choose a vault and a policy, then the VMs to protect: each is backed up whole, as it is at each backup." />
      <WizardFrame steps={CONFIGURE_STEP_LABELS} current={configureStepIndex(step)} stepKind={step.kind === 'policy' ? `policy-${step.sub}` : step.kind} footer={footer}>
        {body}
      </WizardFrame>
    </div>
  );
}
