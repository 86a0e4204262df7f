/**
 * The scheduler host on a real temp vault with real files and an injected clock: a real
 * backup at its time, one catch-up after a sleep, no double run across a restart or with
 * two hosts, retention through soft delete then purge.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSchedulerHost, type SchedulerHost } from '../../../electron/engine/scheduling/scheduler-host.ts';
import type { Engine } from '../../../electron/engine/engine.ts';
import { gateTransfers, ITEM_NAME, makeSchedulingFixture, VAULT_NAME, type SchedulingFixture } from './scheduling-fixture.ts';

const NIGHTLY = { name: 'nightly', timeZone: 'UTC', schedule: { frequency: 'daily', time: '02:00' }, retention: { daily: { days: 7 } } };
const DAY_MS = 24 * 3600_000;

let fixture: SchedulingFixture | undefined;
const hosts: SchedulerHost[] = [];

afterEach(async () => {
  for (const host of hosts.splice(0)) {
    await host.stop();
    await host.idle();
  }
  await fixture?.cleanup();
  fixture = undefined;
});

function host(engine: Engine, f: SchedulingFixture, lines: string[] = []): SchedulerHost {
  const started = startSchedulerHost(engine, { clock: f.schedulerClock, autoStart: false, log: (line) => lines.push(line), maintenanceEveryMs: 0 });
  hosts.push(started);
  return started;
}

async function backupJobs(engine: Engine) {
  return (await engine.jobs.list(VAULT_NAME, { operation: 'backup' })).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

describe('scheduler host', () => {
  it('runs a real backup at its time, and a single catch-up after a simulated sleep', async () => {
    const f = fixture = await makeSchedulingFixture({ start: '2026-03-10T00:00:00Z', policy: NIGHTLY });
    const scheduler = host(f.engine, f);
    f.clock.set('2026-03-10T01:59:00Z');
    const early = await scheduler.tick();
    expect(early.started).toEqual([]);
    expect(early.nextDueAt?.toISOString()).toBe('2026-03-10T02:00:00.000Z');
    expect(scheduler.ownedVaults()).toEqual([VAULT_NAME]);

    f.clock.set('2026-03-10T02:00:00Z');
    const due = await scheduler.tick();
    expect(due.started.map((run) => [run.kind, run.slot.id])).toEqual([['scheduled', '2026-03-10T02:00@UTC']]);
    await scheduler.idle();
    const jobs = await backupJobs(f.engine);
    expect(jobs.map((job) => [job.trigger, job.status])).toEqual([['scheduled', 'completed']]);
    const points = await f.engine.handlers.points.list({ item: ITEM_NAME });
    expect(points).toHaveLength(1);
    expect(points[0]?.onDemand).toBe(false);
    expect(points[0]?.createdAt).toBe('2026-03-10T02:00:00.000Z');

    f.clock.set('2026-03-10T02:05:00Z');
    expect((await scheduler.tick()).started).toEqual([]);

    // The machine sleeps through four nightly slots: one catch-up, never a burst.
    f.clock.set('2026-03-14T09:00:00Z');
    const woke = await scheduler.tick();
    expect(woke.started.map((run) => [run.kind, run.slot.id, run.missedSlots])).toEqual([['catch-up', '2026-03-14T02:00@UTC', 4]]);
    await scheduler.idle();
    expect((await scheduler.tick()).started).toEqual([]);
    f.clock.set('2026-03-14T12:00:00Z');
    expect((await scheduler.tick()).started).toEqual([]);
    const after = await backupJobs(f.engine);
    expect(after.map((job) => [job.trigger, job.status])).toEqual([['scheduled', 'completed'], ['catch-up', 'completed']]);
    expect(await f.engine.handlers.points.list({ item: ITEM_NAME })).toHaveLength(2);
  });

  it('does not run a slot twice when the engine restarts in the middle of its run', async () => {
    const f = fixture = await makeSchedulingFixture({ start: '2026-03-10T00:00:00Z', policy: NIGHTLY });
    const gate = await gateTransfers(f.engine);
    const first = host(f.engine, f);
    f.clock.set('2026-03-10T02:00:00Z');
    expect((await first.tick()).started).toHaveLength(1);
    await gate.entered;
    // "Restart": the first host goes away while its backup is in its transfer; a new Engine on the same home takes over.
    await first.stop();
    const restarted = f.newEngine();
    const second = host(restarted, f);
    expect((await second.tick()).started).toEqual([]);
    expect(second.ownedVaults()).toEqual([VAULT_NAME]);
    expect((await backupJobs(restarted)).map((job) => job.status)).toEqual(['in-progress']);
    gate.release();
    await first.idle();
    expect((await backupJobs(restarted)).map((job) => job.status)).toEqual(['completed']);
    f.clock.set('2026-03-10T03:00:00Z');
    expect((await second.tick()).started).toEqual([]);
    // Even with the catalog's slot row and job history gone (a rebuilt catalog), the slot file remembers.
    const session = await restarted.vaults.session(VAULT_NAME);
    session.catalog.prepare('DELETE FROM schedule_slots').run();
    session.catalog.prepare('DELETE FROM jobs').run();
    expect((await second.tick()).started).toEqual([]);
    f.clock.set('2026-03-11T02:00:00Z');
    expect((await second.tick()).started.map((run) => run.slot.id)).toEqual(['2026-03-11T02:00@UTC']);
    await second.idle();
    expect(await restarted.handlers.points.list({ item: ITEM_NAME })).toHaveLength(2);
  });

  it('lets only one of two scheduler hosts run a vault, and the other take over when it stops', async () => {
    const f = fixture = await makeSchedulingFixture({ start: '2026-03-10T00:00:00Z', policy: NIGHTLY });
    const linesA: string[] = [];
    const linesB: string[] = [];
    const a = host(f.engine, f, linesA);
    const b = host(f.newEngine(), f, linesB);
    await a.tick();
    await b.tick();
    expect(a.ownedVaults()).toEqual([VAULT_NAME]);
    expect(b.ownedVaults()).toEqual([]);
    expect(linesB.filter((line) => line.includes('another scheduler owns vault'))).toHaveLength(1);
    f.clock.set('2026-03-10T02:00:00Z');
    const [ranA, ranB] = await Promise.all([a.tick(), b.tick()]);
    expect(ranA.started.length + ranB.started.length).toBe(1);
    expect(ranB.started).toEqual([]);
    expect(linesB.filter((line) => line.includes('another scheduler owns vault'))).toHaveLength(1); // logged once, re-checked quietly
    await a.idle();
    await a.stop();
    expect((await b.tick()).started).toEqual([]);
    expect(b.ownedVaults()).toEqual([VAULT_NAME]);
    expect(linesB.some((line) => line.includes('the other scheduler has ended'))).toBe(true);
    expect(await backupJobs(f.engine)).toHaveLength(1);
  });

  it('waits for a locked encrypted vault, then schedules it with its slot file sealed', async () => {
    const f = fixture = await makeSchedulingFixture({ start: '2026-03-10T00:00:00Z', policy: NIGHTLY, vault: { passphrase: 'correct horse battery staple' } });
    let passphrase: string | null = null; // none yet: the vault stays locked
    const restarted = f.newEngine({ passphraseSource: async () => passphrase }); // a fresh keyring
    const lines: string[] = [];
    const scheduler = host(restarted, f, lines);
    f.clock.set('2026-03-10T02:00:00Z');
    expect((await scheduler.tick()).started).toEqual([]);
    expect((await scheduler.tick()).started).toEqual([]);
    expect(lines.filter((line) => line.includes('is encrypted and locked'))).toHaveLength(1);
    passphrase = 'correct horse battery staple';
    f.clock.set('2026-03-10T02:01:00Z');
    expect((await scheduler.tick()).started.map((run) => run.slot.id)).toEqual(['2026-03-10T02:00@UTC']);
    await scheduler.idle();
    expect((await backupJobs(restarted)).map((job) => job.status)).toEqual(['completed']);
    const slotFiles = readdirSync(join(f.vaultDir, 'data', 'schedule', 'slots'));
    expect(slotFiles).toHaveLength(1);
    expect(readFileSync(join(f.vaultDir, 'data', 'schedule', 'slots', slotFiles[0] ?? '')).toString('latin1')).not.toContain('@UTC');
  });

  it('applies retention after backups through soft delete, and purges after the soft-delete period', async () => {
    const f = fixture = await makeSchedulingFixture({ start: '2026-03-01T00:00:00Z', policy: NIGHTLY, vault: { softDeleteDays: 14 }, diskBytes: 1024 * 1024 + 7 });
    const scheduler = host(f.engine, f);
    const dayOne = Date.parse('2026-03-01T02:00:00Z');
    for (let day = 0; day < 10; day += 1) {
      f.clock.set(new Date(dayOne + day * DAY_MS));
      f.writeDisk(100 + day, 1024 * 1024 + 7);
      expect((await scheduler.tick()).started).toHaveLength(1);
      await scheduler.idle();
    }
    const all = await f.engine.handlers.points.list({ item: ITEM_NAME, includeDeleted: true });
    expect(all).toHaveLength(10);
    const deleted = all.filter((point) => point.state === 'soft-deleted').map((point) => point.createdAt).sort();
    // Daily points are kept 7 days: at day 9, the points of days 0-2 have expired (day 2's at exactly 7 days).
    expect(deleted).toEqual(['2026-03-01T02:00:00.000Z', '2026-03-02T02:00:00.000Z', '2026-03-03T02:00:00.000Z']);
    for (const point of all.filter((candidate) => candidate.state === 'soft-deleted')) expect(point.purgeAt).toBeDefined();
    const firstPurge = all.filter((point) => point.state === 'soft-deleted').map((point) => Date.parse(point.purgeAt ?? '')).sort()[0] ?? 0;

    // Just before the purge date nothing is purged; after it, the first expired points are gone for good and GC frees their chunks.
    f.clock.set(new Date(firstPurge - 60_000));
    const before = await scheduler.maintain();
    expect(before[0]?.purged).toBe(0);
    f.clock.set(new Date(firstPurge + 60_000));
    const after = await scheduler.maintain();
    expect(after[0]?.purged).toBeGreaterThanOrEqual(1);
    expect(after[0]?.bytesFreed).toBeGreaterThan(1024 * 1024);
    const left = await f.engine.handlers.points.list({ item: ITEM_NAME, includeDeleted: true });
    expect(left.map((point) => point.createdAt)).not.toContain('2026-03-01T02:00:00.000Z');
    const gcJobs = await f.engine.jobs.list(VAULT_NAME, { operation: 'gc' });
    expect(gcJobs.length).toBeGreaterThanOrEqual(2);
    expect(gcJobs.every((job) => job.status === 'completed' && job.trigger === 'system')).toBe(true);
    const report = await f.engine.handlers.vaults.verify({ name: VAULT_NAME, readData: true });
    expect(report.ok).toBe(true);
  });
});
