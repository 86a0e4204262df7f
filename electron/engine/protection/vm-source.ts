/**
 * A VM item's files come from its configuration: discovery reads the config (and the disk
 * images' own parent links) and names every file that makes the VM now. These helpers turn
 * that into the item's file list, and refuse a VM whose files are not all there.
 */
import { resolve } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { DiscoveredVm } from '../discovery/discovered-vm.ts';
import type { ItemFileRecord, VmItemSource } from './item-record.ts';

/** Reads one VM from its configuration file (discovery's readVm). */
export type VmReader = (configPath: string) => Promise<DiscoveredVm>;

/** Finds the VMs in folders (discovery's discoverVms). */
export type VmFinder = (options: { paths: string[] }) => Promise<DiscoveredVm[]>;

export interface VmDiscovery {
  readVm: VmReader;
  discoverVms: VmFinder;
  /** Whether a hypervisor module of discovery reads this file as a VM configuration. */
  isVmConfig(path: string): Promise<boolean>;
}

export function vmSourceOf(vm: DiscoveredVm): VmItemSource {
  return { kind: 'vm', hypervisor: vm.hypervisor, configPath: vm.configPath, vmId: vm.id, vmName: vm.name };
}

/** The files of a VM with their roles: config, every layer of every backed-up disk, NVRAM, saved state. */
export function vmItemFiles(vm: DiscoveredVm): ItemFileRecord[] {
  const files = new Map<string, ItemFileRecord>();
  const add = (file: ItemFileRecord): void => {
    const path = resolve(file.path);
    if (!files.has(path)) files.set(path, { ...file, path });
  };
  if (vm.hypervisor !== 'files') add({ path: vm.configPath, role: 'config' });
  for (const disk of vm.disks.filter((candidate) => candidate.backupable)) {
    const active = resolve(disk.path);
    for (const link of disk.chain) {
      const parentOf = resolve(link.path) === active ? undefined : active;
      add({ path: link.path, role: 'disk', diskFormat: link.format, ...(parentOf ? { parentOf } : {}) });
    }
  }
  if (vm.nvram) add({ path: vm.nvram, role: 'nvram' });
  for (const saved of vm.savedState ?? []) add({ path: saved, role: 'other' });
  for (const other of vm.files) add({ path: other, role: 'other' });
  return [...files.values()];
}

/** Refuses a VM some of whose files are missing: a point of it could not be restored. */
export function assertVmComplete(vm: DiscoveredVm): void {
  const needed = new Set(vmItemFiles(vm).map((file) => file.path));
  const missing = vm.missingOnDisk.filter((path) => needed.has(resolve(path)));
  const broken = vm.disks.filter((disk) => !disk.backupable && /missing|not found|cannot be (read|opened)/i.test(disk.reason ?? ''));
  if (missing.length === 0 && broken.length === 0) return;
  const parts = [
    ...missing.map((path) => `${path} is missing`),
    ...broken.map((disk) => `disk ${disk.path}: ${disk.reason ?? 'not usable'}`),
  ];
  throw new LabvaultError(ErrorCodes.NOT_FOUND,
    `VM "${vm.name}" (${vm.configPath}) is not complete: ${parts.join('; ')}. Nothing was changed; `
    + 'put the files back (or fix the configuration), then retry.',
    { field: 'vm', details: { vm: vm.name, missing } });
}

/** Refuses a config that now describes another VM than the one the item was made for. */
export function assertSameVm(source: VmItemSource, vm: DiscoveredVm, itemName: string): void {
  if (vm.id === source.vmId) return;
  throw new LabvaultError(ErrorCodes.RULE_VIOLATION,
    `The configuration ${source.configPath} of item "${itemName}" now describes another VM ("${vm.name}", id ${vm.id}; `
    + `the item was made for "${source.vmName}", id ${source.vmId}). Nothing was backed up. If this is the VM to protect, `
    + `point the item at it with: labvault item update-files ${itemName} --vm ${source.configPath}`,
    { field: 'item', details: { rule: 'vm-identity', expected: source.vmId, found: vm.id } });
}
