/** Every hypervisor's discovery module, in the order a config file is offered to them. */
import type { HypervisorDiscovery } from './hypervisor-discovery.ts';
import { virtualBoxDiscovery } from './virtualbox/virtualbox-discovery.ts';
import { vmwareDiscovery } from './vmware/vmware-discovery.ts';
import { libvirtDiscovery } from './libvirt/libvirt-discovery.ts';

const MODULES: readonly HypervisorDiscovery[] = [virtualBoxDiscovery, vmwareDiscovery, libvirtDiscovery];

export function hypervisorModules(): readonly HypervisorDiscovery[] {
  return MODULES;
}
