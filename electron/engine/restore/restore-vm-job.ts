/**
 * The job of a restore as a new VM (restore.vm): see runRestoreVm.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { RestoreVmPlan } from '../../../shared/contract/restore-vm-channels.ts';
import type { PointRow } from '../backup/point-record.ts';
import type { JobContext } from '../jobs/job-service.ts';
import type { Manifest, VaultStore } from '../vault/store/index.ts';

export const VERIFY = 'Verify';

export interface RestoreVmRequest {
  store: VaultStore;
  manifest: Manifest;
  point: PointRow;
  plan: RestoreVmPlan;
  env: NodeJS.ProcessEnv;
  register: boolean;
}

export async function runRestoreVm(_context: JobContext, _request: RestoreVmRequest): Promise<void> {
  throw new LabvaultError(ErrorCodes.UNSUPPORTED, 'Restoring a VM is being built.');
}
