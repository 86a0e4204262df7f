/**
 * What consistency a point of a VM can claim, stated as no more than is known, and how its
 * files are captured:
 * - poweroff (shut down cleanly) -> file-system-consistent, files read as they are;
 * - saved/suspended -> 'saved-state': the saved-state files are part of the point;
 * - aborted (hard power-off, crash) or unknown -> crash-consistent;
 * - running -> only through the hypervisor's own snapshot (its tool on the PATH):
 *   crash-consistent, file-system-consistent when the guest agent quiesced it, and
 *   application-consistent only with a quiesce plus pre/post scripts that succeeded.
 *   Without the tool the backup is refused: a running VM is never copied torn.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { Consistency } from '../../../shared/contract/item-models.ts';
import type { DiscoveredVm, Hypervisor } from '../discovery/discovered-vm.ts';
import type { HypervisorSnapshotDriver } from './hypervisor-snapshot.ts';
import { findExecutable } from './hypervisor-tool.ts';
import { libvirtSnapshotDriver } from './libvirt-snapshot.ts';
import { virtualboxSnapshotDriver } from './virtualbox-snapshot.ts';
import { vmwareSnapshotDriver } from './vmware-snapshot.ts';

const DRIVERS: Record<Hypervisor, HypervisorSnapshotDriver | null> = {
  'libvirt-qemu': libvirtSnapshotDriver,
  virtualbox: virtualboxSnapshotDriver,
  vmware: vmwareSnapshotDriver,
  files: null,
};

export type CapturePlan =
  | { kind: 'as-is'; consistency: Consistency; note: string }
  | { kind: 'hypervisor-snapshot'; driver: HypervisorSnapshotDriver; toolPath: string };

export async function planCapture(vm: DiscoveredVm, env: NodeJS.ProcessEnv): Promise<CapturePlan> {
  switch (vm.state) {
    case 'poweroff':
      return { kind: 'as-is', consistency: 'file-system-consistent', note: `The VM was shut down cleanly (${vm.stateEvidence}).` };
    case 'saved':
      return {
        kind: 'as-is', consistency: 'saved-state',
        note: `The VM was saved or suspended (${vm.stateEvidence}): its saved state is part of the point and it restores to that state.`,
      };
    case 'aborted':
      return {
        kind: 'as-is', consistency: 'crash-consistent',
        note: `The VM was powered off hard or crashed (${vm.stateEvidence}): like pulling the plug.`,
      };
    case 'unknown':
      return {
        kind: 'as-is', consistency: 'crash-consistent',
        note: `The VM's state could not be told (${vm.stateEvidence}); its files were checked not to change while read.`,
      };
    case 'running':
      return runningPlan(vm, env);
  }
}

async function runningPlan(vm: DiscoveredVm, env: NodeJS.ProcessEnv): Promise<CapturePlan> {
  const driver = DRIVERS[vm.hypervisor];
  if (!driver) {
    throw new LabvaultError(ErrorCodes.RULE_VIOLATION,
      `VM "${vm.name}" is running (${vm.stateEvidence}) and Labvault cannot snapshot a ${vm.hypervisor} VM: `
      + 'nothing was copied (a running VM is never copied torn). Shut it down or pause it, then back it up.',
      { field: 'item', details: { rule: 'running-vm-needs-snapshot', vm: vm.name } });
  }
  const toolPath = await findExecutable(driver.toolName, env);
  if (!toolPath) {
    throw new LabvaultError(ErrorCodes.RULE_VIOLATION,
      `VM "${vm.name}" is running (${vm.stateEvidence}) and ${driver.toolName} is not on this machine's PATH: `
      + `Labvault snapshots a running ${vm.hypervisor} VM only through ${driver.toolName}, and never copies it torn. `
      + `Nothing was copied. Install ${driver.toolName} (or add its folder to PATH), or shut the VM down or save its state, then retry.`,
      { field: 'item', details: { rule: 'running-vm-needs-snapshot', vm: vm.name, tool: driver.toolName } });
  }
  return { kind: 'hypervisor-snapshot', driver, toolPath };
}

/** The consistency of a point taken through a hypervisor snapshot. */
export function snapshotConsistency(quiesced: boolean, scriptsSucceeded: boolean): Consistency {
  if (!quiesced) return 'crash-consistent';
  return scriptsSucceeded ? 'application-consistent' : 'file-system-consistent';
}
