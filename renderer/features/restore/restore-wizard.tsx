/** Restore: item -> recovery point -> what -> target folder -> run (live) -> done (verified). */
import { useEffect, useState } from 'react';
import type { Item, Point } from '../../../shared/contract/item-models.ts';
import type { PathCheck } from '../../../shared/contract/models.ts';
import { api } from '../../api/labvault-client.ts';
import { shownError } from '../../api/error-text.ts';
import { assertNever } from '../../assert-never.ts';
import { Button } from '../../components/button.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { WizardFrame } from '../../components/wizard-frame.tsx';
import { useDebounced } from '../../hooks/use-debounced.ts';
import { useLoader } from '../../hooks/use-loader.ts';
import { useJobProgressStore } from '../../stores/job-progress-store.ts';
import { navigate } from '../../stores/route-store.ts';
import { RestoreItemStep } from './restore-item-step.tsx';
import { RestorePointStep } from './restore-point-step.tsx';
import { RestoreRunStep } from './restore-run-step.tsx';
import { RESTORE_STEP_LABELS, restoreStepIndex, type RestoreDraft, type RestoreStep } from './restore-steps.ts';
import { RestoreTargetStep } from './restore-target-step.tsx';
import { RestoreWhatStep } from './restore-what-step.tsx';

const TARGET_CHECK_DELAY_MS = 300;

export function RestoreWizard({ initialItem }: { initialItem?: string | undefined }) {
  const [step, setStep] = useState<RestoreStep>(initialItem ? { kind: 'point' } : { kind: 'item' });
  const [draft, setDraft] = useState<RestoreDraft>({ itemId: initialItem ?? '', itemName: '', pointId: '', kind: 'disks', files: [], allFiles: true, target: '' });
  const items = useLoader(() => api.items.list({}), []);
  const points = useLoader(
    () => (draft.itemId ? api.points.list({ item: draft.itemId }) : Promise.resolve([] as Point[])),
    [draft.itemId],
  );
  const [targetCheck, setTargetCheck] = useState<PathCheck | null>(null);
  const revision = useJobProgressStore((state) => state.revision);
  const update = (change: Partial<RestoreDraft>) => setDraft((previous) => ({ ...previous, ...change }));

  useEffect(() => {
    const item = items.data?.find((entry) => entry.id === draft.itemId || entry.name === draft.itemId);
    if (item && (draft.itemName !== item.name || draft.itemId !== item.id)) {
      update({ itemId: item.id, itemName: item.name });
    }
  }, [items.data, draft.itemId, draft.itemName]);

  useEffect(() => {
    const newest = points.data?.find((point) => point.state === 'active');
    if (newest && !points.data?.some((point) => point.id === draft.pointId)) choosePoint(newest);
  }, [points.data]);

  const settledTarget = useDebounced(draft.target, TARGET_CHECK_DELAY_MS);
  useEffect(() => {
    if (settledTarget.trim() === '') { setTargetCheck(null); return; }
    let current = true;
    api.vaults.checkPath({ path: settledTarget }).then(
      (check) => { if (current) setTargetCheck(check); },
      (error: unknown) => {
        if (current) setTargetCheck({ path: settledTarget, ok: false, message: shownError(error).message });
      },
    );
    return () => { current = false; };
  }, [settledTarget]);

  // While the restore runs, follow its job until it ends.
  useEffect(() => {
    if (step.kind !== 'running') return;
    let current = true;
    api.jobs.show({ id: step.jobId }).then((job) => {
      if (current && job.status !== 'in-progress' && job.status !== 'queued') setStep({ kind: 'finished', job });
    }, () => undefined);
    return () => { current = false; };
  }, [step, revision]);

  function choosePoint(point: Point) {
    update({ pointId: point.id, files: point.files.map((file) => file.name), allFiles: true });
  }

  const point = points.data?.find((entry) => entry.id === draft.pointId);
  const chooseItem = (item: Item) => update({ itemId: item.id, itemName: item.name, pointId: '' });
  const targetReady = targetCheck !== null && targetCheck.ok && settledTarget === draft.target;

  const run = async () => {
    try {
      const { jobId } = await api.restore.disks({
        item: draft.itemId, point: draft.pointId, to: draft.target, ...(draft.allFiles ? {} : { files: draft.files }),
      });
      setStep({ kind: 'running', jobId });
    } catch (error) {
      setStep({ kind: 'target', error: shownError(error).message });
    }
  };

  const body = (() => {
    switch (step.kind) {
      case 'item': return items.data ? <RestoreItemStep items={items.data} selected={draft.itemId} onSelect={chooseItem} /> : <p className="muted">{items.error ?? 'Loading…'}</p>;
      case 'point': return points.data ? <RestorePointStep key={draft.itemId} points={points.data} selected={draft.pointId} onSelect={choosePoint} /> : <p className="muted">{points.error ?? 'Loading…'}</p>;
      case 'what': return <RestoreWhatStep draft={draft} point={point} update={update} />;
      case 'target': return <RestoreTargetStep draft={draft} point={point} update={update} check={settledTarget === draft.target ? targetCheck : null} error={step.error} />;
      case 'running': return <RestoreRunStep jobId={step.jobId} job={null} target={draft.target} />;
      case 'finished': return <RestoreRunStep jobId={step.job.id} job={step.job} target={draft.target} />;
      default: return assertNever(step);
    }
  })();

  const footer = (() => {
    switch (step.kind) {
      case 'item': return <><Button onClick={() => navigate({ page: 'dashboard' })}>Cancel</Button><span className="spacer" /><Button variant="primary" disabled={draft.itemId === ''} onClick={() => setStep({ kind: 'point' })}>Next: recovery point</Button></>;
      case 'point': return <><Button onClick={() => setStep({ kind: 'item' })}>Back</Button><span className="spacer" /><Button variant="primary" disabled={!point} onClick={() => setStep({ kind: 'what' })}>Next: what to restore</Button></>;
      case 'what': return draft.kind === 'files'
        ? <><Button onClick={() => setStep({ kind: 'point' })}>Back</Button><span className="spacer" /><Button variant="primary" disabled={!point} onClick={() => navigate({ page: 'point-files', item: draft.itemId, point: draft.pointId })}>Next: browse files</Button></>
        : <><Button onClick={() => setStep({ kind: 'point' })}>Back</Button><span className="spacer" /><Button variant="primary" disabled={draft.kind !== 'disks' || draft.files.length === 0} onClick={() => setStep({ kind: 'target', error: null })}>Next: target</Button></>;
      case 'target': return <><Button onClick={() => setStep({ kind: 'what' })}>Back</Button><span className="spacer" /><Button variant="primary" disabled={!targetReady} onClick={() => void run()}>Restore</Button></>;
      case 'running': return <><span className="spacer" /><Button onClick={() => navigate({ page: 'job', id: step.jobId })}>Open job</Button></>;
      case 'finished': return <><Button onClick={() => navigate({ page: 'job', id: step.job.id })}>Open job</Button><span className="spacer" /><Button variant="primary" onClick={() => navigate({ page: 'item', item: draft.itemId })}>Back to item</Button></>;
      default: return assertNever(step);
    }
  })();

  return (
    <div>
      <PageHeader title="Restore" description="Bring back a VM's disks from a recovery point. Nothing is overwritten: restores go into an empty or new folder." />
      <WizardFrame steps={RESTORE_STEP_LABELS} current={restoreStepIndex(step)} stepKind={step.kind} footer={footer}>
        {body}
      </WizardFrame>
    </div>
  );
}
