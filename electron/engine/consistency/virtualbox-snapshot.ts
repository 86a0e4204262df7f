/**
 * VirtualBox: `VBoxManage snapshot <uuid> take <name> --live` makes new differencing disks
 * the VM writes to, freezing the layers it had; after the transfer `VBoxManage snapshot
 * <uuid> delete <name>` merges them back. VirtualBox cannot quiesce a guest: the point is
 * crash-consistent (application-consistent needs a quiescing hypervisor plus scripts).
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { FreezeRequest, FrozenVm, HypervisorSnapshotDriver } from './hypervisor-snapshot.ts';
import { runToolOk, tail, runTool } from './hypervisor-tool.ts';

const TAKE_MS = 10 * 60 * 1000;
const DELETE_MS = 6 * 60 * 60 * 1000;

export const virtualboxSnapshotDriver: HypervisorSnapshotDriver = {
  hypervisor: 'virtualbox',
  toolName: 'VBoxManage',
  async freeze(tool: string, request: FreezeRequest): Promise<FrozenVm> {
    const { vm, env } = request;
    const name = `labvault-${request.label}`;
    await runToolOk(tool, ['snapshot', vm.id, 'take', name, '--live', '--description',
      'Taken by Labvault for a backup; deleted when the backup has read the disks.'], env, TAKE_MS,
    `Taking a live VirtualBox snapshot of "${vm.name}"`);
    return {
      method: 'VirtualBox live snapshot, then snapshot delete',
      quiesced: false,
      async release(): Promise<void> {
        const result = await runTool(tool, ['snapshot', vm.id, 'delete', name], env, DELETE_MS);
        if (result.exitCode !== 0) {
          throw new LabvaultError(ErrorCodes.IO_ERROR,
            `Deleting the backup snapshot "${name}" of "${vm.name}" failed (${tail(result.stderr || result.stdout)}). `
            + `Delete it in VirtualBox Manager or with: VBoxManage snapshot ${vm.id} delete ${name}`, { details: { vm: vm.name } });
        }
      },
    };
  },
};
