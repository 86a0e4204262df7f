/**
 * Vault bench: Labvault's store against restic and borg on the same synthetic disks, in
 * one run. Not a test; prints a table. Usage:
 *   node test/bench/vault-bench.ts [--size-gib N] [--engine cli|store] [--encrypt] [--skip-chunk-study] [--keep]
 *
 * --engine cli (default) measures Labvault as a user runs it: the CLI bundle
 * out/cli/labvault.mjs (built first when missing or stale), one process per command, with
 * a fresh LABVAULT_HOME (`vault create`, `protect`, `backup --json`, `restore disks`).
 * --engine store calls the vault store API directly (vault-bench-child.ts).
 *
 * Phases, each run for every tool on the same file: full (day 1); incremental in place
 * (day 2: 2% of 1 MiB regions rewritten in place, as a guest writes); incremental new file
 * (day 3: another 2% written into a copy that is renamed over the disk, so the inode
 * changes, as when a tool rewrites the whole image); unchanged (day 3 again); restore
 * (day 3). restic runs encrypted (it always is) with compression auto; borg runs
 * unencrypted (`-e none`) with zstd,3; Labvault unencrypted with zstd (or --encrypt).
 */
import { mkdtempSync, rmSync, mkdirSync, readdirSync, statSync, renameSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir, loadavg, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { changedRegions, rewriteRegions, scatterSmallWrites, writeBenchDisk } from './bench-disk.ts';
import { runTimed } from './timed-command.ts';
import type { TimedRun } from './timed-command.ts';
import { LabvaultCliSession, ensureCliBundle } from './labvault-cli-session.ts';

const args = process.argv.slice(2);
const sizeGib = Number(args[args.indexOf('--size-gib') + 1] ?? 4) || 4;
const encrypt = args.includes('--encrypt');
const engineArg = args.includes('--engine') ? args[args.indexOf('--engine') + 1] : 'cli';
if (engineArg !== 'cli' && engineArg !== 'store') throw new Error(`--engine must be cli or store, not ${String(engineArg)}`);
const engine: 'cli' | 'store' = engineArg;
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, 'vault-bench-child.ts');
const work = mkdtempSync(join(tmpdir(), 'lv-vault-bench-'));
const disk = join(work, 'disk.raw');
const cli = new LabvaultCliSession(join(work, 'labvault-home'), join(work, 'repo-labvault'), encrypt);

type Tool = 'labvault' | 'restic' | 'borg';
const TOOLS: Tool[] = ['labvault', 'restic', 'borg'];
const repo = (tool: Tool): string => join(work, `repo-${tool}`);
const env = {
  RESTIC_PASSWORD: 'bench', RESTIC_CACHE_DIR: join(work, 'restic-cache'),
  BORG_PASSPHRASE: '', BORG_BASE_DIR: join(work, 'borg-base'), BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes', BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
};

function treeBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += treeBytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

function storedBytes(tool: Tool): number {
  return treeBytes(tool === 'labvault' ? join(repo(tool), 'data') : repo(tool));
}

async function init(tool: Tool): Promise<void> {
  if (tool === 'restic') await runTimed('restic', ['-r', repo(tool), 'init', '--repository-version', '2'], env);
  if (tool === 'borg') await runTimed('borg', ['init', '-e', 'none', repo(tool)], env);
  if (tool === 'labvault' && engine === 'store') mkdirSync(repo(tool));
  if (tool === 'labvault' && engine === 'cli') await cli.setUp(disk);
}

/** Flushes other tools' dirty pages first, so no run pays for another's writeback. */
async function settle(): Promise<void> {
  await runTimed('sync', []);
}

async function backup(tool: Tool, point: string): Promise<TimedRun> {
  await settle();
  if (tool === 'restic') return runTimed('restic', ['-r', repo(tool), 'backup', '--host', 'bench', '--quiet', disk], env);
  if (tool === 'borg') return runTimed('sh', ['-c', `cd "${work}" && borg create --compression zstd,3 "${repo(tool)}::${point}" disk.raw`], env);
  if (engine === 'cli') return cli.backup();
  return runTimed(process.execPath, [child, 'backup', repo(tool), disk, point, ...(encrypt ? ['--encrypt'] : [])]);
}

async function restore(tool: Tool, point: string): Promise<TimedRun> {
  const target = join(work, `restore-${tool}`);
  if (tool === 'labvault' && engine === 'cli') {
    const pointId = await cli.latestPointId();
    await settle();
    return cli.restore(pointId, target);
  }
  mkdirSync(target);
  await settle();
  // Timed until the restored data is on disk: Labvault fsyncs what it restores, the peers
  // do not, so their runs end with `sync`.
  if (tool === 'restic') return runTimed('sh', ['-c', `restic -r "${repo(tool)}" restore latest --target "${target}" && sync`], env);
  if (tool === 'borg') return runTimed('sh', ['-c', `cd "${target}" && borg extract --sparse "${repo(tool)}::${point}" && sync`], env);
  return runTimed(process.execPath, [child, 'restore', repo(tool), point, join(target, 'disk.raw')]);
}

