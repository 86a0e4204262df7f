/**
 * Vault bench: Labvault against restic and borg on the same synthetic disk, like with like.
 * Not a test; prints tables. Usage:
 *   node test/bench/vault-bench.ts [--size 1G] [--rounds 3] [--warm] [--no-memory | --memory-only]
 *     [--chunk-study] [--fs xfs|btrfs|ext4|tmp] [--keep]
 *
 * Two comparisons, each tool as a user runs it (its own process per command, process start
 * included; Labvault through its `labvault` bin, electron/cli/bin.mjs, which runs the built
 * bundle):
 *   plain:     Labvault, unencrypted vault   vs borg `-e none`
 *   encrypted: Labvault, encrypted vault     vs restic (always encrypted) and borg `-e repokey`
 * Compression: Labvault zstd 3 (its default), borg zstd,3, restic auto (zstd).
 *
 * Phases, each run by every tool on the same file state: full; in place (2% of the 1 MiB
 * regions rewritten, same inode); new file (another 2% written into a copy renamed over
 * the disk); scattered (4 KiB random writes, 256 per GiB, as a guest filesystem writes);
 * unchanged; restore (borg extract --sparse; restic restore, which has no --sparse before
 * 0.15: the bench says which). Every timed step starts after `sync` and, where the machine
 * allows it (root, /proc/sys/vm/drop_caches), with caches dropped; else all steps run warm
 * and the bench says so (--warm forces warm). Tool order rotates between rounds; each cell
 * is the median of the rounds with the spread (min-max). The restore floor is the fsynced
 * write of the same non-zero bytes at the same offsets on the same disk (restore-floor.ts).
 * Filesystem (reflink-mount.ts): XFS with reflink on a loop file where the machine allows it
 * (Labvault then clones the disk before reading it and tracks changes from shared extents: the
 * plain vault keeps its clones in its snapshots folder, the encrypted one beside the disk in
 * <round>/.labvault-snapshots, never in its vault folder; each round says whether it did),
 * else the work folder's own; `--fs btrfs` and `--fs ext4` (no reflink: no clones) make that loop
 * filesystem instead; `--fs tmp` forces the work folder. The in-place row also shows
 * the cold read of the whole disk: what any tool without change tracking must at least spend.
 * Then the memory phase: peak RSS of a Labvault backup of sparse synthetic disks of 1, 4
 * and 16 GiB (it should be flat).
 */
import { existsSync, mkdtempSync, rmSync, mkdirSync, readdirSync, statSync, renameSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { tmpdir, loadavg, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { changedRegions, rewriteRegions, scatterSmallWrites, writeBenchDisk, writeThinDisk } from './bench-disk.ts';
import { runTimed } from './timed-command.ts';
import type { TimedRun } from './timed-command.ts';
import { LabvaultCliSession, ensureCliBundle } from './labvault-cli-session.ts';
import { parseSize } from './bench-size.ts';
import { chunkSizeStudy } from './chunk-size-study.ts';
import { benchFilesystem } from './reflink-mount.ts';

const args = process.argv.slice(2);
const size = parseSize(args, 1024 ** 3);
const rounds = Math.max(1, Number(args[args.indexOf('--rounds') + 1] ?? 3) || 3);
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const here = dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'lv-vault-bench-'));
const filesystem = benchFilesystem(work, args.includes('--fs') ? args[args.indexOf('--fs') + 1] : undefined, 10 * size + 4 * GIB);
const base = filesystem.root;

type Tool = 'labvault' | 'labvault-enc' | 'borg' | 'borg-enc' | 'restic';
const TOOLS: Tool[] = ['labvault', 'borg', 'labvault-enc', 'restic', 'borg-enc'];
const GROUPS = [
  { name: 'plain (Labvault unencrypted vs borg -e none)', ours: 'labvault' as Tool, peers: ['borg'] as Tool[] },
  { name: 'encrypted (Labvault encrypted vs restic and borg -e repokey)', ours: 'labvault-enc' as Tool, peers: ['restic', 'borg-enc'] as Tool[] },
];
const PHASES = ['full', 'in place', 'new file', 'scattered', 'unchanged', 'restore'] as const;
type Phase = (typeof PHASES)[number];
const PASSWORD = 'bench passphrase';

