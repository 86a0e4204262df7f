/**
 * GC against backups: a chunk a running backup uses is never removed. The backup is held
 * in its transfer (writer lock taken) while GC is tried in this process, in another process
 * (`labvault gc`), and waited for (`labvault gc --max-wait`); the new point then restores
 * bit-exact. And a GC run by another process between two backups makes the next backup
 * write again the chunks it removed (gc-epoch), so nothing points at a deleted chunk.
 * And a backup killed with -9 (its phase lock left behind) does not block GC forever.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { Engine } from '../../../electron/engine/engine.ts';
import { runGc } from '../../../electron/engine/scheduling/gc-run.ts';
import { runCli, startCli } from '../../support/cli-runner.ts';
import { gateTransfers, ITEM_NAME, makeSchedulingFixture, VAULT_NAME, type SchedulingFixture } from './scheduling-fixture.ts';

const NIGHTLY = { name: 'nightly', timeZone: 'UTC', schedule: { frequency: 'daily', time: '02:00' }, retention: { daily: { days: 7 } } };
const DISK_BYTES = 12 * 1024 * 1024 + 4097;

let fixture: SchedulingFixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

async function backupNow(engine: Engine): Promise<string> {
  const running = await engine.backups.start(ITEM_NAME);
  const job = await running.done;
  expect(job.status).toBe('completed');
  return job.pointId ?? '';
}

async function restoreMatches(engine: Engine, f: SchedulingFixture, pointId: string, to: string): Promise<void> {
  const { jobId } = await engine.handlers.restore.disks({ item: ITEM_NAME, point: pointId, to });
  const job = await (engine.jobs.runningJob(jobId)?.done ?? engine.handlers.jobs.show({ id: jobId }));
  expect(job.status).toBe('completed');
  expect(readFileSync(join(to, 'disk.raw')).equals(readFileSync(f.diskPath))).toBe(true);
}

describe('garbage collection with backups', () => {
  it('never removes a chunk a backup in its transfer uses', async () => {
    const f = fixture = await makeSchedulingFixture({ start: new Date().toISOString(), policy: NIGHTLY, vault: { softDeleteEnabled: false }, diskBytes: DISK_BYTES });
    const engine = f.engine;
    const session = await engine.vaults.session(VAULT_NAME);
    // Point 1, then delete it: its chunks are garbage, and exactly the chunks the next backup of the same file needs.
    const first = await backupNow(engine);
    await engine.handlers.points.delete({ item: ITEM_NAME, point: first });

    const gate = await gateTransfers(engine);
    const running = await engine.backups.start(ITEM_NAME);
    await gate.entered;
    const here = await runGc(engine, session, { waitMs: 0 });
    expect(here.result).toBeNull();
    expect(here.error).toBeInstanceOf(LabvaultError);
    expect((here.error as LabvaultError).code).toBe(ErrorCodes.VAULT_LOCKED);
    expect(here.job.status).toBe('failed');
    const elsewhere = await runCli(f.home, ['gc', '--vault', VAULT_NAME]);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain('VAULT_LOCKED');
    const waiting = startCli(f.home, ['gc', '--vault', VAULT_NAME, '--max-wait', '90', '--json']);
    gate.release();
    const job = await running.done;
    expect(job.status).toBe('completed');
    const waited = await waiting.result;
    expect(waited.code).toBe(0);
    const freed = waited.json<{ chunksRemoved: number; bytesFreed: number }>();
    expect(freed.chunksRemoved).toBe(0); // every chunk of point 1 is used by point 2

    await restoreMatches(engine, f, job.pointId ?? '', join(f.root, 'restored'));
    expect((await engine.handlers.vaults.verify({ name: VAULT_NAME, readData: true })).ok).toBe(true);
  });

  it('makes the next backup rewrite chunks a GC in another process removed', async () => {
    const f = fixture = await makeSchedulingFixture({ start: new Date().toISOString(), policy: NIGHTLY, vault: { softDeleteEnabled: false }, diskBytes: DISK_BYTES });
    const engine = f.engine;
    const first = await backupNow(engine); // this process's store now knows the chunks exist
    await engine.handlers.points.delete({ item: ITEM_NAME, point: first });
    const gc = await runCli(f.home, ['gc', '--vault', VAULT_NAME, '--json']);
    expect(gc.code).toBe(0);
    expect(gc.json<{ bytesFreed: number }>().bytesFreed).toBeGreaterThanOrEqual(12 * 1024 * 1024);
    const second = await backupNow(engine);
    await restoreMatches(engine, f, second, join(f.root, 'restored'));
    const verify = await runCli(f.home, ['verify', VAULT_NAME, '--read-data']);
    expect(verify.code).toBe(0);
  });
});

describe('garbage collection after a killed backup', () => {
  it('clears a phase lock of a dead process, and respects a live one', async () => {
    const f = fixture = await makeSchedulingFixture({ start: new Date().toISOString(), policy: NIGHTLY, vault: { softDeleteEnabled: false } });
    const session = await f.engine.vaults.session(VAULT_NAME);
    const locks = join(f.vaultDir, 'data', 'locks');
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    mkdirSync(locks, { recursive: true });
    const live = join(locks, 'item-live-transfer.lock');
    writeFileSync(live, JSON.stringify({ pid: process.pid, host: hostname(), jobId: 'live', since: new Date().toISOString() }));
    const refused = await runGc(f.engine, session);
    expect((refused.error as LabvaultError).code).toBe(ErrorCodes.VAULT_LOCKED);
    writeFileSync(live, JSON.stringify({ pid: dead, host: hostname(), jobId: 'dead', since: new Date().toISOString() }));
    const done = await runGc(f.engine, session);
    expect(done.result).not.toBeNull();
    expect(existsSync(live)).toBe(false);
  });
});
