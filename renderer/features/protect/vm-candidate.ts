/**
 * A VM as the configure-backup wizard shows it: what discovery reports (vms.discover), and
 * how hypervisors and states are named in the UI.
 */
import type { DiscoveredVmView } from '../../../shared/contract/vm-channels.ts';

export type VmCandidate = DiscoveredVmView;
export type Hypervisor = VmCandidate['hypervisor'];
export type VmState = VmCandidate['state'];

export const HYPERVISOR_LABEL: Record<Hypervisor, string> = {
  virtualbox: 'VirtualBox',
  vmware: 'VMware',
  'libvirt-qemu': 'libvirt / QEMU',
  files: 'Disk images',
};

export const VM_STATE_LABEL: Record<VmState, string> = {
  running: 'Running',
  saved: 'Saved',
  poweroff: 'Powered off',
  aborted: 'Aborted',
  unknown: 'Unknown',
};

export function isHypervisor(value: unknown): value is Hypervisor {
  return typeof value === 'string' && Object.hasOwn(HYPERVISOR_LABEL, value);
}

export function isVmState(value: unknown): value is VmState {
  return typeof value === 'string' && Object.hasOwn(VM_STATE_LABEL, value);
}