function canDropCaches(): boolean {
  if (args.includes('--warm')) return false;
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}
const dropCaches = canDropCaches();
const resticSparse = (() => {
  try {
    return execFileSync('restic', ['restore', '--help'], { encoding: 'utf8' }).includes('--sparse');
  } catch {
    return false;
  }
})();
const versionOf = (command: string, argv: string[]): string => {
  try {
    return execFileSync(command, argv, { encoding: 'utf8' }).split('\n')[0]!.trim();
  } catch {
    return `${command}: not found`;
  }
};

/**
 * Untimed, before every tool's step: the disk's last change at least SETTLE_MS old (a backup
 * seldom follows a write within a second; Labvault reads a file again when its change time is
 * too close to its capture to prove anything), `sync`, then caches dropped where allowed.
 */
const SETTLE_MS = 1100;
let lastDiskChange = 0;
function diskChanged(): void {
  lastDiskChange = Date.now();
}
async function settle(): Promise<void> {
  const wait = lastDiskChange + SETTLE_MS - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  await runTimed('sync', []);
  if (dropCaches) writeFileSync('/proc/sys/vm/drop_caches', '3');
}

function treeBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += treeBytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

class Round {
  readonly dir: string;
  readonly disk: string;
  private readonly sessions: Record<'labvault' | 'labvault-enc', LabvaultCliSession>;
  private readonly env: Record<string, string>;

  constructor(index: number) {
    this.dir = join(base, `round-${index}`);
    mkdirSync(this.dir);
    this.disk = join(this.dir, 'disk.raw');
    this.sessions = {
      'labvault': new LabvaultCliSession(join(this.dir, 'home'), this.repo('labvault'), false),
      'labvault-enc': new LabvaultCliSession(join(this.dir, 'home-enc'), this.repo('labvault-enc'), true),
    };
    this.env = {
      RESTIC_PASSWORD: PASSWORD, RESTIC_CACHE_DIR: join(this.dir, 'restic-cache'), BORG_BASE_DIR: join(this.dir, 'borg-base'),
      BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes', BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
    };
  }

  repo(tool: Tool): string {
    return join(this.dir, `repo-${tool}`);
  }

  private borgEnv(tool: Tool): Record<string, string> {
    return { ...this.env, BORG_PASSPHRASE: tool === 'borg-enc' ? PASSWORD : '' };
  }

  async init(tool: Tool): Promise<void> {
    if (tool === 'restic') await runTimed('restic', ['-r', this.repo(tool), 'init', '--repository-version', '2'], this.env);
    if (tool === 'borg' || tool === 'borg-enc') {
      await runTimed('borg', ['init', '-e', tool === 'borg' ? 'none' : 'repokey', this.repo(tool)], this.borgEnv(tool));
    }
    if (tool === 'labvault' || tool === 'labvault-enc') await this.sessions[tool].setUp(this.disk);
  }

  async backup(tool: Tool, point: string): Promise<TimedRun> {
    if (tool === 'labvault' || tool === 'labvault-enc') {
      await ensureCliBundle();
      await settle();
      return this.sessions[tool].backup();
    }
    await settle();
    if (tool === 'restic') {
      return runTimed('restic', ['-r', this.repo(tool), 'backup', '--host', 'bench', '--quiet', this.disk], this.env);
    }
    return runTimed('sh', ['-c', `cd "${this.dir}" && borg create --compression zstd,3 "${this.repo(tool)}::${point}" disk.raw`],
      this.borgEnv(tool));
  }

  /** Restores the newest point into restore-<tool>/disk.raw (timed until the data is on disk). */
  async restore(tool: Tool, point: string): Promise<TimedRun> {
    const target = join(this.dir, `restore-${tool}`);
    if (tool === 'labvault' || tool === 'labvault-enc') {
      const pointId = await this.sessions[tool].latestPointId();
      await ensureCliBundle();
      await settle();
      return this.sessions[tool].restore(pointId, target);
    }
    mkdirSync(target);
    await settle();
    // Labvault fsyncs what it restores; the peers do not, so their runs end with `sync`.
    if (tool === 'restic') {
      const sparse = resticSparse ? ' --sparse' : '';
      return runTimed('sh', ['-c', `restic -r "${this.repo(tool)}" restore latest${sparse} --target "${target}" && sync`], this.env);
    }
    return runTimed('sh', ['-c', `cd "${target}" && borg extract --sparse "${this.repo(tool)}::${point}" && sync`], this.borgEnv(tool));
  }

