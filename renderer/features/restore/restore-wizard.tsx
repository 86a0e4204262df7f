/**
 * Restore: item -> recovery point (compare two) -> what (new VM, disks, replace, files) ->
 * options (checked live) -> review with the CLI equivalent -> progress -> done.
 */
import { useEffect, useState } from 'react';
import type { Item, Job, Point } from '../../../shared/contract/item-models.ts';
import type { PathCheck } from '../../../shared/contract/models.ts';
import type { RestoreVmPlan } from '../../../shared/contract/restore-vm-channels.ts';
import { api } from '../../api/labvault-client.ts';
import { shownError } from '../../api/error-text.ts';
import { assertNever } from '../../assert-never.ts';
import { Button } from '../../components/button.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { typedConfirmOk } from '../../components/typed-confirm.tsx';
import { WizardFrame } from '../../components/wizard-frame.tsx';
import { formatDateTime } from '../../format/format-time.ts';
import { useDebounced } from '../../hooks/use-debounced.ts';
import { useLoader } from '../../hooks/use-loader.ts';
import { useJobProgressStore } from '../../stores/job-progress-store.ts';
import { navigate } from '../../stores/route-store.ts';
import { useVmStates } from '../protect/use-vm-states.ts';
import { RestoreDisksOptions } from './restore-disks-options.tsx';
import { RestoreItemStep } from './restore-item-step.tsx';
import { RestorePointStep } from './restore-point-step.tsx';
import { replaceBlocker, RestoreReplaceOptions } from './restore-replace-options.tsx';
import { RestoreReviewStep } from './restore-review-step.tsx';
import { RestoreRunStep } from './restore-run-step.tsx';
import {
  emptyDraft, RESTORE_STEP_LABELS, restoresAsVm, restoreStepIndex, suggestedVmFolder,
  type RestoreDraft, type RestoreStep,
} from './restore-steps.ts';
import { RestoreVmOptions, type VmCheckState } from './restore-vm-options.tsx';
import { RestoreWhatStep } from './restore-what-step.tsx';

const CHECK_DELAY_MS = 300;

/** restore.vm / restore.vmCheck input from the draft. */
function vmInput(draft: RestoreDraft, point: Point | undefined) {
  const own = point?.vm?.hypervisor;
  const keepable = point?.vm?.state === 'saved' && (draft.hypervisor === 'same' || draft.hypervisor === own);
  return {
    item: draft.itemId, point: draft.pointId,
    ...(draft.target.trim() !== '' ? { to: draft.target } : {}),
    ...(draft.vmName.trim() !== '' ? { name: draft.vmName.trim() } : {}),
    ...(draft.hypervisor !== 'same' ? { hypervisor: draft.hypervisor } : {}),
    ...(draft.format !== '' ? { format: draft.format } : {}),
    register: draft.register,
    ...(keepable && !draft.keepSavedState ? { keepSavedState: false } : {}),
  };
}

