/** Every hypervisor's discovery module, in the order a config file is offered to them. */
import type { HypervisorDiscovery } from './hypervisor-discovery.ts';
import { virtualBoxDiscovery } from './virtualbox/virtualbox-discovery.ts';

const MODULES: readonly HypervisorDiscovery[] = [virtualBoxDiscovery];

export function hypervisorModules(): readonly HypervisorDiscovery[] {
  return MODULES;
}