  restoredPath(tool: Tool): string {
    return tool === 'restic' ? join(this.dir, `restore-${tool}`, this.disk.slice(1)) : join(this.dir, `restore-${tool}`, 'disk.raw');
  }

  storedBytes(tool: Tool): number {
    return treeBytes(tool.startsWith('labvault') ? join(this.repo(tool), 'data') : this.repo(tool));
  }
}

type Results = Record<Phase, Partial<Record<Tool, TimedRun[]>>>;

function record(results: Results, phase: Phase, tool: Tool, run: TimedRun): void {
  (results[phase][tool] ??= []).push(run);
  console.log(`    ${phase} ${tool}: ${run.seconds.toFixed(2)} s, CPU ${run.cpuSeconds.toFixed(2)} s, peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);
}

async function runRound(
  index: number, results: Results, stored: Partial<Record<Tool, number[]>>, floors: number[], readFloors: number[],
): Promise<void> {
  const round = new Round(index);
  const order = TOOLS.map((_, i) => TOOLS[(i + index) % TOOLS.length]!);
  console.log(`  round ${index + 1}/${rounds}: order ${order.join(', ')}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  await writeBenchDisk(round.disk, size);
  diskChanged();
  for (const tool of order) await round.init(tool);
  for (const tool of order) record(results, 'full', tool, await round.backup(tool, 'full'));
  for (const tool of order) (stored[tool] ??= []).push(round.storedBytes(tool));
  // The encrypted vault's instant-restore clones: beside the disk (never in its vault folder), where reflink works.
  const besideDisk = existsSync(join(round.dir, '.labvault-snapshots'));
  const inVault = existsSync(join(round.repo('labvault-enc'), 'snapshots'));
  encryptedClones.push(besideDisk && !inVault);
  console.log(`    encrypted vault's clones: ${besideDisk ? 'beside the disk' : 'none'}${inVault ? ', and in its vault folder (a bug)' : ''}`);
  await rewriteRegions(round.disk, changedRegions(size, 0.02, `in-place-${index}`), `in-place-${index}`);
  diskChanged();
  for (const tool of order) record(results, 'in place', tool, await round.backup(tool, 'in-place'));
  await settle();
  readFloors.push((await runTimed('sh', ['-c', `cat "${round.disk}" > /dev/null`])).seconds);
  console.log(`    cold read of the whole disk (cat): ${readFloors.at(-1)!.toFixed(2)} s`);
  const copy = join(round.dir, 'disk.copy.raw');
  await runTimed('cp', ['--sparse=always', round.disk, copy]);
  await rewriteRegions(copy, changedRegions(size, 0.02, `new-file-${index}`), `new-file-${index}`);
  renameSync(copy, round.disk);
  diskChanged();
  for (const tool of order) record(results, 'new file', tool, await round.backup(tool, 'new-file'));
  await scatterSmallWrites(round.disk, size, Math.round(256 * size / GIB), `scattered-${index}`);
  diskChanged();
  for (const tool of order) record(results, 'scattered', tool, await round.backup(tool, 'scattered'));
  for (const tool of order) record(results, 'unchanged', tool, await round.backup(tool, 'unchanged'));
  for (const tool of order) {
    record(results, 'restore', tool, await round.restore(tool, 'unchanged'));
    if (tool.startsWith('labvault')) await runTimed('cmp', [round.disk, round.restoredPath(tool)]);
    rmSync(join(round.dir, `restore-${tool}`), { recursive: true, force: true });
  }
  await settle();
  const floorRun = await runTimed(process.execPath, [join(here, 'restore-floor.ts'), round.disk, join(round.dir, 'floor.raw')]);
  floors.push((JSON.parse(floorRun.stdout) as { seconds: number }).seconds);
  console.log(`    restore floor (fsynced write of the same non-zero bytes): ${floors.at(-1)!.toFixed(2)} s`);
  rmSync(round.dir, { recursive: true, force: true });
}

/** Per round: whether the encrypted vault kept its clones beside the disk (and none in its folder). */
const encryptedClones: boolean[] = [];

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const spread = (values: number[], digits: number): string => values.length < 2 ? ''
  : ` (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;

function printTable(head: string[], lines: string[][]): void {
  const all = [head, ...lines];
  const widths = head.map((_, i) => Math.max(...all.map((line) => (line[i] ?? '').length)));
  for (const [n, line] of all.entries()) {
    console.log(`| ${line.map((value, i) => value.padEnd(widths[i]!)).join(' | ')} |`);
    if (n === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  }
}

const TARGETS: Record<Phase, string> = {
  'full': '>= 2x', 'in place': '>= 3x', 'new file': '>= 3x', 'scattered': '', 'unchanged': '< 0.5 s', 'restore': '< 1.2x floor',
};

function printGroup(
  group: (typeof GROUPS)[number], results: Results, stored: Partial<Record<Tool, number[]>>, floor: number, readFloor: number,
): void {
  const tools = [group.ours, ...group.peers];
  console.log(`\n${group.name}: seconds, median of ${rounds} round${rounds === 1 ? '' : 's'} (min-max)\n`);
  const lines: string[][] = [];
  for (const phase of PHASES) {
    const runs = (tool: Tool): number[] => (results[phase][tool] ?? []).map((run) => run.seconds);
    const best = Math.min(...group.peers.map((tool) => median(runs(tool))));
    const ours = median(runs(group.ours));
    const extra = phase === 'restore' ? `; ${(ours / floor).toFixed(2)}x of the floor ${floor.toFixed(2)} s`
      : phase === 'in place' ? `; cold read of the disk ${readFloor.toFixed(2)} s` : '';
    lines.push([phase, ...tools.map((tool) => `${median(runs(tool)).toFixed(2)}${spread(runs(tool), 2)}`),
      `${(best / Math.max(ours, 1e-3)).toFixed(2)}x${extra}`, TARGETS[phase]]);
  }
  for (const phase of ['full', 'in place', 'scattered', 'restore'] as const) {
    const cpu = (tool: Tool): number => median((results[phase][tool] ?? []).map((run) => run.cpuSeconds));
    const best = Math.min(...group.peers.map(cpu));
    lines.push([`${phase} CPU`, ...tools.map((tool) => cpu(tool).toFixed(2)), `${(best / Math.max(cpu(group.ours), 1e-3)).toFixed(2)}x less`, '']);
  }
  const rss = (tool: Tool): number => Math.max(...PHASES.flatMap((phase) => (results[phase][tool] ?? []).map((run) => run.peakRssMiB)));
  lines.push(['peak RSS (MiB)', ...tools.map((tool) => rss(tool).toFixed(0)), '', '<= 250']);
  lines.push(['stored after full (MiB)', ...tools.map((tool) => (median(stored[tool] ?? [0]) / MIB).toFixed(1)), '', '']);
  printTable(['phase', ...tools, `${group.ours} vs best peer`, 'target'], lines);
}

async function memoryPhase(): Promise<void> {
  console.log('\nMemory: Labvault full backup of sparse synthetic disks (1 MiB random every 32 MiB, rest holes)\n');
  const lines: string[][] = [];
  for (const gib of [1, 4, 16]) {
    const dir = join(base, `memory-${gib}`);
    mkdirSync(dir);
    const disk = join(dir, 'disk.raw');
    await writeThinDisk(disk, gib * GIB, 32 * MIB);
    const session = new LabvaultCliSession(join(dir, 'home'), join(dir, 'vault'), false);
    await session.setUp(disk);
    await ensureCliBundle();
    await settle();
    const run = await session.backup();
    lines.push([`${gib} GiB`, (gib * GIB / 32 / MIB).toFixed(0), run.seconds.toFixed(2), run.cpuSeconds.toFixed(2), run.peakRssMiB.toFixed(0)]);
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(['disk', 'data MiB', 'seconds', 'CPU s', 'peak RSS MiB (target <= 250, flat)'], lines);
  await thinDiskPhase();
}

/** A thin lab disk: 50 GiB holding 80 MiB (1 MiB every 640 MiB), backed up, then again after one region changed. */
async function thinDiskPhase(): Promise<void> {
  const gib = 50;
  console.log(`\nThin disk: ${gib} GiB sparse raw disk, 1 MiB of data every 640 MiB; full backup, then one region rewritten\n`);
  const dir = join(base, 'thin');
  mkdirSync(dir);
  const disk = join(dir, 'disk.raw');
  await writeThinDisk(disk, gib * GIB, 640 * MIB);
  const session = new LabvaultCliSession(join(dir, 'home'), join(dir, 'vault'), false);
  await session.setUp(disk);
  const lines: string[][] = [];
  await settle();
  const full = await session.backup();
  lines.push(['full', full.seconds.toFixed(2), full.cpuSeconds.toFixed(2), full.peakRssMiB.toFixed(0)]);
  await rewriteRegions(disk, [Math.floor((gib * GIB) / (640 * MIB) / 2) * 640], 'thin-change');
  await settle();
  const changed = await session.backup();
  lines.push(['after a 1 MiB change', changed.seconds.toFixed(2), changed.cpuSeconds.toFixed(2), changed.peakRssMiB.toFixed(0)]);
  rmSync(dir, { recursive: true, force: true });
  printTable(['50 GiB thin disk (80 MiB data)', 'seconds (target < 5)', 'CPU s', 'peak RSS MiB'], lines);
}

async function main(): Promise<void> {
  await ensureCliBundle();
  const loadStart = loadavg();
  console.log(`Vault bench: ${(size / GIB).toFixed(2)} GiB disk, ${rounds} round${rounds === 1 ? '' : 's'}, in ${base}; `
    + `load average ${loadStart.map((l) => l.toFixed(1)).join(' ')}; caches ${dropCaches ? 'dropped before every step' : 'warm (not dropped)'}`);
  const results = Object.fromEntries(PHASES.map((phase) => [phase, {}])) as Results;
  const stored: Partial<Record<Tool, number[]>> = {};
  const floors: number[] = [];
  const readFloors: number[] = [];
  if (!args.includes('--memory-only')) {
    for (let index = 0; index < rounds; index += 1) await runRound(index, results, stored, floors, readFloors);
    for (const group of GROUPS) printGroup(group, results, stored, median(floors), median(readFloors));
  }
  if (!args.includes('--no-memory')) await memoryPhase();
  if (args.includes('--chunk-study')) await chunkSizeStudy(base, size, settle);
  console.log(`\nConditions: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}); load average at start `
    + `${loadStart.map((l) => l.toFixed(1)).join(' ')}, at end ${loadavg().map((l) => l.toFixed(1)).join(' ')}; `
    + `${dropCaches ? '`sync` and caches dropped (echo 3 > /proc/sys/vm/drop_caches) before every timed step' : '`sync` before every timed step, caches warm (dropping them is not permitted here, or --warm)'}; `
    + 'the disk settled 1.1 s after its last change; process start included for every tool (Labvault through its bin, electron/cli/bin.mjs, on the built bundle); '
    + `tool order rotated each round; ${versionOf('restic', ['version'])}${resticSparse ? ' (restore --sparse)' : ' (no restore --sparse in this version: it writes the zeros)'}; `
    + `${versionOf('borg', ['--version'])} (extract --sparse); disk and repositories on ${filesystem.description}; `
    + `${encryptedClones.length === 0 ? '' : encryptedClones.every(Boolean)
      ? "the encrypted vault keeps its instant-restore clones beside the disk (<disk folder>/.labvault-snapshots, same filesystem, never in the vault folder) and tracks changes from them like the plain vault (clones in its snapshots folder); "
      : 'the encrypted vault made no instant-restore clones beside the disk in some rounds (no reflink here?): it read the whole disk there; '}`
    + 'the disk: 1 MiB regions, 4 random, 2 text, 4 holes per 10; restore floor: restore-floor.ts (same non-zero bytes, same offsets, fdatasync).');
}

try {
  await main();
} finally {
  if (!args.includes('--keep')) {
    filesystem.release();
    rmSync(work, { recursive: true, force: true });
  }
}
