/** Step 4 for "Create new VM": name, folder, hypervisor, format, registration, saved state; checked live. */
import type { Point } from '../../../shared/contract/item-models.ts';
import type { RestoreVmPlan, RestoreVmProblem } from '../../../shared/contract/restore-vm-channels.ts';
import { Field, TextField } from '../../components/field.tsx';
import { RestoreFolderField } from './restore-folder-field.tsx';
import { HYPERVISOR_LABEL } from '../protect/vm-candidate.ts';
import type { FormatChoice, HypervisorChoice, RestoreDraft } from './restore-steps.ts';

export interface VmCheckState {
  problems: RestoreVmProblem[];
  plan: RestoreVmPlan | null;
  /** The draft the answer is for is the current one. */
  current: boolean;
}

const HYPERVISORS: Array<Exclude<HypervisorChoice, 'same'>> = ['virtualbox', 'vmware', 'libvirt-qemu'];
const FORMATS: Array<Exclude<FormatChoice, ''>> = ['qcow2', 'vdi', 'vmdk', 'vhdx', 'raw'];

export function problemOf(check: VmCheckState | null, field: RestoreVmProblem['field']): string | null {
  return check?.problems.find((problem) => problem.field === field)?.message ?? null;
}

export function RestoreVmOptions({ draft, point, update, check }: {
  draft: RestoreDraft; point: Point; update: (change: Partial<RestoreDraft>) => void; check: VmCheckState | null;
}) {
  const vm = point.vm!;
  const own = vm.hypervisor as Exclude<HypervisorChoice, 'same'>;
  const target = draft.hypervisor === 'same' ? own : draft.hypervisor;
  const saved = vm.state === 'saved';
  const canKeepSaved = saved && target === own && own !== 'libvirt-qemu';
  const nameError = problemOf(check, 'name');
  const folderError = problemOf(check, 'to');
  const pointProblem = problemOf(check, 'point');
  return (
    <div className="form-wide">
      <h2>New VM</h2>
      <p className="step-intro">The VM comes back under a new name, in a folder of its own, with new identities (so it can run next to the current one). Nothing existing is overwritten.</p>
      {pointProblem ? <p className="field-error" role="alert">{pointProblem}</p> : null}
      <div className="form-narrow">
        <TextField
          label="Name of the new VM" value={draft.vmName} autoComplete="off" spellCheck={false}
          onValue={(vmName) => update({ vmName })}
          hint={`What ${HYPERVISOR_LABEL[target]} shows; checked against the VMs it already has.`}
          error={draft.vmName.trim() === '' ? 'Give the new VM a name.' : nameError}
          note={check?.current && !nameError && draft.vmName.trim() !== '' ? 'This name is free.' : null}
        />
        <RestoreFolderField
          label="Folder of the new VM" value={draft.target} placeholder="/srv/vms/web-01-restored"
          onValue={(value) => update({ target: value, targetEdited: true })}
          hint="New or empty: the configuration and disks are written into it."
          error={draft.target.trim() === '' ? 'Choose a folder for the new VM.' : folderError}
          note={check?.current && !folderError && check.plan ? `Files go into ${check.plan.folder}.` : null}
          browseTitle="Where the new VM goes"
          browseIntro={`Choose the folder that holds your VMs: a folder named "${draft.vmName.trim() || 'NEW'}" is made inside it for the new VM.`}
          {...(draft.vmName.trim() !== '' ? { inside: draft.vmName.trim() } : {})}
        />
        <Field label="Hypervisor" hint="Another hypervisor gets a configuration made from the point's hardware (CPUs, memory, firmware, disks, network cards).">
          {({ inputId, describedBy }) => (
            <select id={inputId} aria-describedby={describedBy} className="select" value={draft.hypervisor}
              onChange={(event) => update({ hypervisor: event.target.value as HypervisorChoice })}>
              <option value="same">Same as the backup ({HYPERVISOR_LABEL[own]})</option>
              {HYPERVISORS.filter((entry) => entry !== own).map((entry) => (
                <option key={entry} value={entry}>{HYPERVISOR_LABEL[entry]}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Disk format" hint="Each disk becomes one image (snapshot layers merged)." error={problemOf(check, 'format')}>
          {({ inputId, describedBy, invalid }) => (
            <select id={inputId} aria-describedby={describedBy} aria-invalid={invalid || undefined} className="select" value={draft.format}
              onChange={(event) => update({ format: event.target.value as FormatChoice })}>
              <option value="">{HYPERVISOR_LABEL[target]}'s own</option>
              {FORMATS.map((entry) => <option key={entry} value={entry}>{entry}</option>)}
            </select>
          )}
        </Field>
        <label className="check">
          <input type="checkbox" checked={draft.register} onChange={(event) => update({ register: event.target.checked })} />
          <span><span className="check-title">Register the VM with {HYPERVISOR_LABEL[target]}</span><br />
            <span className="check-text">{target === 'vmware' ? 'VMware registers a VM when it opens it: the last step names the file to open.'
              : draft.register && check?.plan && !check.plan.registers ? `${check.plan.registerCommand[0] ?? 'The hypervisor tool'} is not installed here: the last step shows the command to run where it is.`
                : 'So it shows in the hypervisor\'s list. Off: the last step shows the command to do it later.'}</span></span>
        </label>
        <label className={`check${canKeepSaved ? '' : ' is-disabled'}`}>
          <input type="checkbox" disabled={!canKeepSaved} checked={canKeepSaved && draft.keepSavedState} onChange={(event) => update({ keepSavedState: event.target.checked })} />
          <span><span className="check-title">Keep the saved state</span><br />
            <span className="check-text">{!saved ? 'The VM was not saved or suspended at this point: it starts from its disks.'
              : canKeepSaved ? 'The VM resumes where it was. Off: it boots from its disks, as after a power cut.'
                : 'Only on the same hypervisor: the new VM boots from its disks.'}</span></span>
        </label>
      </div>
    </div>
  );
}
