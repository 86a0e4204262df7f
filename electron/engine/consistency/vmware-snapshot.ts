/**
 * VMware Workstation/Player: `vmrun -T ws snapshot <vmx> <name>` adds delta disks the VM
 * writes to, freezing the layers it had; after the transfer `vmrun -T ws deleteSnapshot
 * <vmx> <name>` consolidates them. No guest quiescing through vmrun: crash-consistent.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { FreezeRequest, FrozenVm, HypervisorSnapshotDriver } from './hypervisor-snapshot.ts';
import { runTool, runToolOk, tail } from './hypervisor-tool.ts';

const TAKE_MS = 10 * 60 * 1000;
const DELETE_MS = 6 * 60 * 60 * 1000;

export const vmwareSnapshotDriver: HypervisorSnapshotDriver = {
  hypervisor: 'vmware',
  toolName: 'vmrun',
  async freeze(tool: string, request: FreezeRequest): Promise<FrozenVm> {
    const { vm, env } = request;
    const name = `labvault-${request.label}`;
    await runToolOk(tool, ['-T', 'ws', 'snapshot', vm.configPath, name], env, TAKE_MS,
      `Taking a VMware snapshot of "${vm.name}"`);
    return {
      method: 'VMware snapshot, then deleteSnapshot',
      quiesced: false,
      async release(): Promise<void> {
        const result = await runTool(tool, ['-T', 'ws', 'deleteSnapshot', vm.configPath, name], env, DELETE_MS);
        if (result.exitCode !== 0) {
          throw new LabvaultError(ErrorCodes.IO_ERROR,
            `Deleting the backup snapshot "${name}" of "${vm.name}" failed (${tail(result.stderr || result.stdout)}). `
            + `Delete it in VMware's Snapshot Manager or with: vmrun -T ws deleteSnapshot "${vm.configPath}" ${name}`,
            { details: { vm: vm.name } });
        }
      },
    };
  },
};
