/**
 * Create vault: basics -> settings -> review -> creating -> done. One component owns the
 * draft and the current step; each step renders from them.
 */
import { useEffect, useMemo, useState } from 'react';
import type { PathCheck } from '../../../shared/contract/models.ts';
import { vaultNameProblem } from '../../../shared/vault-rules.ts';
import { api } from '../../api/labvault-client.ts';
import { shownError } from '../../api/error-text.ts';
import { assertNever } from '../../assert-never.ts';
import { Button } from '../../components/button.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { WizardFrame } from '../../components/wizard-frame.tsx';
import { useDebounced } from '../../hooks/use-debounced.ts';
import { useAppInfoStore } from '../../stores/app-info-store.ts';
import { navigate } from '../../stores/route-store.ts';
import { useVaultsStore } from '../../stores/vaults-store.ts';
import { CreateVaultBasicsStep } from './create-vault-basics-step.tsx';
import { CreateVaultDoneStep } from './create-vault-done-step.tsx';
import { CreateVaultReviewStep } from './create-vault-review-step.tsx';
import { CreateVaultSettingsStep } from './create-vault-settings-step.tsx';
import {
  CREATE_VAULT_STEP_LABELS, basicsComplete, emptyVaultDraft, joinPath, settingsComplete, stepIndex,
  type CreateVaultStep, type ServerFieldErrors, type VaultDraft,
} from './create-vault-steps.ts';

const PATH_CHECK_DELAY_MS = 300;

export function CreateVaultWizard() {
  const [step, setStep] = useState<CreateVaultStep>({ kind: 'basics' });
  const [draft, setDraft] = useState<VaultDraft>(emptyVaultDraft);
  const [serverErrors, setServerErrors] = useState<ServerFieldErrors>({});
  const [pathCheck, setPathCheck] = useState<PathCheck | null>(null);
  const [checkingPath, setCheckingPath] = useState(false);
  const vaults = useVaultsStore((state) => state.vaults);
  const info = useAppInfoStore((state) => state.info);
  const knownNames = useMemo(() => vaults.map((vault) => vault.name), [vaults]);

  const update = (change: Partial<VaultDraft>) => {
    setDraft((previous) => {
      const next = { ...previous, ...change };
      if (!next.pathEdited && info && change.name !== undefined) {
        next.path = vaultNameProblem(next.name) !== null ? '' : joinPath(info.defaultVaultParent, next.name, info.platform);
      }
      return next;
    });
    setServerErrors((previous) => {
      const next = { ...previous };
      if (change.name !== undefined) delete next.name;
      if (change.path !== undefined || change.name !== undefined) delete next.path;
      if (change.softDeleteDays !== undefined) delete next.softDeleteDays;
      return next;
    });
  };

  const settledPath = useDebounced(draft.path, PATH_CHECK_DELAY_MS);
  useEffect(() => {
    if (settledPath.trim() === '') {
      setPathCheck(null);
      return;
    }
    let current = true;
    setCheckingPath(true);
    api.vaults.checkPath({ path: settledPath }).then(
      (check) => { if (current) { setPathCheck(check); setCheckingPath(false); } },
      (error: unknown) => {
        if (current) {
          setPathCheck({ path: settledPath, ok: false, message: shownError(error).message });
          setCheckingPath(false);
        }
      },
    );
    return () => { current = false; };
  }, [settledPath]);

  const pathFresh = pathCheck !== null && settledPath === draft.path && !checkingPath;
  const canLeaveBasics = basicsComplete(draft, knownNames, pathFresh ? pathCheck : null)
    && !serverErrors.name && !serverErrors.path;

  const create = async () => {
    setStep({ kind: 'creating' });
    try {
      const vault = await api.vaults.create({
        name: draft.name,
        path: draft.path,
        softDeleteEnabled: draft.softDeleteEnabled,
        ...(draft.softDeleteEnabled ? { softDeleteDays: Number(draft.softDeleteDays) } : {}),
        immutability: draft.immutability,
        ...(draft.encrypt ? { passphrase: draft.passphrase } : {}),
      });
      void useVaultsStore.getState().refresh();
      setStep({ kind: 'done', vault });
    } catch (error) {
      const shown = shownError(error);
      if (shown.field === 'name' || shown.field === 'path') {
        setServerErrors({ [shown.field]: shown.message });
        setStep({ kind: 'basics' });
      } else if (shown.field === 'softDeleteDays' || shown.field === 'softDeleteEnabled') {
        setServerErrors({ softDeleteDays: shown.message });
        setStep({ kind: 'settings' });
      } else {
        setStep({ kind: 'review', error: shown.message });
      }
    }
  };

  const body = (() => {
    switch (step.kind) {
      case 'basics':
        return (
          <CreateVaultBasicsStep
            draft={draft} update={update} knownNames={knownNames} pathCheck={pathFresh ? pathCheck : null}
            checkingPath={checkingPath || settledPath !== draft.path} serverErrors={serverErrors}
          />
        );
      case 'settings':
        return (
          <CreateVaultSettingsStep draft={draft} update={update} serverError={serverErrors.softDeleteDays ?? null} />
        );
      case 'review':
        return <CreateVaultReviewStep draft={draft} pathCheck={pathCheck} error={step.error} />;
      case 'creating':
        return <CreateVaultReviewStep draft={draft} pathCheck={pathCheck} error={null} creating />;
      case 'done':
        return <CreateVaultDoneStep vault={step.vault} />;
      default:
        return assertNever(step);
    }
  })();

  const footer = (() => {
    switch (step.kind) {
      case 'basics':
        return (
          <>
            <Button onClick={() => navigate({ page: 'vaults' })}>Cancel</Button>
            <span className="spacer" />
            <Button variant="primary" disabled={!canLeaveBasics} onClick={() => setStep({ kind: 'settings' })}>Next: settings</Button>
          </>
        );
      case 'settings':
        return (
          <>
            <Button onClick={() => setStep({ kind: 'basics' })}>Back</Button>
            <span className="spacer" />
            <Button variant="primary" disabled={!settingsComplete(draft)} onClick={() => setStep({ kind: 'review', error: null })}>Next: review</Button>
          </>
        );
      case 'review':
      case 'creating':
        return (
          <>
            <Button disabled={step.kind === 'creating'} onClick={() => setStep({ kind: 'settings' })}>Back</Button>
            <span className="spacer" />
            <Button variant="primary" busy={step.kind === 'creating'} onClick={() => void create()}>Create vault</Button>
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
      <PageHeader
        crumbs={[{ label: 'Vaults', onClick: () => navigate({ page: 'vaults' }) }]}
        title="Create a vault"
        description="A vault is a folder on a local or attached drive that holds recovery points, policies and job history. It is self-contained: copy it to another machine and restore from it there."
      />
      <WizardFrame steps={CREATE_VAULT_STEP_LABELS} current={stepIndex(step)} stepKind={step.kind} footer={footer}>
        {body}
      </WizardFrame>
    </div>
  );
}
