/**
 * A VirtualBox machine's state: from its settings file (aborted + stateFile: saved state
 * still valid, aborted, stateFile: saved, else powered off or running, which the file cannot
 * tell apart), then confirmed by `VBoxManage showvminfo --machinereadable` (or `list
 * runningvms`) when VBoxManage is on the PATH, else (Linux) by the VM processes in /proc.
 */
import type { VmState } from '../discovered-vm.ts';
import { findTool, runTool } from '../hypervisor-cli.ts';
import type { VboxMachine } from './vbox-settings.ts';
import { vboxVmProcess } from './virtualbox-processes.ts';

export interface VboxFileState {
  state: Exclude<VmState, 'running'> | 'poweroff-or-running';
  evidence: string;
}

export function stateFromVboxFile(machine: Pick<VboxMachine, 'aborted' | 'stateFile'>): VboxFileState {
  if (machine.aborted && machine.stateFile !== undefined) {
    return { state: 'saved', evidence: 'settings file: aborted="true" with a stateFile (aborted-saved: the saved state is kept)' };
  }
  if (machine.aborted) return { state: 'aborted', evidence: 'settings file: aborted="true"' };
  if (machine.stateFile !== undefined) return { state: 'saved', evidence: 'settings file: stateFile set (saved state)' };
  return { state: 'poweroff-or-running', evidence: 'settings file: neither aborted nor a saved state (powered off or running)' };
}

const MACHINE_STATES: Record<string, VmState> = {
  poweroff: 'poweroff', saved: 'saved', 'aborted-saved': 'saved', aborted: 'aborted', running: 'running',
  paused: 'running', stuck: 'running', starting: 'running', stopping: 'running', saving: 'running',
  restoring: 'running', teleporting: 'running', livesnapshotting: 'running', onlinesnapshotting: 'running',
  deletingsnapshotlive: 'running', deletingsnapshotlivepaused: 'running', settingup: 'poweroff',
  teleported: 'poweroff',
};

/** `VMState="poweroff"` from `showvminfo --machinereadable`. */
export function parseShowVmInfoState(stdout: string): string | null {
  return /^VMState="([^"]*)"/m.exec(stdout)?.[1] ?? null;
}

/** True when `VBoxManage list runningvms` output (`"name" {uuid}` lines) lists the machine. */
export function listsRunningVm(stdout: string, uuid: string): boolean {
  return stdout.split('\n').some((line) => line.toLowerCase().includes(`{${uuid}}`));
}

export async function confirmVboxState(
  machine: Pick<VboxMachine, 'uuid' | 'name'>, fromFile: VboxFileState, env: NodeJS.ProcessEnv,
): Promise<{ state: VmState; stateEvidence: string }> {
  const fallback = fromFile.state === 'poweroff-or-running' ? 'unknown' : fromFile.state;
  const tool = await findTool('VBoxManage', env);
  if (tool === null) {
    const pid = await vboxVmProcess(machine);
    if (pid !== null && pid > 0) {
      return { state: 'running', stateEvidence: `${fromFile.evidence}; VBoxManage is not on PATH; VM process ${pid} runs it` };
    }
    if (pid === 0) {
      const state = fromFile.state === 'poweroff-or-running' ? 'poweroff' : fromFile.state;
      return { state, stateEvidence: `${fromFile.evidence}; VBoxManage is not on PATH; no VirtualBox VM process runs it` };
    }
    const why = fromFile.state === 'poweroff-or-running' ? ', which cannot tell powered off from running' : '';
    return { state: fallback, stateEvidence: `${fromFile.evidence}; VBoxManage is not on PATH to confirm${why}` };
  }
  const info = await runTool(tool, ['showvminfo', `{${machine.uuid}}`, '--machinereadable'], env);
  const reported = info?.exitCode === 0 ? parseShowVmInfoState(info.stdout) : null;
  if (reported !== null && MACHINE_STATES[reported] !== undefined) {
    return { state: MACHINE_STATES[reported], stateEvidence: `${fromFile.evidence}; VBoxManage showvminfo: VMState="${reported}"` };
  }
  const running = await runTool(tool, ['list', 'runningvms'], env);
  if (running?.exitCode === 0) {
    if (listsRunningVm(running.stdout, machine.uuid)) {
      return { state: 'running', stateEvidence: `${fromFile.evidence}; VBoxManage list runningvms lists it` };
    }
    const state = fromFile.state === 'poweroff-or-running' ? 'poweroff' : fromFile.state;
    return { state, stateEvidence: `${fromFile.evidence}; not in VBoxManage list runningvms` };
  }
  return { state: fallback, stateEvidence: `${fromFile.evidence}; VBoxManage did not answer` };
}
