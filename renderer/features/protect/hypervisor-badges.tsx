/** How a VM's hypervisor and state read at a glance: a small mark and label, a toned state badge. */
import { Badge, type BadgeTone } from '../../components/badge.tsx';
import { HYPERVISOR_LABEL, VM_STATE_LABEL, type Hypervisor, type VmState } from './vm-candidate.ts';

const MARK: Record<Hypervisor, string> = { virtualbox: 'VB', vmware: 'VM', 'libvirt-qemu': 'QE', files: 'IM' };

export function HypervisorLabel({ hypervisor }: { hypervisor: Hypervisor }) {
  return (
    <span className="hv-label">
      <span className={`hv-mark hv-${hypervisor}`} aria-hidden="true">{MARK[hypervisor]}</span>
      {HYPERVISOR_LABEL[hypervisor]}
    </span>
  );
}

const STATE_TONE: Record<VmState, BadgeTone> = {
  running: 'info', saved: 'accent', poweroff: 'neutral', aborted: 'warn', unknown: 'warn',
};

export function VmStateBadge({ state, evidence }: { state: VmState; evidence?: string | undefined }) {
  return <Badge tone={STATE_TONE[state]} title={evidence}>{VM_STATE_LABEL[state]}</Badge>;
}
