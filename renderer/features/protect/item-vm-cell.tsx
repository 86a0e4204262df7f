/** A protected item's VM in a list: hypervisor, and the state its VM is in now (or files only). */
import type { Item } from '../../../shared/contract/item-models.ts';
import { Badge } from '../../components/badge.tsx';
import { HypervisorLabel, VmStateBadge } from './hypervisor-badges.tsx';
import type { VmStates } from './use-vm-states.ts';

export function ItemVmCell({ item, states }: { item: Pick<Item, 'vm'>; states: VmStates }) {
  if (!item.vm) return <span className="muted small">Files picked by hand</span>;
  const now = states.byConfig.get(item.vm.configPath);
  const problem = states.problems.get(item.vm.configPath);
  return (
    <span className="item-vm">
      <HypervisorLabel hypervisor={item.vm.hypervisor} />
      {now ? <VmStateBadge state={now.state} evidence={now.stateEvidence} /> : null}
      {!now && problem ? <Badge tone="warn" title={problem}>Config not found</Badge> : null}
    </span>
  );
}
