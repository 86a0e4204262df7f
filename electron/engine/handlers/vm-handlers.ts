/**
 * vms.* channels: discovery (read-only) composed with the protection layer's lookup of which
 * vault item protects each VM (`protectedBy`), when the engine provides one.
 */
import type { ChannelHandlers } from '../../../shared/contract/channels.ts';
import type { DiscoveredVm } from '../discovery/discovered-vm.ts';
import { discoverVmsReport, readVm } from '../discovery/discovery-service.ts';
import type { VmProtectionLookup } from '../discovery/vm-protection-lookup.ts';
import type { EngineServices } from './engine-services.ts';


async function withProtection(lookup: VmProtectionLookup | undefined, vms: DiscoveredVm[]): Promise<DiscoveredVm[]> {
  if (lookup === undefined || vms.length === 0) return vms;
  const found = await lookup.protectedByForPaths(vms.map((vm) => vm.configPath));
  return vms.map((vm) => {
    const protectedBy = found.get(vm.configPath);
    return protectedBy === undefined ? vm : { ...vm, protectedBy };
  });
}

export function vmHandlers(engine: Pick<EngineServices, 'vmProtection'>): ChannelHandlers['vms'] {
  return {
    discover: async ({ paths, root }) => {
      const report = await discoverVmsReport({
        ...(paths !== undefined ? { paths } : {}), ...(root !== undefined ? { root } : {}), env: process.env,
      });
      return { vms: await withProtection(engine.vmProtection, report.vms), problems: report.problems };
    },
    read: async ({ configPath, root }) => {
      const vm = await readVm(configPath, { ...(root !== undefined ? { root } : {}), env: process.env });
      return (await withProtection(engine.vmProtection, [vm]))[0] as DiscoveredVm;
    },
  };
}
