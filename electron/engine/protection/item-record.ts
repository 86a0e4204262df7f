/**
 * A protected item as stored in the vault (data/records/items/<id>.json): a VM's files
 * and how they are protected. The catalog's items table mirrors these records.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { FileRole, ItemState } from '../../../shared/contract/item-models.ts';

export interface ItemFileRecord {
  /** Absolute path of the VM's file. */
  path: string;
  role: FileRole;
  diskFormat?: string;
  /** Set for parents of differencing disks added automatically. */
  parentOf?: string;
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
