/** Runs the real `labvault` CLI (node electron/cli/labvault.ts) as a subprocess. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI_ENTRY = fileURLToPath(new URL('../../electron/cli/labvault.ts', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json<T = unknown>(): T;
}

export function runLabvault(args: string[], env: Record<string, string>, options: { input?: string; timeoutMs?: number } = {}): CliRun {
  const result = spawnSync(process.execPath, [CLI_ENTRY, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    input: options.input ?? '',
    timeout: options.timeoutMs ?? 120_000,
  });
  return {
    code: result.status ?? -1,
    stdout: result.stdout,
    stderr: result.stderr,
    json<T>() {
      return JSON.parse(result.stdout) as T;
    },
  };
}
