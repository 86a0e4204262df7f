/**
 * A libvirt domain's state: running when libvirt's status file or pid file exists in the run
 * folder (/run/libvirt/qemu, or $XDG_RUNTIME_DIR/libvirt/qemu/run for the session), saved
 * when a managed save image exists, else shut off; confirmed by `virsh domstate --reason`
 * when virsh is on PATH.
 */
import type { VmState } from '../discovered-vm.ts';
import { findTool, runTool } from '../hypervisor-cli.ts';
import { isFileHere } from '../vm-assembly.ts';

export interface LibvirtStateInput {
  name: string;
  /** 'qemu:///system' or 'qemu:///session'. */
  connection: string;
  runFiles: string[];
  saveImage: string;
  root: string | undefined;
  env: NodeJS.ProcessEnv;
}

/** `running (booted)` -> running; `shut off (saved)` -> saved; `crashed` -> aborted; ... */
export function stateFromDomstate(stdout: string): VmState | null {
  const line = stdout.trim().split('\n')[0]?.trim().toLowerCase() ?? '';
  if (line.startsWith('shut off')) return line.includes('(saved)') ? 'saved' : 'poweroff';
  if (/^(running|idle|paused|in shutdown|blocked|pmsuspended)/.test(line)) return 'running';
  if (line.startsWith('crashed')) return 'aborted';
  return null;
}

export async function libvirtState(input: LibvirtStateInput): Promise<{ state: VmState; stateEvidence: string }> {
  const present: string[] = [];
  for (const file of input.runFiles) if (await isFileHere(file)) present.push(file);
  const saved = await isFileHere(input.saveImage);
  const evidence = [
    present.length > 0 ? `status file ${present.join(', ')}` : 'no status or pid file in the run folder',
    saved ? `managed save image ${input.saveImage}` : 'no managed save image',
  ].join('; ');
  if (input.root !== undefined) {
    if (present.length > 0) return { state: 'aborted', stateEvidence: `${evidence}: it ran when this disk was taken (--root)` };
    return { state: saved ? 'saved' : 'poweroff', stateEvidence: `${evidence}; on another machine's disk (--root)` };
  }
  const fromFiles: VmState = present.length > 0 ? 'running' : saved ? 'saved' : 'poweroff';
  const tool = await findTool('virsh', input.env);
  if (tool === null) return { state: fromFiles, stateEvidence: `${evidence}; virsh is not on PATH to confirm` };
  const answer = await runTool(tool, ['-c', input.connection, 'domstate', input.name, '--reason'], input.env);
  const confirmed = answer?.exitCode === 0 ? stateFromDomstate(answer.stdout) : null;
  if (confirmed === null) return { state: fromFiles, stateEvidence: `${evidence}; virsh domstate did not answer` };
  const said = (answer?.stdout ?? '').trim().split('\n')[0];
  return { state: confirmed, stateEvidence: `${evidence}; virsh -c ${input.connection} domstate: ${said}` };
}
