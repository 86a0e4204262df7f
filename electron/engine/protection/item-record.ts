/**
 * A protected item as stored in the vault (data/records/items/<id>.json): a VM's files
 * and how they are protected. The catalog's items table mirrors these records.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { FileRole, ItemState } from '../../../shared/contract/item-models.ts';
import type { Hypervisor } from '../discovery/discovered-vm.ts';

export interface ItemFileRecord {
  /** Absolute path of the VM's file. */
  path: string;
  role: FileRole;
  diskFormat?: string;
  /** Set for parents of differencing disks added automatically. */
  parentOf?: string;
}

/**
 * What a VM item follows: its configuration file. Each backup re-reads that file and backs
 * up the files that make the VM at that moment; `files` then only mirrors the last set seen.
 */
export interface VmItemSource {
  kind: 'vm';
  hypervisor: Hypervisor;
  /** Absolute path of the VM's configuration (.vbox, .vmx, domain XML; a folder for 'files' VMs). */
  configPath: string;
  /** The hypervisor's id of the VM when protected (VirtualBox UUID, uuid.bios, libvirt uuid). */
  vmId: string;
  vmName: string;
}

export interface ItemRecord {
  id: string;
  name: string;
  vaultId: string;
  createdAt: string;
  updatedAt: string;
  state: ItemState;
  policyId: string;
  files: ItemFileRecord[];
  /** Absent: the item is the files it names (format v1 items). */
  source?: VmItemSource;
  /** When protection was stopped with keep-data: keep points forever or until expiry. */
  retainMode?: 'forever' | 'expiry';
  stoppedAt?: string;
  /** Soft delete: when the data was deleted and when it will be purged. */
  deletedAt?: string;
  purgeAt?: string;
  /** State to return to on undelete. */
  stateBeforeDelete?: 'protected' | 'stopped';
}

export { ITEM_NAME_MAX, itemNameProblem } from '../../../shared/item-rules.ts';
import { itemNameProblem } from '../../../shared/item-rules.ts';

export function assertItemName(name: string): void {
  const problem = itemNameProblem(name);
  if (problem) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Invalid item name "${name}": ${problem}`, { field: 'name' });
}
