/**
 * Which item protects a discovered VM: its configuration path or any of its files named by
 * an item of a reachable vault (soft-deleted items too, marked: such a VM cannot be
 * protected again until the item is undeleted or purged). Discovery's handler fills
 * DiscoveredVm.protectedBy with it.
 */
import { resolve } from 'node:path';
import type { DiscoveredVm } from '../discovery/discovered-vm.ts';
import type { ProtectionService } from './protection-service.ts';

export type ProtectedBy = NonNullable<DiscoveredVm['protectedBy']>;

/** Every path an item of a reachable vault names (config paths of VM items, files), with its owner. */
async function ownersByPath(protection: Pick<ProtectionService, 'list'>): Promise<Map<string, ProtectedBy>> {
  const byPath = new Map<string, ProtectedBy>();
  for (const { session, record } of await protection.list()) {
    const owner: ProtectedBy = {
      vaultId: session.config.id, vaultName: session.config.name, itemId: record.id, itemName: record.name,
      ...(record.state === 'soft-deleted' ? { softDeleted: true } : {}),
    };
    const paths = [...(record.source ? [record.source.configPath] : []), ...record.files.map((file) => file.path)];
    for (const path of paths) {
      const key = resolve(path);
      // A live item wins over a soft-deleted one naming the same file.
      if (!byPath.has(key) || byPath.get(key)?.softDeleted) byPath.set(key, owner);
    }
  }
  return byPath;
}

/** A lookup over every item of the reachable vaults, built once for a discovery answer. */
export async function protectedByLookup(protection: Pick<ProtectionService, 'list'>):
Promise<(vm: DiscoveredVm) => ProtectedBy | undefined> {
  const byPath = await ownersByPath(protection);
  return (vm) => {
    for (const path of [vm.configPath, ...vm.files]) {
      const owner = byPath.get(resolve(path));
      if (owner) return owner;
    }
    return undefined;
  };
}

/**
 * Discovery's seam (discovery/vm-protection-lookup.ts): the item protecting each path given
 * (VM config paths; any file path works too), across every reachable vault.
 */
export function vmProtectionLookup(protection: Pick<ProtectionService, 'list'>): {
  protectedByForPaths(paths: string[]): Promise<Map<string, ProtectedBy>>;
} {
  return {
    async protectedByForPaths(paths) {
      const byPath = await ownersByPath(protection);
      const found = new Map<string, ProtectedBy>();
      for (const path of paths) {
        const owner = byPath.get(resolve(path));
        if (owner) found.set(path, owner);
      }
      return found;
    },
  };
}

/** Sets protectedBy on each VM (and removes a stale one). */
export async function fillProtectedBy(protection: Pick<ProtectionService, 'list'>, vms: DiscoveredVm[]): Promise<DiscoveredVm[]> {
  const lookup = await protectedByLookup(protection);
  for (const vm of vms) {
    const owner = lookup(vm);
    if (owner) vm.protectedBy = owner;
    else delete vm.protectedBy;
  }
  return vms;
}
