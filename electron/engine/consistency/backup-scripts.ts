/**
 * An item's pre- and post-backup scripts (kept in this machine's trust file, never taken
 * from a vault). Each runs without a shell in its own process group with LABVAULT_ITEM,
 * LABVAULT_PHASE (pre | post) and LABVAULT_VM_CONFIG; past its timeout the whole group is
 * killed (SIGTERM, then SIGKILL). Only the end of its stderr is kept.
 */
import { spawn } from 'node:child_process';

const STDERR_KEEP = 4096;
const KILL_GRACE_MS = 2000;
/** After the script exits, how long its inherited pipes may stay open (a child it left behind). */
const PIPE_GRACE_MS = 1000;

export type ScriptPhase = 'pre' | 'post';

export interface ScriptOutcome {
  ok: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stderrTail: string;
  /** One line for job messages: "pre-script /x exited 3: <stderr tail>". */
  summary: string;
}

export interface ScriptRequest {
  path: string;
  phase: ScriptPhase;
  timeoutSec: number;
  item: string;
  vmConfig: string;
  env: NodeJS.ProcessEnv;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

function describe(request: ScriptRequest, outcome: Omit<ScriptOutcome, 'summary'>): string {
  const who = `${request.phase}-script ${request.path}`;
  const why = outcome.timedOut
    ? `ran past its timeout of ${request.timeoutSec} s and was killed`
    : outcome.exitCode !== null ? `exited ${outcome.exitCode}` : `was ended by ${outcome.signal ?? 'a signal'}`;
  if (outcome.ok) return `${who} succeeded`;
  return `${who} ${why}${outcome.stderrTail ? `: ${outcome.stderrTail}` : ''}`;
}

export function runBackupScript(request: ScriptRequest): Promise<ScriptOutcome> {
  return new Promise((resolve) => {
    let stderr = '';
    let timedOut = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
      const stderrTail = (spawnError ? spawnError.message : stderr).trim().slice(-STDERR_KEEP);
      const base = { ok: !timedOut && exitCode === 0 && !spawnError, exitCode, signal, timedOut, stderrTail };
      resolve({ ...base, summary: describe(request, base) });
    };
    let child;
    try {
      child = spawn(request.path, [], {
        detached: true,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: {
          ...request.env,
          LABVAULT_ITEM: request.item,
          LABVAULT_PHASE: request.phase,
          LABVAULT_VM_CONFIG: request.vmConfig,
        },
        windowsHide: true,
      });
    } catch (error) {
      finish(null, null, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const started = child;
    started.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_KEEP * 2);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(started.pid, 'SIGTERM');
      setTimeout(() => killGroup(started.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
    }, request.timeoutSec * 1000);
    started.once('error', (error) => {
      clearTimeout(timer);
      finish(null, null, error);
    });
    started.once('exit', (code, signal) => {
      clearTimeout(timer);
      // A child the script left behind may hold its stderr open: wait briefly, then stop reading.
      const grace = setTimeout(() => {
        started.stderr?.destroy();
        finish(code, signal);
      }, PIPE_GRACE_MS);
      started.stderr?.once('close', () => {
        clearTimeout(grace);
        finish(code, signal);
      });
      if (!started.stderr) {
        clearTimeout(grace);
        finish(code, signal);
      }
    });
  });
}
