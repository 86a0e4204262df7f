/**
 * Runs a command and measures wall time and peak RSS (via /usr/bin/time -v when present;
 * otherwise the child's resource usage is unknown and RSS is reported as 0).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

export interface TimedRun {
  seconds: number;
  /** User + system CPU seconds of the command (0 without /usr/bin/time). */
  cpuSeconds: number;
  peakRssMiB: number;
  stdout: string;
  stderr: string;
}

const TIME_BIN = '/usr/bin/time';

export async function runTimed(command: string, args: string[], env: Record<string, string> = {}): Promise<TimedRun> {
  const useTime = existsSync(TIME_BIN);
  const timeFile = join(tmpdir(), `lv-bench-time-${process.pid}-${Date.now()}`);
  const [bin, argv] = useTime ? [TIME_BIN, ['-v', '-o', timeFile, command, ...args]] : [command, args];
  const started = performance.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(bin, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
  const seconds = (performance.now() - started) / 1000;
  let peakRssMiB = 0;
  let cpuSeconds = 0;
  if (useTime && existsSync(timeFile)) {
    const report = readFileSync(timeFile, 'utf8');
    const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(report);
    peakRssMiB = match ? Number(match[1]) / 1024 : 0;
    cpuSeconds = Number(/User time \(seconds\): ([\d.]+)/.exec(report)?.[1] ?? 0) + Number(/System time \(seconds\): ([\d.]+)/.exec(report)?.[1] ?? 0);
    rmSync(timeFile, { force: true });
  }
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${String(code)}): ${stderr.slice(-2000)}`);
  return { seconds, cpuSeconds, peakRssMiB, stdout, stderr };
}
