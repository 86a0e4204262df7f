/**
 * A VMware VM's state from its files: a suspend image (checkpoint.vmState naming a .vmss that
 * exists) is saved; *.lck folders next to the .vmx mean VMware holds it open (running, or a
 * stale lock after a crash); else powered off. `vmrun list` confirms when it is on PATH.
 */
import { readdir, realpath } from 'node:fs/promises';
import type { VmState } from '../discovered-vm.ts';
import { findTool, runTool } from '../hypervisor-cli.ts';

export async function lockFolders(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory() && entry.name.toLowerCase().endsWith('.lck'))
    .map((entry) => entry.name).sort();
}

/** The .vmx paths `vmrun list` prints after its "Total running VMs: N" line. */
export function parseVmrunList(stdout: string): string[] {
  return stdout.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !/^Total running VMs:/i.test(line));
}

async function sameFile(a: string, b: string): Promise<boolean> {
  const [ra, rb] = await Promise.all([realpath(a).catch(() => a), realpath(b).catch(() => b)]);
  return process.platform === 'win32' ? ra.toLowerCase() === rb.toLowerCase() : ra === rb;
}

export interface VmwareStateInput {
  vmxPath: string;
  folder: string;
  suspended: boolean;
  root: string | undefined;
  env: NodeJS.ProcessEnv;
}

export async function vmwareState(input: VmwareStateInput): Promise<{ state: VmState; stateEvidence: string }> {
  const locks = await lockFolders(input.folder);
  const lockText = locks.length > 0 ? `lock folders ${locks.join(', ')}` : 'no *.lck lock folders';
  const fileEvidence = `${input.suspended ? 'checkpoint.vmState names a suspend image (.vmss)' : 'no suspend image'}; ${lockText}`;
  if (input.root !== undefined) {
    if (locks.length > 0) {
      return { state: 'aborted', stateEvidence: `${fileEvidence}: it was open when this disk was taken (--root), so crash-consistent` };
    }
    return { state: input.suspended ? 'saved' : 'poweroff', stateEvidence: `${fileEvidence}; on another machine's disk (--root)` };
  }
  const fromFiles: VmState = locks.length > 0 ? 'running' : input.suspended ? 'saved' : 'poweroff';
  const tool = await findTool('vmrun', input.env);
  if (tool === null) {
    const stale = locks.length > 0 ? ' (a lock left by a crash looks the same)' : '';
    return { state: fromFiles, stateEvidence: `${fileEvidence}; vmrun is not on PATH to confirm${stale}` };
  }
  const answer = await runTool(tool, ['list'], input.env);
  if (answer === null || answer.exitCode !== 0) return { state: fromFiles, stateEvidence: `${fileEvidence}; vmrun list did not answer` };
  for (const listed of parseVmrunList(answer.stdout)) {
    if (await sameFile(listed, input.vmxPath)) return { state: 'running', stateEvidence: `${fileEvidence}; vmrun list lists it` };
  }
  const state: VmState = input.suspended ? 'saved' : 'poweroff';
  const stale = locks.length > 0 ? ' (its lock folders are stale)' : '';
  return { state, stateEvidence: `${fileEvidence}; not in vmrun list${stale}` };
}
