/**
 * kill -9 inside the writes of a backup and inside the sweep of a GC: the vault must verify
 * clean, every listed point must restore bit-exact, and the next backup must succeed.
 * Each kill is anchored on progress observed before it (a backup child's progress line; the
 * first chunk a GC deleted), and each is classified afterwards from what the child printed
 * or deleted before it died; at least one kill must land inside a write and one inside a sweep.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync, copyFileSync, openSync, writeSync, closeSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deterministicBytes } from '../../support/disk-fixtures.ts';
import { makeVault, backupPoint, restoreAndCompare, TEST_CHUNK } from './store-test-kit.ts';
import type { TestVault } from './store-test-kit.ts';

const CHILD = fileURLToPath(new URL('../../support/store-crash-child.ts', import.meta.url));
const FILE_CHUNKS = 160;
const BACKUP_KILLS = 12;
const GC_KILLS = 4;
/** Garbage chunks watched for a GC's first deletion (the lowest paths: GC sweeps prefixes in order). */
const WATCHED_CHUNKS = 16;
const MAX_POLLS = 2_000_000;

type BackupOutcome = 'finished' | 'killed inside the write' | 'killed inside the commit' | 'killed after the commit';
type GcOutcome = 'finished' | 'killed inside the sweep' | 'killed after the sweep';

let vault: TestVault | undefined;
afterEach(() => vault?.cleanup());

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface ChildRun {
  child: ChildProcess;
  /** Settles on 'close', after stdout ended: every line printed before a kill has been read. */
  exit: Promise<Exit>;
}

/** Starts the crash child; `onLine` sees each stdout line as it arrives. */
function startChild(args: string[], onLine: (line: string) => void = () => undefined): ChildRun {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<Exit>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      const lines = (partial + data.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    child.stderr.on('data', (data: Buffer) => { stderr += data.toString(); });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, exit };
}

function expectCleanExit(exit: Exit, marker: string): void {
  if (exit.code !== 0 || !exit.stdout.includes(marker)) {
    throw new Error(`crash child failed (exit ${String(exit.code ?? exit.signal)}): ${exit.stderr}`);
  }
}

/** Runs a backup child and SIGKILLs it on the first stdout line `anchor` accepts. */
async function backupAndKill(args: string[], anchor: (line: string) => boolean): Promise<BackupOutcome> {
  const run = startChild(args, (line) => {
    if (anchor(line)) run.child.kill('SIGKILL');
  });
  const exit = await run.exit;
  if (exit.signal !== 'SIGKILL') {
    expectCleanExit(exit, 'committed');
    return 'finished';
  }
  // The kill followed a progress line (or "written"), so the child was at least that far.
  const lines = exit.stdout.split('\n');
  if (lines.includes('committed')) return 'killed after the commit';
  return lines.includes('written') ? 'killed inside the commit' : 'killed inside the write';
}

/** Kill anchors spread over the write (a share of the file read), then two in the commit. */
function backupAnchor(round: number): (line: string) => boolean {
  if (round >= BACKUP_KILLS - 2) return (line) => line === 'written';
  const share = (round + 1) / (BACKUP_KILLS - 1);
  return (line) => {
    const [word, done, total] = line.split(' ');
    return word === 'progress' && Number(done) >= share * Number(total);
  };
}

/** Runs a GC child and SIGKILLs it as soon as one of `garbage` (sorted chunk paths) is gone. */
async function gcAndKill(storeDir: string, garbage: string[]): Promise<GcOutcome> {
  let exited = false;
  const run = startChild(['gc', storeDir]);
  void run.exit.then(() => { exited = true; });
  const watched = garbage.slice(0, WATCHED_CHUNKS);
  for (let poll = 0; poll < MAX_POLLS && !exited; poll += 1) {
    if (watched.some((path) => !existsSync(path))) {
      run.child.kill('SIGKILL');
      break;
    }
    await new Promise<void>((resolve) => { setImmediate(resolve); });
  }
  const exit = await run.exit;
  if (exit.signal !== 'SIGKILL') {
    expectCleanExit(exit, 'gc done');
    return 'finished';
  }
  // The kill followed a deletion, so the sweep had started; it was cut short if garbage is left.
  return garbage.some((path) => existsSync(path)) ? 'killed inside the sweep' : 'killed after the sweep';
}

function mutate(path: string, round: number): void {
  const fd = openSync(path, 'r+');
  for (let k = 0; k < 40; k += 1) {
    const chunk = (round * 31 + k * 17) % FILE_CHUNKS;
    writeSync(fd, deterministicBytes(TEST_CHUNK, round * 1000 + k + 1), 0, TEST_CHUNK, chunk * TEST_CHUNK);
  }
  closeSync(fd);
}

