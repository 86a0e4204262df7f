/**
 * The one place the wizard asks the engine for VMs (vms.discover): the well-known places of
 * this machine, plus the folders the user added. An unreadable place does not hide the VMs
 * found elsewhere: it comes back as a problem.
 */
import type { ChannelOutput } from '../../../shared/contract/channels.ts';
import { api } from '../../api/labvault-client.ts';
import type { VmCandidate } from './vm-candidate.ts';

export type DiscoveryProblem = ChannelOutput<'vms.discover'>['problems'][number];

export interface DiscoveryResult {
  vms: VmCandidate[];
  problems: DiscoveryProblem[];
}

/** Every VM of the well-known places and of `folders`, each once (by config path), in the order found. */
export async function discoverVms(folders: readonly string[]): Promise<DiscoveryResult> {
  const wellKnown = await api.vms.discover({});
  const added = folders.length > 0 ? await api.vms.discover({ paths: [...folders] }) : { vms: [], problems: [] };
  const byConfig = new Map<string, VmCandidate>();
  for (const vm of [...wellKnown.vms, ...added.vms]) if (!byConfig.has(vm.configPath)) byConfig.set(vm.configPath, vm);
  return { vms: [...byConfig.values()], problems: [...wellKnown.problems, ...added.problems] };
}
