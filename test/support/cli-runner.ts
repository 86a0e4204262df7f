/**
 * Runs the real `labvault` CLI (electron/cli/labvault.ts under this Node) as a subprocess
 * with its own LABVAULT_HOME, for integration tests. `runCli` waits for the exit;
 * `startCli` hands back the child so a test can kill it mid-run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI_ENTRY = fileURLToPath(new URL('../../electron/cli/labvault.ts', import.meta.url));
const DEFAULT_TIMEOUT_MS = 110_000;

export interface CliResult {
  /** Exit code; null when the process died of a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (throws with stdout/stderr in the message when it is not). */
  json<T = unknown>(): T;
}

export interface CliOptions {
  /** Extra environment (merged over process.env, then LABVAULT_HOME). */
  env?: NodeJS.ProcessEnv;
  /** Kill the child with SIGKILL after this long (default 110 s): a hung CLI fails the test. */
  timeoutMs?: number;
}

export interface StartedCli {
  child: ChildProcess;
  /** Settles when the child exits (after a kill too). */
  result: Promise<CliResult>;
  /** Text the child wrote so far. */
  output(): { stdout: string; stderr: string };
}

function toResult(code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string): CliResult {
  return {
    code,
    signal,
    stdout,
    stderr,
    json<T>(): T {
      try {
        return JSON.parse(stdout) as T;
      } catch {
        throw new Error(`CLI stdout is not JSON (exit ${String(code)}).\nstdout: ${stdout}\nstderr: ${stderr}`);
      }
    },
  };
}

/** Starts `labvault <args>` with LABVAULT_HOME=home; stdout/stderr are collected. */
export function startCli(home: string, args: string[], options: CliOptions = {}): StartedCli {
  const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
    env: { ...process.env, ...options.env, LABVAULT_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => { stdout += text; });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const result = new Promise<CliResult>((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve(toResult(code, signal, stdout, stderr));
    });
  });
  return { child, result, output: () => ({ stdout, stderr }) };
}

/** Runs `labvault <args>` to its end. */
export function runCli(home: string, args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(home, args, options).result;
}

/** Runs `labvault <args> --json` and expects exit 0; returns the parsed JSON. */
export async function runCliJson<T = unknown>(home: string, args: string[], options: CliOptions = {}): Promise<T> {
  const result = await runCli(home, [...args, '--json'], options);
  if (result.code !== 0) {
    throw new Error(`labvault ${args.join(' ')} exited ${String(result.code)}${result.signal ? ` (${result.signal})` : ''}.\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
  return result.json<T>();
}
