/**
 * Asking a hypervisor's own tool (VBoxManage, vmrun, virsh) to confirm what the files say.
 * Found on the PATH only, run without a shell, with a timeout and an output cap; a tool that
 * is absent, fails or times out gives null and the files' answer stands.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export const TOOL_TIMEOUT_MS = 10_000;
const TOOL_OUTPUT_CAP = 4 * 1024 * 1024;

export interface ToolAnswer {
  stdout: string;
  exitCode: number;
}

/** The executable `name` on `env.PATH`, or null. */
export async function findTool(name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const names = process.platform === 'win32' ? [`${name}.exe`, `${name}.cmd`, name] : [name];
  for (const dir of (env.PATH ?? '').split(delimiter).filter((entry) => entry !== '').slice(0, 256)) {
    for (const candidate of names) {
      const path = join(dir, candidate);
      try {
        await access(path, constants.X_OK);
        return path;
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** Runs `path args...`; null when it cannot start or times out. Non-zero exits are returned. */
export function runTool(path: string, args: string[], env: NodeJS.ProcessEnv): Promise<ToolAnswer | null> {
  return new Promise((resolveAnswer) => {
    execFile(path, args, { env, timeout: TOOL_TIMEOUT_MS, maxBuffer: TOOL_OUTPUT_CAP, windowsHide: true },
      (error, stdout) => {
        if (error && typeof error.code !== 'number') {
          resolveAnswer(null);
          return;
        }
        resolveAnswer({ stdout: String(stdout), exitCode: error ? Number(error.code) : 0 });
      });
  });
}
