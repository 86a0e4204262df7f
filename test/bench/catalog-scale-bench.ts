/**
 * Catalog-scale bench (`npm run bench -- catalog`): a vault holding 1,000 recovery points of
 * one 16 GiB item, and how long `points list`, `item show`, prune, purge, GC, verify and
 * `vault stats` take on it, each as its own process with wall time and peak RSS. Not a test.
 *   node test/bench/catalog-scale-bench.ts [--points 1000] [--checkpoint 100] [--size 16G]
 *     [--regions 32] [--keep]
 *
 * Setup, as a user would, through the built CLI bundle (out/cli/labvault.mjs, rebuilt when
 * older than the sources): vault create (soft delete 14 days), a policy (every 6 hours,
 * daily points kept 150 days, Sundays 26 weeks), protect a sparse disk of --size holding
 * --regions 1 MiB data regions at spread offsets, `labvault backup` for the first point.
 * Then the other points through the store's own API (catalog-scale-points.ts: one or two
 * regions rewritten per point, backupFile with the previous index, commitPoint with a
 * manifest shaped like the real one), createdAt one every 6 hours back from now, so the
 * oldest are past the policy's 150 days and prune has work. At --checkpoint points the
 * read-only commands are measured once too, to show how memory and time grow with points.
 * Purge needs the 14 soft-delete days to pass and the CLI has no clock option: that step
 * runs the same prune channel on an engine with an injected clock (catalog-scale-purge.ts).
 */
import { mkdtempSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { randomFillSync } from 'node:crypto';
import { join, dirname } from 'node:path';
import { tmpdir, loadavg, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { runTimed } from './timed-command.ts';
import type { TimedRun } from './timed-command.ts';
import { CLI_BUNDLE, ensureCliBundle } from './labvault-cli-session.ts';
import { parseSize } from './bench-size.ts';
import { REGION, addSimulatedPoints } from './catalog-scale-points.ts';

const args = process.argv.slice(2);
const numberFlag = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} takes a whole number, not "${args[at + 1]}"`);
  return value;
};
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const HOURS_6 = 6 * 3600_000;
const DAY = 86_400_000;
const pointCount = numberFlag('--points', 1000);
const checkpoint = Math.min(numberFlag('--checkpoint', 100), pointCount);
const regionCount = numberFlag('--regions', 32);
const size = parseSize(args, 16 * GIB);
const SOFT_DELETE_DAYS = 14;
const DAILY_DAYS = 150;
const VAULT = 'catalog-bench';
const ITEM = 'big-vm';
const here = dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'lv-catalog-bench-'));
const home = join(work, 'home');
const vaultDir = join(work, 'vault');
const disk = join(work, 'disk.raw');
const env = { LABVAULT_HOME: home };

interface Row { label: string; run: TimedRun; result: string }
const rows: Row[] = [];

function cli(argv: string[]): Promise<TimedRun> {
  return runTimed(process.execPath, [CLI_BUNDLE, ...argv], env);
}

async function measure(label: string, argv: string[], result: (stdout: string) => string): Promise<TimedRun> {
  const run = await cli(argv);
  const row = { label, run, result: result(run.stdout) };
  rows.push(row);
  console.log(`  ${label}: ${run.seconds.toFixed(2)} s, CPU ${run.cpuSeconds.toFixed(2)} s, peak RSS ${run.peakRssMiB.toFixed(0)} MiB; ${row.result}`);
  return run;
}

const json = <T>(stdout: string): T => JSON.parse(stdout) as T;

async function writeSparseDisk(): Promise<number[]> {
  const handle = await open(disk, 'w');
  const regions: number[] = [];
  const stride = Math.floor(size / regionCount / REGION) * REGION;
  if (stride < REGION) throw new Error(`--regions ${regionCount} do not fit in ${size} bytes`);
  const data = Buffer.alloc(REGION);
  try {
    await handle.truncate(size);
    for (let i = 0; i < regionCount; i += 1) {
      randomFillSync(data);
      await handle.write(data, 0, REGION, i * stride);
      regions.push(i * stride);
    }
  } finally {
    await handle.close();
  }
  return regions;
}

function treeFigures(path: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) {
      const inner = treeFigures(full);
      files += inner.files;
      bytes += inner.bytes;
    } else if (entry.isFile()) {
      files += 1;
      bytes += statSync(full).size;
    }
  }
  return { files, bytes };
}

function vaultFigures(): string {
  const data = join(vaultDir, 'data');
  const manifests = treeFigures(join(data, 'manifests'));
  const deleted = treeFigures(join(data, 'manifests-deleted'));
  const indexes = treeFigures(join(data, 'indexes'));
  const chunks = treeFigures(join(data, 'chunks'));
  const onDisk = Number(execFileSync('du', ['-s', '--block-size=1', vaultDir], { encoding: 'utf8' }).split(/\s/)[0]);
  const catalog = statSync(join(vaultDir, 'catalog.sqlite')).size;
  return `${manifests.files} live manifests (${(manifests.bytes / 1024).toFixed(0)} KiB), ${deleted.files} files in manifests-deleted, `
    + `${indexes.files} indexes (${(indexes.bytes / 1024).toFixed(0)} KiB on disk, ${((size / REGION) * 32 / 1024).toFixed(0)} KiB each in memory), `
    + `${chunks.files} chunks (${(chunks.bytes / MIB).toFixed(0)} MiB), vault ${(onDisk / MIB).toFixed(0)} MiB on disk, catalog.sqlite ${(catalog / MIB).toFixed(1)} MiB`;
}

/** createdAt of the simulated points: one every 6 hours on the policy's slots, oldest first, the newest 6 h before `now`. */
function pointTimes(now: number, count: number): Date[] {
  const newest = Math.floor(now / HOURS_6) * HOURS_6 - (now % HOURS_6 === 0 ? HOURS_6 : 0);
  return Array.from({ length: count }, (_, i) => new Date(newest - (count - 1 - i) * HOURS_6));
}

async function readOnlyCommands(points: number, itemId: string): Promise<void> {
  await measure(`points list --json (${points} points; first command after they were added: reconcile on open)`,
    ['points', 'list', ITEM, '--json'], (out) => `${json<unknown[]>(out).length} points`);
  await measure(`points list --json (${points} points)`, ['points', 'list', ITEM, '--json'], (out) => `${json<unknown[]>(out).length} points`);
  await measure(`item show --json (${points} points)`, ['item', 'show', ITEM, '--json'], (out) => `item ${json<{ id: string }>(out).id === itemId ? 'ok' : '?'}`);
  await measure(`verify (structure, ${points} points)`, ['verify', VAULT, '--json'], (out) => {
    const report = json<{ ok?: boolean; problems?: unknown[] }>(out);
    return `${report.problems?.length ?? 0} problems`;
  });
  await measure(`vault stats --json (${points} points)`, ['vault', 'stats', VAULT, '--json'], (out) => {
    const stats = json<{ storedBytes?: number }>(out);
    return `stored ${((stats.storedBytes ?? 0) / MIB).toFixed(0)} MiB`;
  });
}

function printTable(): void {
  const head = ['command', 'seconds', 'CPU s', 'peak RSS MiB', 'result'];
  const lines = rows.map((row) => [row.label, row.run.seconds.toFixed(2), row.run.cpuSeconds.toFixed(2), row.run.peakRssMiB.toFixed(0), row.result]);
  const all = [head, ...lines];
  const widths = head.map((_, i) => Math.max(...all.map((line) => line[i]!.length)));
  for (const [n, line] of all.entries()) {
    console.log(`| ${line.map((value, i) => value.padEnd(widths[i]!)).join(' | ')} |`);
    if (n === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  }
}

async function main(): Promise<void> {
  await ensureCliBundle();
  const loadStart = loadavg();
  console.log(`Catalog-scale bench: ${pointCount} points of one ${(size / GIB).toFixed(0)} GiB sparse disk `
    + `(${regionCount} MiB of data in ${regionCount} regions), in ${work}; load average ${loadStart.map((l) => l.toFixed(1)).join(' ')}`);
  const regions = await writeSparseDisk();
  await cli(['vault', 'create', '--name', VAULT, '--path', vaultDir, '--soft-delete-days', String(SOFT_DELETE_DAYS), '--json']);
  const policyFile = join(work, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({
    name: 'every-6h', timeZone: 'UTC',
    schedule: { frequency: 'hourly', everyHours: 6, windowStart: '00:00', windowHours: 24 },
    retention: { daily: { days: DAILY_DAYS }, weekly: { weeks: 26, day: 'sunday' } },
  }));
  await cli(['policy', 'create', '--vault', VAULT, '--file', policyFile, '--json']);
  await cli(['protect', '--vault', VAULT, '--name', ITEM, '--policy', 'every-6h', disk, '--json']);
  const itemId = json<{ id: string }>((await cli(['item', 'show', ITEM, '--json'])).stdout).id;
  const first = await measure('backup (the first point, a real backup job)', ['backup', ITEM, '--json'],
    (out) => `job ${json<{ status: string }>(out).status}`);
  if (json<{ status: string }>(first.stdout).status !== 'completed') throw new Error(`first backup: ${first.stdout}`);

  const times = pointTimes(Date.now(), pointCount - 1);
  const progress = (done: number, total: number): void => {
    if (done % 100 === 0 || done === total) console.log(`    ${done}/${total} simulated points added`);
  };
  const history = { appHome: home, vault: VAULT, itemId, disk, regions, dailyDays: DAILY_DAYS, onProgress: progress };
  const early = await addSimulatedPoints({ ...history, times: times.slice(0, checkpoint - 1) });
  console.log(`  ${checkpoint - 1} points added through the store API in ${early.toFixed(1)} s`);
  if (checkpoint < pointCount) {
    console.log(`  at ${checkpoint} points: ${vaultFigures()}`);
    await readOnlyCommands(checkpoint, itemId);
    const late = await addSimulatedPoints({ ...history, times: times.slice(checkpoint - 1) });
    console.log(`  ${pointCount - checkpoint} more points added through the store API in ${late.toFixed(1)} s`);
  }
  const figures = vaultFigures();
  console.log(`  at ${pointCount} points: ${figures}`);
  await readOnlyCommands(pointCount, itemId);
  await measure('vault rebuild-catalog --json', ['vault', 'rebuild-catalog', VAULT, '--json'],
    (out) => `${json<{ points: number }>(out).points} points indexed`);
  await measure('points list --json (after the rebuild)', ['points', 'list', ITEM, '--json'], (out) => `${json<unknown[]>(out).length} points`);
  type Prune = { expired: unknown[]; kept: number; purged: number };
  await measure('prune --dry-run --json', ['prune', '--vault', VAULT, '--dry-run', '--json'],
    (out) => `${json<Prune>(out).expired.length} would be removed, ${json<Prune>(out).kept} kept`);
  await measure('prune --json (expired points to soft delete)', ['prune', '--vault', VAULT, '--json'],
    (out) => `${json<Prune>(out).expired.length} soft-deleted, ${json<Prune>(out).kept} kept, ${json<Prune>(out).purged} purged`);
  await measure('points list --all --json (soft-deleted too)', ['points', 'list', ITEM, '--all', '--json'], (out) => `${json<unknown[]>(out).length} points`);
  const later = new Date(Date.now() + (SOFT_DELETE_DAYS + 1) * DAY).toISOString();
  const purge = await runTimed(process.execPath, [join(here, 'catalog-scale-purge.ts'), home, VAULT, later], env);
  const purged = json<Prune>(purge.stdout);
  rows.push({ label: `prune, clock +${SOFT_DELETE_DAYS + 1} days (engine from sources, injected clock)`, run: purge,
    result: `${purged.purged} purged, ${purged.expired.length} more soft-deleted, ${purged.kept} kept` });
  console.log(`  purge: ${purge.seconds.toFixed(2)} s, peak RSS ${purge.peakRssMiB.toFixed(0)} MiB; ${rows.at(-1)!.result}`);
  await measure('gc --json (after the purge)', ['gc', '--vault', VAULT, '--json'], (out) => {
    const gc = json<{ bytesFreed: number; chunksRemoved: number; indexesRemoved: number; chunksKept: number }>(out);
    return `${gc.chunksRemoved} chunks and ${gc.indexesRemoved} indexes removed (${(gc.bytesFreed / MIB).toFixed(0)} MiB), ${gc.chunksKept} kept`;
  });
  await measure('verify --json (after GC)', ['verify', VAULT, '--json'], (out) => `${json<{ problems?: unknown[] }>(out).problems?.length ?? 0} problems`);
  await measure('vault stats --json (after GC)', ['vault', 'stats', VAULT, '--json'],
    (out) => `stored ${((json<{ storedBytes?: number }>(out).storedBytes ?? 0) / MIB).toFixed(0)} MiB`);
  console.log(`  after GC: ${vaultFigures()}`);

  console.log(`\nCatalog scale: ${pointCount} points of one ${(size / GIB).toFixed(0)} GiB item; each command its own process (the CLI bundle)\n`);
  printTable();
  console.log(`\nConditions: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), shared with other work; load average at start `
    + `${loadStart.map((l) => l.toFixed(1)).join(' ')}, at end ${loadavg().map((l) => l.toFixed(1)).join(' ')}; node ${process.version}; `
    + `vault in ${tmpdir()}; at ${pointCount} points: ${figures}. Policy every 6 h, daily ${DAILY_DAYS} days, Sundays 26 weeks; `
    + `soft delete ${SOFT_DELETE_DAYS} days; peak RSS from /usr/bin/time -v.`);
}

try {
  await main();
} finally {
  if (!args.includes('--keep')) rmSync(work, { recursive: true, force: true });
}