export function RestoreWizard({ initialItem }: { initialItem?: string | undefined }) {
  const [step, setStep] = useState<RestoreStep>(initialItem ? { kind: 'point' } : { kind: 'item' });
  const [draft, setDraft] = useState<RestoreDraft>(() => emptyDraft(initialItem ?? ''));
  const [job, setJob] = useState<Job | null>(null);
  const [startedPlan, setStartedPlan] = useState<RestoreVmPlan | null>(null);
  const items = useLoader(() => api.items.list({}), []);
  const points = useLoader(
    () => (draft.itemId ? api.points.list({ item: draft.itemId }) : Promise.resolve([] as Point[])),
    [draft.itemId],
  );
  const [targetCheck, setTargetCheck] = useState<PathCheck | null>(null);
  /** The engine's answer to restore.vmCheck and the input (as JSON) it answers. */
  const [vmCheck, setVmCheck] = useState<(Omit<VmCheckState, 'current'> & { asked: string }) | null>(null);
  const revision = useJobProgressStore((state) => state.revision);
  const update = (change: Partial<RestoreDraft>) => setDraft((previous) => ({ ...previous, ...change }));

  const item = items.data?.find((entry) => entry.id === draft.itemId);
  const point = points.data?.find((entry) => entry.id === draft.pointId);
  const pointTime = point ? formatDateTime(point.createdAt) : draft.pointId;

  useEffect(() => {
    const found = items.data?.find((entry) => entry.id === draft.itemId || entry.name === draft.itemId);
    if (found && (draft.itemName !== found.name || draft.itemId !== found.id)) {
      update({ itemId: found.id, itemName: found.name });
    }
  }, [items.data, draft.itemId, draft.itemName]);

  useEffect(() => {
    const newest = points.data?.find((entry) => entry.state === 'active');
    if (newest && !points.data?.some((entry) => entry.id === draft.pointId)) choosePoint(newest);
  }, [points.data]);

  // Restore disks: the folder checked as it is typed.
  const settledTarget = useDebounced(draft.target, CHECK_DELAY_MS);
  useEffect(() => {
    if (draft.kind !== 'disks' || settledTarget.trim() === '') { setTargetCheck(null); return; }
    let current = true;
    api.vaults.checkPath({ path: settledTarget }).then(
      (check) => { if (current) setTargetCheck(check); },
      (error: unknown) => {
        if (current) setTargetCheck({ path: settledTarget, ok: false, message: shownError(error).message });
      },
    );
    return () => { current = false; };
  }, [settledTarget, draft.kind]);

  // New VM: name, folder, hypervisor and format checked by the engine as they change.
  const checkKey = JSON.stringify(vmInput(draft, point));
  const settledCheck = useDebounced(checkKey, CHECK_DELAY_MS);
  const checkingVm = draft.kind === 'new-vm' && (step.kind === 'options' || step.kind === 'review') && draft.pointId !== '';
  useEffect(() => {
    if (!checkingVm) return;
    let current = true;
    const asked = settledCheck;
    api.restore.vmCheck(JSON.parse(asked) as ReturnType<typeof vmInput>).then(
      (answer) => {
        if (current) setVmCheck({ problems: answer.problems, plan: answer.plan, asked });
      },
      (error: unknown) => {
        const message = shownError(error).message;
        if (current) setVmCheck({ problems: [{ field: 'point', code: 'ERROR', message }], plan: null, asked });
      },
    );
    return () => { current = false; };
  }, [settledCheck, checkingVm]);
  const vmCheckNow: VmCheckState | null = vmCheck && { ...vmCheck, current: vmCheck.asked === checkKey };

  // Replace: the VM's state now and any interrupted replace.
  const replacing = draft.kind === 'replace' && draft.itemId !== '';
  const vmStates = useVmStates(replacing && item ? [item] : undefined);
  const vmNow = item?.vm ? vmStates.byConfig.get(item.vm.configPath) : undefined;
  const replaceStatus = useLoader(
    () => (replacing ? api.restore.replaceStatus({ item: draft.itemId }) : Promise.resolve(undefined)),
    [replacing, draft.itemId],
  );

  // While the restore runs, follow its job until it ends.
  useEffect(() => {
    if (step.kind !== 'running') return;
    let current = true;
    api.jobs.show({ id: step.jobId }).then((shown) => {
      if (!current) return;
      setJob(shown);
      if (shown.status !== 'in-progress' && shown.status !== 'queued') setStep({ kind: 'finished', job: shown });
    }, () => undefined);
    return () => { current = false; };
  }, [step, revision]);

  function choosePoint(chosen: Point) {
    update({ pointId: chosen.id, files: chosen.files.map((file) => file.name), allFiles: true, ...(restoresAsVm(chosen) ? {} : draft.kind === 'new-vm' ? { kind: 'disks' } : {}) });
  }
  const chooseItem = (chosen: Item) => update({ itemId: chosen.id, itemName: chosen.name, pointId: '', confirm: '', vmName: '', target: '', targetEdited: false });

  /** Entering the options: a new VM gets a name and a folder beside the VM it was taken from. */
  const toOptions = () => {
    if (draft.kind === 'new-vm' && point?.vm && draft.vmName === '') {
      const vmName = `${point.vm.name}-restored`;
      const folder = suggestedVmFolder(item?.vm?.configPath ?? point.vm.configPath, vmName);
      update({ vmName, target: draft.targetEdited ? draft.target : folder });
    }
    setStep({ kind: 'options' });
  };
  const setName = (change: Partial<RestoreDraft>) => {
    if (change.vmName !== undefined && !draft.targetEdited && point?.vm) {
      update({ ...change, target: suggestedVmFolder(item?.vm?.configPath ?? point.vm.configPath, change.vmName) });
    } else update(change);
  };

  const targetReady = targetCheck !== null && targetCheck.ok && settledTarget === draft.target;
  const blocker = replaceBlocker(item, vmNow, replaceStatus.data);
  const optionsReady = (() => {
    switch (draft.kind) {
      case 'disks': return targetReady && draft.files.length > 0;
      case 'new-vm': return vmCheckNow !== null && vmCheckNow.current && vmCheckNow.problems.length === 0 && vmCheckNow.plan !== null;
      case 'replace': return typedConfirmOk(draft.itemName, draft.confirm) && blocker === null && !replaceStatus.loading;
      case 'files': return false;
      default: return assertNever(draft.kind);
    }
  })();

  const run = async () => {
    try {
      let jobId: string;
      if (draft.kind === 'new-vm') {
        const started = await api.restore.vm({ ...vmInput(draft, point), to: draft.target, name: draft.vmName.trim() });
        setStartedPlan(started.plan);
        jobId = started.jobId;
      } else if (draft.kind === 'replace') {
        jobId = (await api.restore.replace({ item: draft.itemId, point: draft.pointId, confirm: draft.confirm })).jobId;
      } else {
        jobId = (await api.restore.disks({
          item: draft.itemId, point: draft.pointId, to: draft.target, ...(draft.allFiles ? {} : { files: draft.files }),
          ...(draft.format !== '' ? { format: draft.format } : {}), ...(draft.flatten ? { flatten: true } : {}),
        })).jobId;
      }
      setJob(null);
      setStep({ kind: 'running', jobId });
    } catch (error) {
      setStep({ kind: 'review', error: shownError(error).message });
    }
  };

  const options = () => {
    if (!point) return <p className="muted">Loading…</p>;
    switch (draft.kind) {
      case 'new-vm': return <RestoreVmOptions draft={draft} point={point} update={setName} check={vmCheckNow} />;
      case 'disks': return <RestoreDisksOptions draft={draft} point={point} update={update} check={settledTarget === draft.target ? targetCheck : null} />;
      case 'replace': return <RestoreReplaceOptions draft={draft} item={item} point={point} update={update} vmNow={vmNow} status={replaceStatus.data} />;
      case 'files': return null;
      default: return assertNever(draft.kind);
    }
  };

  const body = (() => {
    switch (step.kind) {
      case 'item': return items.data ? <RestoreItemStep items={items.data} selected={draft.itemId} onSelect={chooseItem} /> : <p className="muted">{items.error ?? 'Loading…'}</p>;
      case 'point': return points.data ? <RestorePointStep key={draft.itemId} item={draft.itemId} points={points.data} selected={draft.pointId} onSelect={choosePoint} /> : <p className="muted">{points.error ?? 'Loading…'}</p>;
      case 'what': return <RestoreWhatStep draft={draft} point={point} update={update} />;
      case 'options': return options();
      case 'review': return <RestoreReviewStep draft={draft} point={point} plan={draft.kind === 'new-vm' ? vmCheckNow?.plan ?? null : null} error={step.error} />;
      case 'running': return <RestoreRunStep jobId={step.jobId} job={job} draft={draft} plan={startedPlan} pointTime={pointTime} />;
      case 'finished': return <RestoreRunStep jobId={step.job.id} job={step.job} draft={draft} plan={startedPlan} pointTime={pointTime} />;
      default: return assertNever(step);
    }
  })();

  const back = (to: RestoreStep) => <Button onClick={() => setStep(to)}>Back</Button>;
  const footer = (() => {
    switch (step.kind) {
      case 'item': return <><Button onClick={() => navigate({ page: 'dashboard' })}>Cancel</Button><span className="spacer" /><Button variant="primary" disabled={draft.itemId === ''} onClick={() => setStep({ kind: 'point' })}>Next: recovery point</Button></>;
      case 'point': return <>{back({ kind: 'item' })}<span className="spacer" /><Button variant="primary" disabled={!point} onClick={() => setStep({ kind: 'what' })}>Next: what to restore</Button></>;
      case 'what': return draft.kind === 'files'
        ? <>{back({ kind: 'point' })}<span className="spacer" /><Button variant="primary" disabled={!point} onClick={() => navigate({ page: 'point-files', item: draft.itemId, point: draft.pointId })}>Next: browse files</Button></>
        : <>{back({ kind: 'point' })}<span className="spacer" /><Button variant="primary" disabled={!point} onClick={toOptions}>Next: options</Button></>;
      case 'options': return <>{back({ kind: 'what' })}<span className="spacer" /><Button variant="primary" disabled={!optionsReady} onClick={() => setStep({ kind: 'review', error: null })}>Next: review</Button></>;
      case 'review': return <>{back({ kind: 'options' })}<span className="spacer" />
        <Button variant={draft.kind === 'replace' ? 'danger' : 'primary'} disabled={!optionsReady} onClick={() => void run()}>{draft.kind === 'replace' ? 'Replace now' : 'Restore'}</Button></>;
      case 'running': return <><span className="spacer" /><Button onClick={() => navigate({ page: 'job', id: step.jobId })}>Open job</Button></>;
      case 'finished': return <><Button onClick={() => navigate({ page: 'job', id: step.job.id })}>Open job</Button><span className="spacer" /><Button variant="primary" onClick={() => navigate({ page: 'item', item: draft.itemId })}>Back to item</Button></>;
      default: return assertNever(step);
    }
  })();

  return (
    <div>
      <PageHeader title="Restore" description="Bring back a VM or its disks from a recovery point: as a new VM, into a folder, or in place of the current one." />
      <WizardFrame steps={RESTORE_STEP_LABELS} current={restoreStepIndex(step)} stepKind={step.kind} footer={footer}>
        {body}
      </WizardFrame>
    </div>
  );
}