interface Row { label: string; unit: string; values: Record<Tool, number>; lowerIsBetter: boolean; target?: string }

function printTable(rows: Row[]): void {
  const head = ['measure', ...TOOLS, 'labvault vs best peer', 'target'];
  const lines = [head, ...rows.map((row) => {
    const peers = TOOLS.filter((t) => t !== 'labvault').map((t) => row.values[t]);
    const best = row.lowerIsBetter ? Math.min(...peers) : Math.max(...peers);
    const ours = row.values.labvault;
    const ratio = row.unit === 's'
      ? `${(best / Math.max(ours, 1e-3)).toFixed(2)}x ${row.label.includes('CPU') ? 'less CPU' : 'faster'}`
      : `${(ours / Math.max(best, 1e-9)).toFixed(3)}x of best`;
    return [`${row.label} (${row.unit})`, ...TOOLS.map((t) => row.values[t].toFixed(row.unit === 's' ? 2 : 1)), ratio, row.target ?? ''];
  })];
  const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  for (const [n, line] of lines.entries()) {
    console.log(`| ${line.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`);
    if (n === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  }
}

async function chunkSizeStudy(): Promise<void> {
  const size = Math.min(1, sizeGib) * GIB;
  const writes = 256;
  console.log(`\nChunk size study (store API; the CLI has no chunk-size option): ${size / MIB} MiB disk, day 2 = ${writes} scattered 4 KiB writes (${(writes * 4096 / MIB).toFixed(1)} MiB changed)`);
  for (const chunkSize of [256 * 1024, 1024 * 1024, 4 * 1024 * 1024]) {
    const dir = join(work, `study-${chunkSize}`);
    const file = join(work, `study-${chunkSize}.raw`);
    await writeBenchDisk(file, size);
    await runTimed(process.execPath, [child, 'backup', dir, file, 'day1', '--chunk-size', String(chunkSize)]);
    const before = treeBytes(join(dir, 'data'));
    await scatterSmallWrites(file, size, writes, 'study');
    await settle();
    const run = await runTimed(process.execPath, [child, 'backup', dir, file, 'day2', '--chunk-size', String(chunkSize)]);
    const delta = treeBytes(join(dir, 'data')) - before;
    console.log(`  chunk ${chunkSize / 1024} KiB: day-2 stored ${(delta / MIB).toFixed(1)} MiB, full vault ${(before / MIB).toFixed(1)} MiB, incremental ${run.seconds.toFixed(2)} s`);
    rmSync(dir, { recursive: true, force: true });
    rmSync(file, { force: true });
  }
}

async function main(): Promise<void> {
  if (engine === 'cli') await ensureCliBundle();
  console.log(`Vault bench: ${sizeGib} GiB disk in ${work}; Labvault through ${engine === 'cli' ? 'the CLI bundle out/cli/labvault.mjs' : 'the store API (vault-bench-child.ts)'}${encrypt ? ', encrypted' : ''}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  await writeBenchDisk(disk, sizeGib * GIB);
  const results: Record<string, Record<Tool, TimedRun>> = { full: {} as Record<Tool, TimedRun>, incremental: {} as Record<Tool, TimedRun>, newFile: {} as Record<Tool, TimedRun>, unchanged: {} as Record<Tool, TimedRun>, restore: {} as Record<Tool, TimedRun> };
  const sizes: Record<string, Record<Tool, number>> = { full: {} as Record<Tool, number>, incremental: {} as Record<Tool, number>, newFile: {} as Record<Tool, number> };
  for (const tool of TOOLS) {
    await init(tool);
    results.full![tool] = await backup(tool, 'day1');
    sizes.full![tool] = storedBytes(tool);
    console.log(`  full ${tool}: ${results.full![tool].seconds.toFixed(2)} s, peak RSS ${results.full![tool].peakRssMiB.toFixed(0)} MiB`);
  }
  const changed = await rewriteRegions(disk, changedRegions(sizeGib * GIB, 0.02, 'day2'), 'day2');
  console.log(`  day 2: ${(changed / MIB).toFixed(0)} MiB rewritten in place`);
  for (const tool of TOOLS) {
    results.incremental![tool] = await backup(tool, 'day2');
    sizes.incremental![tool] = storedBytes(tool) - sizes.full![tool];
    console.log(`  incremental (in place) ${tool}: ${results.incremental![tool].seconds.toFixed(2)} s, peak RSS ${results.incremental![tool].peakRssMiB.toFixed(0)} MiB`);
  }
  // Day 3: a copy of the disk gets another 2% and is renamed over it (new inode).
  const copy = join(work, 'disk.day3.raw');
  await runTimed('cp', ['--sparse=always', disk, copy]);
  const changed3 = await rewriteRegions(copy, changedRegions(sizeGib * GIB, 0.02, 'day3'), 'day3');
  renameSync(copy, disk);
  console.log(`  day 3: ${(changed3 / MIB).toFixed(0)} MiB rewritten in a copy renamed over the disk`);
  for (const tool of TOOLS) {
    const before = storedBytes(tool);
    results.newFile![tool] = await backup(tool, 'day3');
    sizes.newFile![tool] = storedBytes(tool) - before;
    console.log(`  incremental (new file) ${tool}: ${results.newFile![tool].seconds.toFixed(2)} s, peak RSS ${results.newFile![tool].peakRssMiB.toFixed(0)} MiB`);
  }
  for (const tool of TOOLS) {
    results.unchanged![tool] = await backup(tool, 'day3b');
    console.log(`  unchanged ${tool}: ${results.unchanged![tool].seconds.toFixed(2)} s, peak RSS ${results.unchanged![tool].peakRssMiB.toFixed(0)} MiB`);
  }
  for (const tool of TOOLS) {
    results.restore![tool] = await restore(tool, 'day3b');
    console.log(`  restore ${tool}: ${results.restore![tool].seconds.toFixed(2)} s, peak RSS ${results.restore![tool].peakRssMiB.toFixed(0)} MiB`);
  }
  const statsStored = engine === 'cli' ? ` (vault stats storedBytes ${((await cli.statsStoredBytes()) / MIB).toFixed(1)} MiB)` : '';
  const restored = join(work, 'restore-labvault', 'disk.raw');
  await runTimed('cmp', [disk, restored]);
  const pick = (phase: string, f: (r: TimedRun) => number): Record<Tool, number> => Object.fromEntries(TOOLS.map((t) => [t, f(results[phase]![t])])) as Record<Tool, number>;
  const rss = Object.fromEntries(TOOLS.map((t) => [t, Math.max(...Object.values(results).map((r) => r[t].peakRssMiB))])) as Record<Tool, number>;
  console.log(`\nResults (Labvault engine: ${engine}; ${sizeGib} GiB disk, ${(changed / MIB).toFixed(0)} MiB changed on day 2, ${(changed3 / MIB).toFixed(0)} MiB on day 3${statsStored}; restored file checked bit-exact with cmp; ${cpus().length} cores, load average now ${loadavg().map((l) => l.toFixed(1)).join(' ')}):\n`);
  printTable([
    { label: 'full backup', unit: 's', values: pick('full', (r) => r.seconds), lowerIsBetter: true, target: '>= 2x' },
    { label: 'incremental (in place)', unit: 's', values: pick('incremental', (r) => r.seconds), lowerIsBetter: true, target: '>= 3x' },
    { label: 'incremental (new file)', unit: 's', values: pick('newFile', (r) => r.seconds), lowerIsBetter: true },
    { label: 'unchanged', unit: 's', values: pick('unchanged', (r) => r.seconds), lowerIsBetter: true, target: '< 0.5 s' },
    { label: 'restore', unit: 's', values: pick('restore', (r) => r.seconds), lowerIsBetter: true, target: '>= 2.5x' },
    { label: 'full backup CPU', unit: 's', values: pick('full', (r) => r.cpuSeconds), lowerIsBetter: true },
    { label: 'incremental (in place) CPU', unit: 's', values: pick('incremental', (r) => r.cpuSeconds), lowerIsBetter: true },
    { label: 'incremental (new file) CPU', unit: 's', values: pick('newFile', (r) => r.cpuSeconds), lowerIsBetter: true },
    { label: 'restore CPU', unit: 's', values: pick('restore', (r) => r.cpuSeconds), lowerIsBetter: true },
    { label: 'stored after full', unit: 'MiB', values: Object.fromEntries(TOOLS.map((t) => [t, sizes.full![t] / MIB])) as Record<Tool, number>, lowerIsBetter: true, target: '<= 1.05x' },
    { label: 'day-2 stored (in place)', unit: 'MiB', values: Object.fromEntries(TOOLS.map((t) => [t, sizes.incremental![t] / MIB])) as Record<Tool, number>, lowerIsBetter: true, target: `<= ${(1.2 * changed / MIB).toFixed(0)} MiB` },
    { label: 'day-3 stored (new file)', unit: 'MiB', values: Object.fromEntries(TOOLS.map((t) => [t, sizes.newFile![t] / MIB])) as Record<Tool, number>, lowerIsBetter: true, target: `<= ${(1.2 * changed3 / MIB).toFixed(0)} MiB` },
    { label: 'peak RSS', unit: 'MiB', values: rss, lowerIsBetter: true, target: '< 250 MiB' },
  ]);
  if (!args.includes('--skip-chunk-study')) await chunkSizeStudy();
}

try {
  await main();
} finally {
  if (!args.includes('--keep')) rmSync(work, { recursive: true, force: true });
}
