/**
 * Crash safety: `labvault backup` killed with SIGKILL at many moments (startup, snapshot,
 * chunk writes, index/manifest commit, catalog update). After each kill the vault verifies
 * clean reading every byte, only whole points are listed, earlier points restore bit-exact,
 * the killed job is not left "in progress" forever, and the next backup succeeds (the dead
 * process's locks are cleared, its transfer lock does not make the next transfer skip,
 * and GC is not blocked by them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { Job, Point, VerifyReport } from '../../../shared/contract/item-models.ts';
import { Engine } from '../../../electron/engine/engine.ts';
import { startCli } from '../../support/cli-runner.ts';
import { Lab, MIB, expectSameFile, overwriteRandom, sha256File, transferOf, writeRandomFile } from './vault-engine-kit.ts';

const KILLS = 10;
const DISK_SIZE = 64 * MIB;
const lab = new Lab('crash');
let disk: string;
let vaultDir: string;
/** Content hash of the disk as each point captured it. */
const expected = new Map<string, string>();
/** How long the first backup's transfer took (spreads the kill delays; never asserted). */
let transferMs = 1000;
let itemId = '';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function changeDisk(round: number): Promise<string> {
  await overwriteRandom(disk, ((round * 7) % 48) * MIB + 512, 16 * MIB);
  const later = new Date(Date.now() + (round + 1) * 2000);
  utimesSync(disk, later, later);
  return sha256File(disk);
}

/** The points, listed in process by a fresh engine (it reconciles the catalog as a new CLI run does). */
async function listPointsInProcess(): Promise<Point[]> {
  const engine = new Engine({ appHome: lab.home, face: 'cli' });
  try {
    return await engine.handlers.points.list({ item: 'vm-crash' });
  } finally {
    await engine.close();
  }
}

/** `labvault verify crash --read-data` exits 0. */
async function verifyClean(): Promise<void> {
  const result = await lab.cli(['verify', 'crash', '--read-data', '--json']);
  const report = result.json<VerifyReport>();
  expect(report.problems, result.stdout).toEqual([]);
  expect(result.code).toBe(0);
  expect(report.ok).toBe(true);
}

beforeAll(async () => {
  disk = join(lab.vmDir, 'disk.raw');
  await writeRandomFile(disk, DISK_SIZE);
  vaultDir = await lab.createVault('crash');
  await lab.protect('crash', 'vm-crash', [disk]);
  const job = await lab.backup('vm-crash');
  const transfer = transferOf(job);
  transferMs = Math.max(200, Date.parse(transfer.endedAt ?? '') - Date.parse(transfer.startedAt ?? '') || 0);
  itemId = job.itemId as string;
  expected.set(job.pointId as string, await sha256File(disk));
});

afterAll(() => lab.remove());

describe('kill -9 during backups', () => {
  it(`survives ${KILLS} kills at varied moments`, { timeout: 400_000 }, async () => {
    const outcomes: string[] = [];
    for (let round = 0; round < KILLS; round += 1) {
      const hash = await changeDisk(round);
      // Anchored on the job's phase locks (CLI start-up time varies a lot on a busy machine):
      // round 0 as the snapshot starts, then from the transfer's start to past its end
      // (chunk writes, index and manifest commit, catalog update, exit).
      const anchor = join(vaultDir, 'data', 'phase-locks', `item-${itemId}-${round === 0 ? 'snapshot' : 'transfer'}.lock`);
      const delay = round === 0 ? 0 : Math.round((transferMs * 1.2 * (round - 1)) / (KILLS - 2));
      const run = startCli(lab.home, ['backup', 'vm-crash', '--json']);
      let exited = false;
      void run.result.then(() => { exited = true; });
      // The lock must be this run's: a killed round leaves its own (stale) lock file behind.
      const anchored = () => { try { return (JSON.parse(readFileSync(anchor, 'utf8')) as { pid: number }).pid === run.child.pid; } catch { return false; } };
      for (let poll = 0; poll < 30_000 && !exited && !anchored(); poll += 1) await sleep(2);
      await Promise.race([sleep(delay), run.result]);
      run.child.kill('SIGKILL');
      const result = await run.result;
      outcomes.push(result.signal === 'SIGKILL' ? `killed ${delay} ms into the ${round === 0 ? 'snapshot' : 'transfer'}` : `finished (exit ${String(result.code)})`);

      const [points] = await Promise.all([listPointsInProcess(), verifyClean()]);
      for (const point of points) {
        if (!expected.has(point.id)) {
          // Only the killed run can have made it: it committed its manifest before dying.
          expect(point.logicalBytes).toBe(DISK_SIZE);
          expected.set(point.id, hash);
          const restored = await lab.restore('vm-crash', point.id);
          expect(await sha256File(join(restored, 'disk.raw'))).toBe(hash);
        }
      }
      // Every listed point is whole, and every committed point is listed.
      const manifests = readdirSync(join(vaultDir, 'data', 'manifests', points[0]?.itemId ?? '')).filter((name) => !name.startsWith('.'));
      expect(points.map((point) => point.id).sort()).toEqual(manifests.sort());
      expect([...expected.keys()].sort()).toEqual(manifests.sort());

      if (round === 4) {
        // GC right after a kill: the dead process's locks do not block it; it removes the
        // chunks the killed backup left unreferenced (the next round's verify reads all).
        const gc = await lab.cli(['gc', '--vault', 'crash', '--json']);
        expect(gc.code, gc.stderr).toBe(0);
      }
      if (round % 3 === 2) {
        // The next backup succeeds, its transfer not skipped for a dead process's lock.
        const job = await lab.backup('vm-crash');
        expect(transferOf(job).status).toBe('completed');
        expected.set(job.pointId as string, hash);
      }
    }
    console.log(`crash rounds: ${outcomes.join('; ')}`);
    expect(outcomes.filter((outcome) => outcome.startsWith('killed')).length).toBeGreaterThanOrEqual(KILLS / 2);

    // The killed jobs do not stay "in progress" forever.
    const jobs = await lab.cliJson<Job[]>(['jobs', 'list', '--item', 'vm-crash']);
    expect(jobs.filter((job) => job.status === 'in-progress' || job.status === 'queued')).toEqual([]);
    const states = jobs.map((job) => job.error?.message.startsWith('Interrupted') ? `interrupted in ${job.subtasks.find((subtask) => subtask.status === 'failed')?.name ?? '?'}` : job.status);
    console.log(`jobs (kill rounds and checks): ${JSON.stringify(Object.fromEntries([...new Set(states)].map((state) => [state, states.filter((other) => other === state).length])))}`);

    // A last backup carries the latest change; the first point and the newest restore bit-exact.
    const last = await lab.backup('vm-crash');
    expect(transferOf(last).status).toBe('completed');
    const points = await lab.points('vm-crash');
    const oldest = points[points.length - 1] as Point;
    await expectSameFile(join(await lab.restore('vm-crash', last.pointId as string), 'disk.raw'), disk);
    expect(await sha256File(join(await lab.restore('vm-crash', oldest.id), 'disk.raw'))).toBe(expected.get(oldest.id));
    await verifyClean();
  });
});
