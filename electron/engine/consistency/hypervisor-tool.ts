/**
 * Runs a hypervisor's own command-line tool (virsh, VBoxManage, vmrun) for a backup: found on
 * the PATH of the environment given, started without a shell, with a timeout and an output
 * cap. A failure is an error naming the command, its exit code and the end of its stderr.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';

const OUTPUT_CAP = 4 * 1024 * 1024;
const PATH_DIRS_MAX = 256;
/** How much of a failing tool's stderr goes into the error message. */
export const STDERR_TAIL_CHARS = 1000;

export interface ToolResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The executable `name` on `env.PATH`, or null. */
export async function findExecutable(name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const names = process.platform === 'win32' ? [`${name}.exe`, `${name}.cmd`, name] : [name];
  const dirs = (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '').slice(0, PATH_DIRS_MAX);
  for (const dir of dirs) {
    for (const candidate of names) {
      const path = join(dir, candidate);
      try {
        await access(path, constants.X_OK);
        return path;
      } catch {
        // not in this folder
      }
    }
  }
  return null;
}

export function tail(text: string, chars = STDERR_TAIL_CHARS): string {
  const trimmed = text.trim();
  return trimmed.length <= chars ? trimmed : `...${trimmed.slice(trimmed.length - chars)}`;
}

/** Runs the tool; resolves with its exit code (non-zero included); rejects only when it cannot run or times out. */
export function runTool(path: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(path, args, { env, timeout: timeoutMs, maxBuffer: OUTPUT_CAP, windowsHide: true, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          const why = error.killed ? `did not finish within ${Math.round(timeoutMs / 1000)} s` : error.message;
          reject(new LabvaultError(ErrorCodes.IO_ERROR, `${path} ${args.join(' ')} ${why}.`,
            { details: { tool: path }, cause: error }));
          return;
        }
        resolve({ stdout: String(stdout), stderr: String(stderr), exitCode: error ? Number(error.code) : 0 });
      });
  });
}

/** Runs the tool and fails (IO_ERROR, with `what` and the stderr tail) unless it exits 0. */
export async function runToolOk(path: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number,
  what: string): Promise<ToolResult> {
  const result = await runTool(path, args, env, timeoutMs);
  if (result.exitCode !== 0) {
    throw new LabvaultError(ErrorCodes.IO_ERROR,
      `${what} failed: ${path} ${args.join(' ')} exited ${result.exitCode}: ${tail(result.stderr || result.stdout)}`,
      { details: { tool: path, exitCode: result.exitCode } });
  }
  return result;
}
