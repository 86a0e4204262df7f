/**
 * Registering a restored VM with its hypervisor's CLI (`VBoxManage registervm`, `virsh
 * define`), run without a shell; its answer (or why it failed) in words.
 */
import { execFile } from 'node:child_process';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { findTool } from '../discovery/hypervisor-cli.ts';
import { shellCommand } from './vm-restore-plan.ts';

const REGISTER_TIMEOUT_MS = 60_000;

export interface CommandAnswer { code: number; output: string }

export function runCommand(path: string, args: string[], env: NodeJS.ProcessEnv): Promise<CommandAnswer> {
  const options = { env, timeout: REGISTER_TIMEOUT_MS, maxBuffer: 1024 * 1024, windowsHide: true };
  return new Promise((resolve) => {
    execFile(path, args, options, (error, stdout, stderr) => {
      const output = `${String(stdout)}${String(stderr)}`.trim().slice(0, 2000);
      if (!error) resolve({ code: 0, output });
      else resolve({ code: typeof error.code === 'number' ? error.code : -1, output: output || error.message });
    });
  });
}

/** Runs the plan's register command; throws IO_ERROR naming the command when the tool refuses. */
export async function registerVm(command: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const [toolName, ...args] = command;
  const tool = toolName ? await findTool(toolName, env) : null;
  if (!tool) throw new LabvaultError(ErrorCodes.NOT_FOUND, `${toolName ?? '?'} is not on PATH: register the VM with ${shellCommand(command)}.`);
  const answer = await runCommand(tool, args, env);
  if (answer.code !== 0) {
    throw new LabvaultError(ErrorCodes.IO_ERROR, `The VM was restored and verified, but ${shellCommand(command)} failed: ${answer.output}`,
      { details: { command } });
  }
  return `Registered: ${shellCommand(command)}.`;
}
