/**
 * `npm run bench -- unchanged [--size 1G] [--runs 5] [--fs xfs|btrfs|ext4|tmp] [--encrypt]`: where the time of an
 * unchanged backup goes, end to end, as a user runs it (the `labvault` bin, electron/cli/bin.mjs,
 * on the built bundle; one process per command). Not a test; prints a table.
 *
 * Set-up (untimed): a synthetic disk (bench-disk.ts) on XFS with reflink where the machine
 * allows it (reflink-mount.ts; clones then live in the vault, or beside the disk for an encrypted
 * vault), a plain vault (`--encrypt`: an encrypted one, unlocked by LABVAULT_PASSPHRASE), a full backup,
 * scattered 4 KiB writes and their backup, then the disk is left alone for at least 1.1 s (as
 * between a guest's last write and a scheduled backup). Then `--runs` unchanged backups with
 * caches dropped before each (`sync; echo 3 > /proc/sys/vm/drop_caches`, where allowed), and as
 * many warm. Each run is split by the job's own timestamps (wall clock, ms):
 *   start   process start, module loading, engine, vault and catalog open, until the job starts
 *   snapshot, transfer, test restore   the job's subtasks
 *   job     the rest of the job (locks, retention, catalog and job records)
 *   exit    after the job ended: output, engine close, process exit
 * and `labvault --version` beside it (process start and module loading only). Median of the
 * runs, with the spread; CPU from /usr/bin/time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg, tmpdir } from 'node:os';
import { scatterSmallWrites, writeBenchDisk } from './bench-disk.ts';
import { parseSize } from './bench-size.ts';
import { CLI_BIN, ensureCliBundle } from './labvault-cli-session.ts';
import { benchFilesystem } from './reflink-mount.ts';
import { runTimed, type TimedRun } from './timed-command.ts';

const args = process.argv.slice(2);
const size = parseSize(args, 1024 ** 3);
const runs = Math.max(1, Number(args[args.indexOf('--runs') + 1] ?? 5) || 5);
const encrypt = args.includes('--encrypt');
const work = mkdtempSync(join(tmpdir(), 'lv-unchanged-bench-'));
const filesystem = benchFilesystem(work, args.includes('--fs') ? args[args.indexOf('--fs') + 1] : undefined, 4 * size + 2 * 1024 ** 3);
const env = { LABVAULT_HOME: join(filesystem.root, 'home'), LABVAULT_PASSPHRASE: 'bench passphrase' };
const disk = join(filesystem.root, 'disk.raw');

function canDropCaches(): boolean {
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

const labvault = (argv: string[]): Promise<TimedRun> => runTimed(process.execPath, [CLI_BIN, ...argv], env);

interface Subtask { name: string; startedAt?: string; endedAt?: string; message?: string }
interface JobJson { status: string; startedAt: string; endedAt: string; subtasks: Subtask[] }

const ROWS = ['total', 'cpu', 'start', 'snapshot', 'transfer', 'test restore', 'job', 'exit', 'version', 'version cpu'] as const;
type Row = (typeof ROWS)[number];
type Sample = Partial<Record<Row, number>>;

async function settle(cold: boolean): Promise<void> {
  await runTimed('sync', []);
  if (cold) writeFileSync('/proc/sys/vm/drop_caches', '3');
}

async function unchangedRun(cold: boolean): Promise<Sample> {
  // Others may edit the sources meanwhile: the bin would then run them instead of the bundle.
  await ensureCliBundle();
  await settle(cold);
  const version = await labvault(['--version']);
  await settle(cold);
  const spawnedAt = Date.now();
  const run = await labvault(['backup', 'bench-vm', '--json']);
  const exitedAt = spawnedAt + run.seconds * 1000;
  const job = JSON.parse(run.stdout) as JobJson;
  if (job.status !== 'completed') throw new Error(`backup ended ${job.status}: ${run.stdout.slice(0, 2000)}`);
  const at = (iso: string | undefined): number => (iso === undefined ? Number.NaN : Date.parse(iso));
  const subtask = (name: string): number => {
    const found = job.subtasks.find((candidate) => candidate.name === name);
    return found ? (at(found.endedAt) - at(found.startedAt)) / 1000 : 0;
  };
  const phases = subtask('Snapshot') + subtask('Transfer data to vault') + subtask('Test restore');
  return {
    total: run.seconds,
    cpu: run.cpuSeconds,
    start: (at(job.startedAt) - spawnedAt) / 1000,
    snapshot: subtask('Snapshot'),
    transfer: subtask('Transfer data to vault'),
    'test restore': subtask('Test restore'),
    job: (at(job.endedAt) - at(job.startedAt)) / 1000 - phases,
    exit: (exitedAt - at(job.endedAt)) / 1000,
    version: version.seconds,
    'version cpu': version.cpuSeconds,
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function table(title: string, samples: Sample[]): void {
  console.log(`\n${title} (median of ${samples.length}, min-max, seconds)`);
  for (const row of ROWS) {
    const values = samples.map((sample) => sample[row] ?? 0);
    const cell = `${median(values).toFixed(3)} (${Math.min(...values).toFixed(3)}-${Math.max(...values).toFixed(3)})`;
    console.log(`  ${row.padEnd(14)} ${cell}`);
  }
}

try {
  await ensureCliBundle();
  const dropCaches = canDropCaches();
  console.log(`unchanged bench: ${encrypt ? 'encrypted' : 'plain'} vault, ${(size / 1024 ** 3).toFixed(2)} GiB disk on ${filesystem.description}; `
    + `${runs} runs cold${dropCaches ? '' : ' (caches cannot be dropped here: warm)'} and ${runs} warm; `
    + `load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}`);
  await writeBenchDisk(disk, size);
  await labvault(['vault', 'create', '--name', 'bench', '--path', join(filesystem.root, 'vault'), ...(encrypt ? ['--encrypt'] : []), '--json']);
  await labvault(['protect', '--vault', 'bench', '--name', 'bench-vm', disk, '--json']);
  await labvault(['backup', 'bench-vm', '--json']);
  await scatterSmallWrites(disk, size, Math.round(256 * size / 1024 ** 3), 'unchanged-bench');
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await labvault(['backup', 'bench-vm', '--json']);
  const cold: Sample[] = [];
  const warm: Sample[] = [];
  for (let i = 0; i < runs; i += 1) cold.push(await unchangedRun(dropCaches));
  for (let i = 0; i < runs; i += 1) warm.push(await unchangedRun(false));
  table(dropCaches ? 'cold (caches dropped before each step)' : 'cold not possible: warm', cold);
  table('warm', warm);
  const last = JSON.parse((await labvault(['backup', 'bench-vm', '--json'])).stdout) as JobJson;
  console.log('\nlast run\'s subtasks:');
  for (const subtask of last.subtasks) console.log(`  ${subtask.name}: ${subtask.message ?? ''}`);
  console.log(`load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}`);
} finally {
  filesystem.release();
  if (!args.includes('--keep')) rmSync(work, { recursive: true, force: true });
}
