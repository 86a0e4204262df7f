/**
 * kill -9 during `labvault gc`: each round makes fresh garbage (a backup of new content,
 * then its point deleted), starts GC in a child process, kills it once it holds the
 * exclusive vault lock (after a few more milliseconds, varied per round), and checks the
 * vault verifies clean with every byte read (in process each round; `labvault verify
 * --read-data` at the end). Bounded: 8 rounds.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../electron/engine/engine.ts';
import { runCli, startCli } from '../../support/cli-runner.ts';
import { ITEM_NAME, makeSchedulingFixture, VAULT_NAME, type SchedulingFixture } from './scheduling-fixture.ts';

const ROUNDS = 8;
const KILL_DELAYS_MS = [0, 1, 2, 4, 6, 9, 14, 20];
const POLL_MS = 1;
const TEST_TIMEOUT_MS = 300_000;
const DISK_BYTES = 12 * 1024 * 1024;
const NIGHTLY = { name: 'nightly', timeZone: 'UTC', schedule: { frequency: 'daily', time: '02:00' }, retention: { daily: { days: 7 } } };

let fixture: SchedulingFixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

async function makeGarbage(engine: Engine, f: SchedulingFixture, seed: number): Promise<void> {
  f.writeDisk(seed, DISK_BYTES);
  const job = await (await engine.backups.start(ITEM_NAME)).done;
  expect(job.status).toBe('completed');
  await engine.handlers.points.delete({ item: ITEM_NAME, point: job.pointId ?? '' });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('kill -9 during garbage collection', () => {
  it(`leaves a vault that verifies clean (${ROUNDS} rounds)`, async () => {
    const f = fixture = await makeSchedulingFixture({ start: new Date().toISOString(), policy: NIGHTLY, vault: { softDeleteEnabled: false }, diskBytes: DISK_BYTES });
    const lockPath = join(f.vaultDir, 'data', 'lock');
    // A point that stays: its chunks must survive every interrupted GC.
    const kept = await (await f.engine.backups.start(ITEM_NAME)).done;
    expect(kept.status).toBe('completed');
    let killedInGc = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      await makeGarbage(f.engine, f, 1000 + round);
      const child = startCli(f.home, ['gc', '--vault', VAULT_NAME]);
      let exited = false;
      void child.result.then(() => { exited = true; });
      while (!exited && !existsSync(lockPath)) await sleep(POLL_MS);
      if (!exited) {
        await sleep(KILL_DELAYS_MS[round] ?? 0);
        if (!exited) {
          child.child.kill('SIGKILL');
          killedInGc += 1;
        }
      }
      const result = await child.result;
      expect(result.signal === 'SIGKILL' || result.code === 0).toBe(true);
      // The same check as `labvault verify V --read-data` (run as a CLI at the end), in process to keep rounds cheap.
      const report = await f.engine.handlers.vaults.verify({ name: VAULT_NAME, readData: true });
      expect(report.ok, `round ${round}: ${JSON.stringify(report.problems)}`).toBe(true);
    }
    // A GC that runs to its end afterwards finishes the sweep; the kept point still restores.
    const final = await runCli(f.home, ['gc', '--vault', VAULT_NAME, '--json']);
    expect(final.code, final.stderr).toBe(0);
    const restore = await runCli(f.home, ['restore', 'disks', ITEM_NAME, '--point', kept.pointId ?? '', '--to', join(f.root, 'restored')]);
    expect(restore.code, restore.stderr).toBe(0);
    const verify = await runCli(f.home, ['verify', VAULT_NAME, '--read-data']);
    expect(verify.code).toBe(0);
    console.info(`kill -9 during GC: ${killedInGc} of ${ROUNDS} rounds killed while GC held the vault lock`);
    expect(killedInGc).toBeGreaterThan(0);
  }, TEST_TIMEOUT_MS);
});
