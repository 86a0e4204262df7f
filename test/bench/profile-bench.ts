/**
 * `npm run bench -- --profile [--size 1G] [--keep]`: where a backup's time goes. Runs the
 * CLI bundle (as a user does) on the bench disk, plain and encrypted: a full backup, then
 * an incremental one after 2% of the 1 MiB regions were rewritten in place (the inode
 * kept, so the file is read again). Each job reports its per-stage profile (Subtask.stages
 * in `backup --json`); this prints them beside this machine's ceilings per stage
 * (stage-ceilings.ts, one thread each), with the conditions under the table.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { changedRegions, rewriteRegions, writeBenchDisk } from './bench-disk.ts';
import { LabvaultCliSession, ensureCliBundle } from './labvault-cli-session.ts';
import { runTimed } from './timed-command.ts';
import type { TimedRun } from './timed-command.ts';
import { parseSize } from './bench-size.ts';

interface StageFigure { stage: string; where: string; ms: number; bytes: number; calls: number }
interface Job { subtasks: Array<{ name: string; stages?: StageFigure[] }> }
interface Profiled { run: TimedRun; stages: StageFigure[] }

const args = process.argv.slice(2);
const size = parseSize(args, 1024 ** 3);
const MB = 1e6;
const MIB = 1024 ** 2;
const here = dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'lv-profile-bench-'));
const disk = join(work, 'disk.raw');

function stagesOf(run: TimedRun): StageFigure[] {
  const job = JSON.parse(run.stdout) as Job;
  return job.subtasks.find((subtask) => subtask.name === 'Transfer data to vault')?.stages ?? [];
}

async function profiled(session: LabvaultCliSession): Promise<Profiled> {
  await runTimed('sync', []);
  const run = await session.backup();
  return { run, stages: stagesOf(run) };
}

const CEILING_OF: Record<string, string[]> = {
  read: ['warm read (page cache, holes included)'],
  zero: ['zero check, all-zero chunk (Buffer.equals)'],
  hash: ['sha256 (node:crypto)', 'hmac-sha256 (encrypted vault id)'],
  probe: ['zstd L3 compress, random (reused context)'],
  compress: ['zstd L3 compress, text (reused context)', 'zstd L1 compress, text (reused context)'],
  encrypt: ['aes-256-gcm seal'],
  write: ['fsynced write (256 MiB, one file)'],
  sync: ['fsynced write (256 MiB, one file)'],
};

function cell(figure: StageFigure | undefined): string[] {
  if (figure === undefined) return ['-', '-', '-'];
  const rate = figure.ms > 0 && figure.bytes > 0 ? (figure.bytes / MB / (figure.ms / 1000)).toFixed(0) : '-';
  return [figure.ms.toFixed(0), (figure.bytes / MIB).toFixed(0), rate];
}

function printTable(title: string, full: Profiled, incremental: Profiled, ceilings: Record<string, number>): void {
  const names = [...new Set([...full.stages, ...incremental.stages].map((figure) => figure.stage))];
  const head = ['stage', 'where', 'full ms', 'full MiB', 'full MB/s', 'incr ms', 'incr MiB', 'incr MB/s', 'ceiling MB/s (1 thread)'];
  const lines = [head];
  for (const name of names) {
    const f = full.stages.find((figure) => figure.stage === name);
    const i = incremental.stages.find((figure) => figure.stage === name);
    const ceiling = (CEILING_OF[name] ?? [])
      .map((key) => (ceilings[key] === undefined ? '' : `${ceilings[key]!.toFixed(0)} ${key}`)).filter(Boolean).join('; ');
    lines.push([name, (f ?? i)!.where, ...cell(f), ...cell(i), ceiling]);
  }
  lines.push(['process (wall, CPU)', 'cli', full.run.seconds.toFixed(2) + ' s', '', full.run.cpuSeconds.toFixed(2) + ' s CPU',
    incremental.run.seconds.toFixed(2) + ' s', '', incremental.run.cpuSeconds.toFixed(2) + ' s CPU', '']);
  lines.push(['peak RSS', 'cli', `${full.run.peakRssMiB.toFixed(0)} MiB`, '', '', `${incremental.run.peakRssMiB.toFixed(0)} MiB`, '', '', '']);
  const widths = head.map((_, i) => Math.max(...lines.map((line) => line[i]!.length)));
  console.log(`\n${title}\n`);
  for (const [n, line] of lines.entries()) {
    console.log(`| ${line.map((value, i) => value.padEnd(widths[i]!)).join(' | ')} |`);
    if (n === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  }
}

function filesystemOf(path: string): string {
  try {
    return execFileSync('stat', ['-f', '-c', '%T', path], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  await ensureCliBundle();
  const loadBefore = loadavg();
  console.log(`Profile bench: ${(size / 1024 ** 3).toFixed(2)} GiB bench disk in ${work} (${filesystemOf(work)}); `
    + `${cpus().length} cores; load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')}`);
  await writeBenchDisk(disk, size);
  const ceilingRun = await runTimed(process.execPath, [join(here, 'stage-ceilings.ts'), disk, work]);
  const { figures: ceilings, notes } = JSON.parse(ceilingRun.stdout) as { figures: Record<string, number>; notes: string[] };
  console.log('\nCeilings (one thread each, MB/s):');
  for (const [name, value] of Object.entries(ceilings)) console.log(`  ${name}: ${value.toFixed(0)}`);
  for (const note of notes) console.log(`  ${note}`);
  const changed = changedRegions(size, 0.02, 'profile');
  for (const encrypt of [false, true]) {
    const label = encrypt ? 'encrypted' : 'plain';
    const session = new LabvaultCliSession(join(work, `home-${label}`), join(work, `vault-${label}`), encrypt);
    await session.setUp(disk);
    const full = await profiled(session);
    const bytes = await rewriteRegions(disk, changed, `profile-${label}`);
    const incremental = await profiled(session);
    printTable(`Labvault ${label} vault: full backup, then incremental after ${(bytes / MIB).toFixed(0)} MiB `
      + 'rewritten in place', full, incremental, ceilings);
  }
  console.log(`\nConditions: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}); load average before `
    + `${loadBefore.map((l) => l.toFixed(1)).join(' ')}, after ${loadavg().map((l) => l.toFixed(1)).join(' ')}; `
    + 'caches warm (the disk was just written; `sync` before each backup, caches not dropped); '
    + `vault and disk on ${filesystemOf(work)}. Stage time: 'main' = main thread, 'worker' = inside hash workers or `
    + "the zstd threadpool, 'wait' = awaited I/O summed over overlapping calls (can exceed the wall time); "
    + "'total' = the transfer phase's wall time and the process CPU over it.");
}

try {
  await main();
} finally {
  if (!args.includes('--keep')) rmSync(work, { recursive: true, force: true });
}
