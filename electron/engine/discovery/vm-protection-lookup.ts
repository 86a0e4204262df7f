/**
 * The seam between discovery and protection: the protection layer implements it (which
 * vault item protects each VM config path); the vms.* handlers use it to fill `protectedBy`.
 */
import type { DiscoveredVm } from './discovered-vm.ts';

export type VmProtectedBy = NonNullable<DiscoveredVm['protectedBy']>;

export interface VmProtectionLookup {
  protectedByForPaths(configPaths: string[]): Promise<Map<string, VmProtectedBy>>;
}
