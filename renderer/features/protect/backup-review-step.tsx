/** Step 4: per VM, the files that will be backed up and the consistency its points will get; the command lines. */
import type { FileCandidate } from '../../../shared/contract/item-models.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { CliEquivalent } from '../../components/cli-equivalent.tsx';
import { TextField } from '../../components/field.tsx';
import { plural } from '../../format/plural.ts';
import { ConsistencyBadge } from '../items/item-badges.tsx';
import {
  chosenPolicyName, configureCli, expectedConsistency, vmItemName, type ConfigureDraft, type VmOutcome,
} from './configure-backup-steps.ts';
import { filesToProtect, protectFilesCli } from './hand-picked-files.ts';
import { HypervisorLabel, VmStateBadge } from './hypervisor-badges.tsx';
import type { VmCandidate } from './vm-candidate.ts';

export interface BackupReviewStepProps {
  draft: ConfigureDraft;
  vms: readonly VmCandidate[];
  nameErrors: Map<string, string>;
  /** VMs already protected by this wizard (after a partial failure): their names are fixed. */
  outcomes: Record<string, VmOutcome>;
  onName: (configPath: string, name: string) => void;
  handPicked: { name: string; candidates: FileCandidate[] } | null;
  onHandPickedName: (name: string) => void;
  handPickedNameError: string | null;
}

function VmReview({ vm, name, error, onName, done }: {
  vm: VmCandidate; name: string; error: string | null; onName: (name: string) => void; done: boolean;
}) {
  const expected = expectedConsistency(vm);
  return (
    <section className="vm-review" aria-label={`VM ${vm.name}`}>
      <header className="vm-review-header">
        <span className="cell-title">{vm.name}</span>
        <HypervisorLabel hypervisor={vm.hypervisor} />
        <VmStateBadge state={vm.state} evidence={vm.stateEvidence} />
      </header>
      <div className="vm-review-body">
        <div>
          <TextField label="Item name" value={name} onValue={onName} error={error} disabled={done} note={done ? 'Protected.' : null} autoComplete="off" spellCheck={false} />
          <div className="vm-consistency">
            <ConsistencyBadge consistency={expected.consistency} />
            <span className="small">{expected.text}</span>
          </div>
        </div>
        <div>
          <div className="field-label">Backed up at each backup ({plural(vm.files.length, 'file')} now)</div>
          <ul className="vm-files">
            {vm.files.map((file) => <li key={file} className="mono small">{file}</li>)}
          </ul>
          {vm.missingOnDisk.length > 0 ? <div className="field-error">Missing now: {vm.missingOnDisk.join(', ')}</div> : null}
          {vm.ignoredDevices.length > 0 ? (
            <div className="cell-sub">Not backed up: {vm.ignoredDevices.map((device) => `${device.device} (${device.reason})`).join('; ')}</div>
          ) : null}
        </div>
      </div>
    </section>
  );
}

export function BackupReviewStep(props: BackupReviewStepProps) {
  const { draft, vms, nameErrors, onName, handPicked } = props;
  const policy = chosenPolicyName(draft);
  const lines = [configureCli(draft, vms)];
  if (handPicked) {
    lines.push(protectFilesCli(draft.vault, handPicked.name, policy, filesToProtect(handPicked.candidates)));
  }
  return (
    <div className="form-wide">
      <h2>Review</h2>
      <p className="step-intro">
        Vault <strong>{draft.vault}</strong>, policy <strong>{policy}</strong>{draft.policyChoice === 'new' ? ' (created now)' : ''}.
        Each backup re-reads the VM's configuration, so disks and snapshot layers added later are backed up too.
      </p>
      {vms.some((vm) => vm.state === 'running') ? (
        <AlertBanner tone="info" title="Running VMs are never copied as they run.">
          Their backups go through a hypervisor snapshot; without the hypervisor's tool the backup is refused and
          says why.
        </AlertBanner>
      ) : null}
      {vms.map((vm) => (
        <VmReview key={vm.configPath} vm={vm} name={vmItemName(draft, vm)} error={nameErrors.get(vm.configPath) ?? null} onName={(name) => onName(vm.configPath, name)} done={props.outcomes[vm.configPath]?.status === 'protected'} />
      ))}
      {handPicked ? (
        <section className="vm-review" aria-label="Files picked by hand">
          <header className="vm-review-header"><span className="cell-title">Files picked by hand</span></header>
          <div className="vm-review-body">
            <div>
              <TextField label="Item name" value={handPicked.name} onValue={props.onHandPickedName} error={props.handPickedNameError} autoComplete="off" spellCheck={false} />
              <div className="vm-consistency"><span className="small">These exact files are backed up; the state of the VM they belong to is not known.</span></div>
            </div>
            <ul className="vm-files">{filesToProtect(handPicked.candidates).map((file) => <li key={file} className="mono small">{file}</li>)}</ul>
          </div>
        </section>
      ) : null}
      <CliEquivalent command={lines.join('\n')} note={draft.policyChoice === 'new' ? 'policy.json: the policy designed on the Policy step.' : undefined} />
    </div>
  );
}