/** Every chunk file of the vault (data/chunks/<2 hex>/<id>). */
function chunkFiles(storeDir: string): string[] {
  const chunksDir = join(storeDir, 'data', 'chunks');
  return readdirSync(chunksDir).flatMap((prefix) => readdirSync(join(chunksDir, prefix))
    .filter((name) => /^[0-9a-f]{64}$/.test(name))
    .map((name) => join(chunksDir, prefix, name)));
}

function count<T extends string>(outcomes: T[], outcome: T): number {
  return outcomes.filter((other) => other === outcome).length;
}

describe('vault store crash safety (SIGKILL)', () => {
  // 16 child processes and a full read-back verify after each GC kill: slow on a loaded machine.
  it(`survives ${BACKUP_KILLS} backups and ${GC_KILLS} GCs killed mid-way`, { timeout: 600_000 }, async () => {
    vault = await makeVault();
    const { dir, store, settings } = vault;
    writeFileSync(join(store.dir, 'vault.json'), JSON.stringify({ store: settings }));
    const src = join(dir, 'disk.raw');
    writeFileSync(src, deterministicBytes(FILE_CHUNKS * TEST_CHUNK, 99));
    await backupPoint(store, 'vm1', 'p0', [src]);
    const versions: Record<string, string> = { p0: join(dir, 'v-p0') };
    copyFileSync(src, versions.p0!);

    const backups: BackupOutcome[] = [];
    for (let round = 0; round < BACKUP_KILLS; round += 1) {
      mutate(src, round + 1);
      const pointId = `c${round}`;
      const copy = join(dir, `v-${pointId}`);
      copyFileSync(src, copy);
      backups.push(await backupAndKill(['backup', store.dir, src, 'vm1', pointId], backupAnchor(round)));
      versions[pointId] = copy;
    }
    console.log(`backup kills: ${backups.join('; ')}`);
    expect(count(backups, 'killed inside the write')).toBeGreaterThan(0);
    const report = await store.verify({ readData: true });
    expect(report.problems).toEqual([]);
    const listed = await store.listManifests();
    const committed = count(backups, 'finished') + count(backups, 'killed after the commit');
    expect(listed.length).toBeGreaterThanOrEqual(1 + committed);
    for (const ref of listed) await restoreAndCompare(store, 'vm1', ref.pointId, dir, { 'disk.raw': versions[ref.pointId]! });

    // The next backup succeeds (stale writer locks of killed children are cleared).
    mutate(src, 50);
    await backupPoint(store, 'vm1', 'after', [src]);

    // Each GC round sweeps the chunks of a deleted point of fresh data; only unreferenced
    // chunks may ever disappear.
    for (const ref of listed.filter((r) => r.pointId !== 'p0')) await store.deleteManifest('vm1', ref.pointId);
    const sweeps: GcOutcome[] = [];
    const allGarbage: string[] = [];
    for (let round = 0; round < GC_KILLS; round += 1) {
      const before = new Set(chunkFiles(store.dir));
      const junk = join(dir, `junk-${round}.raw`);
      writeFileSync(junk, deterministicBytes(FILE_CHUNKS * TEST_CHUNK, 5000 + round));
      await backupPoint(store, 'junk', `j${round}`, [junk]);
      await store.deleteManifest('junk', `j${round}`);
      const garbage = chunkFiles(store.dir).filter((path) => !before.has(path)).sort();
      expect(garbage.length).toBeGreaterThan(WATCHED_CHUNKS);
      allGarbage.push(...garbage);
      sweeps.push(await gcAndKill(store.dir, garbage));
      expect((await store.verify({ readData: true })).problems).toEqual([]);
    }
    console.log(`gc kills: ${sweeps.join('; ')}`);
    expect(count(sweeps, 'killed inside the sweep')).toBeGreaterThan(0);

    await store.gc();
    expect(allGarbage.filter((path) => existsSync(path))).toEqual([]);
    expect(readdirSync(join(store.dir, 'data', 'locks'))).toEqual([]);
    expect(readdirSync(join(store.dir, 'data', 'tmp')).filter((name) => !name.startsWith('.tmp-lock-'))).toEqual([]);
    expect((await store.verify({ readData: true })).ok).toBe(true);
    await restoreAndCompare(store, 'vm1', 'p0', dir, { 'disk.raw': versions.p0! });
    await restoreAndCompare(store, 'vm1', 'after', dir, { 'disk.raw': src });
  });
});
