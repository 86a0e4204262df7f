import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../shared/policy.ts';
import type { DueRun, ScheduledItem } from '../../../electron/engine/policy/due-run.ts';
import type { ScheduledSlot } from '../../../electron/engine/policy/next-runs.ts';
import { PolicyScheduler, type SchedulerClock } from '../../../electron/engine/policy/scheduler.ts';
import { makePolicy } from './policy-fixtures.ts';

/** A clock whose timers fire only when the test moves time. */
class FakeClock implements SchedulerClock {
  time: number;
  timers = new Map<number, { at: number; callback: () => void }>();
  #nextId = 1;
  constructor(iso: string) {
    this.time = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.time);
  }
  setTimer(callback: () => void, delayMs: number): unknown {
    const id = this.#nextId++;
    this.timers.set(id, { at: this.time + delayMs, callback });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Moves time forward, firing each timer at its instant (the machine is awake). */
  async advanceTo(iso: string): Promise<void> {
    const target = Date.parse(iso);
    for (;;) {
      await settle();
      const [id, timer] = [...this.timers.entries()].sort((a, b) => a[1].at - b[1].at)[0] ?? [];
      if (id === undefined || timer === undefined || timer.at > target) break;
      this.time = Math.max(this.time, timer.at);
      this.timers.delete(id);
      timer.callback();
      await settle();
    }
    this.time = target;
  }
  /** The machine sleeps: no timer fires; on wake, overdue timers fire once. */
  async sleepUntil(iso: string): Promise<void> {
    this.time = Date.parse(iso);
    await this.advanceTo(iso);
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The vault catalog stand-in: persisted items, and a log of started backups. */
class FakeCatalog {
  items = new Map<string, ScheduledItem>();
  started: { itemId: string; slotId: string; at: string; kind: string; missed: number }[] = [];
  errors: string[] = [];
  failRecord = false;
  readonly clock: FakeClock;
  constructor(clock: FakeClock) {
    this.clock = clock;
  }
  add(itemId: string, policy: Policy, protectedSince: string, extra: Partial<ScheduledItem> = {}): void {
    this.items.set(itemId, { itemId, policy, protectedSince: new Date(protectedSince), ...extra });
  }
  ports() {
    return {
      listItems: () => [...this.items.values()].map((item) => ({ ...item })),
      recordSlot: async (itemId: string, slot: ScheduledSlot) => {
        if (this.failRecord) throw new Error('disk full');
        const item = this.items.get(itemId);
        if (item !== undefined) item.lastScheduledSlot = slot.id;
      },
      startBackup: (itemId: string, slot: ScheduledSlot, run: DueRun) => {
        this.started.push({ itemId, slotId: slot.id, at: this.clock.now().toISOString(), kind: run.kind, missed: run.missedSlots });
        return new Promise(() => undefined); // a long backup that never finishes in the test
      },
      onError: (error: unknown, context: { stage: string }) => this.errors.push(`${context.stage}: ${String(error)}`),
    };
  }
}

function setup(policy: Policy, startIso: string, protectedSince = '2026-01-01T00:00:00Z') {
  const clock = new FakeClock(startIso);
  const catalog = new FakeCatalog(clock);
  catalog.add('vm-1', policy, protectedSince);
  const scheduler = new PolicyScheduler(catalog.ports(), clock);
  return { clock, catalog, scheduler };
}

const nightlyUtc = makePolicy({ schedule: { frequency: 'daily', time: '22:00' } });

describe('PolicyScheduler', () => {
  it('starts a backup when its slot is due, once', async () => {
    const { clock, catalog, scheduler } = setup(nightlyUtc, '2026-03-01T12:00:00Z', '2026-03-01T10:00:00Z');
    scheduler.start();
    await settle();
    expect(catalog.started).toEqual([]);
    await clock.advanceTo('2026-03-02T21:59:00Z');
    expect(catalog.started).toEqual([{ itemId: 'vm-1', slotId: '2026-03-01T22:00@UTC', at: '2026-03-01T22:00:00.000Z', kind: 'scheduled', missed: 1 }]);
    expect(catalog.items.get('vm-1')?.lastScheduledSlot).toBe('2026-03-01T22:00@UTC');
    scheduler.stop();
    expect(clock.timers.size).toBe(0);
  });

  it('re-checks at least every minute while no slot is near', async () => {
    const { clock, scheduler } = setup(nightlyUtc, '2026-03-01T12:00:00Z');
    scheduler.start();
    await settle();
    const [timer] = [...clock.timers.values()];
    expect(timer!.at - clock.time).toBe(60_000);
    scheduler.stop();
  });

  it('after a sleep over missed slots runs ONE catch-up, for the latest slot', async () => {
    const { clock, catalog, scheduler } = setup(nightlyUtc, '2026-03-02T12:00:00Z', '2026-03-01T10:00:00Z');
    catalog.items.get('vm-1')!.lastScheduledSlot = '2026-03-01T22:00@UTC';
    scheduler.start();
    await settle();
    // Asleep from 03-02 12:00 to 03-05 09:00: the 03-02, 03-03 and 03-04 22:00 slots are missed.
    await clock.sleepUntil('2026-03-05T09:00:00Z');
    await clock.advanceTo('2026-03-05T21:00:00Z');
    expect(catalog.started).toEqual([{ itemId: 'vm-1', slotId: '2026-03-04T22:00@UTC', at: '2026-03-05T09:00:00.000Z', kind: 'catch-up', missed: 3 }]);
    await clock.advanceTo('2026-03-05T22:00:00Z');
    expect(catalog.started.map((run) => run.slotId)).toEqual(['2026-03-04T22:00@UTC', '2026-03-05T22:00@UTC']);
    scheduler.stop();
  });

  it('a restart in the middle of a run does not run the slot again', async () => {
    const { clock, catalog, scheduler } = setup(nightlyUtc, '2026-03-01T21:59:00Z', '2026-03-01T10:00:00Z');
    scheduler.start();
    await clock.advanceTo('2026-03-01T22:01:00Z');
    expect(catalog.started).toHaveLength(1); // the backup is still running (its promise never settles)
    scheduler.stop(); // the process dies
    const restarted = new PolicyScheduler(catalog.ports(), clock);
    const result = await restarted.tick();
    expect(result.started).toEqual([]);
    expect(result.nextDueAt?.toISOString()).toBe('2026-03-02T22:00:00.000Z');
    expect(catalog.started).toHaveLength(1);
  });

  it('a process started after missed slots runs one catch-up', async () => {
    const { catalog, scheduler } = setup(nightlyUtc, '2026-03-10T08:00:00Z');
    catalog.items.get('vm-1')!.lastScheduledSlot = '2026-03-01T22:00@UTC';
    const result = await scheduler.tick();
    expect(result.started.map((run) => [run.slot.id, run.kind, run.missedSlots])).toEqual([['2026-03-09T22:00@UTC', 'catch-up', 8]]);
    expect((await scheduler.tick()).started).toEqual([]);
  });

  it('never runs two for one slot, even when listItems lags or ticks overlap', async () => {
    const { clock, catalog } = setup(nightlyUtc, '2026-03-01T22:00:30Z');
    const ports = catalog.ports();
    const frozen = [...catalog.items.values()].map((item) => ({ ...item })); // never shows the recorded slot
    const scheduler = new PolicyScheduler({ ...ports, listItems: () => frozen }, clock);
    const [first, second] = await Promise.all([scheduler.tick(), scheduler.tick()]);
    expect(first.started).toHaveLength(1);
    expect(second.started).toEqual([]);
    expect((await scheduler.tick()).started).toEqual([]);
  });

  it('a failed recordSlot starts nothing; the next tick retries', async () => {
    const { catalog, scheduler } = setup(nightlyUtc, '2026-03-01T22:00:00Z');
    catalog.failRecord = true;
    const failed = await scheduler.tick();
    expect(failed.started).toEqual([]);
    expect(catalog.errors).toEqual(['record: Error: disk full']);
    catalog.failRecord = false;
    expect((await scheduler.tick()).started).toHaveLength(1);
    expect(catalog.started).toHaveLength(1);
  });

  it('slots before protection began, or covered by a later backup, are not due', async () => {
    const early = setup(nightlyUtc, '2026-03-01T23:00:00Z', '2026-03-01T22:30:00Z');
    expect((await early.scheduler.tick()).started).toEqual([]);
    const covered = setup(nightlyUtc, '2026-03-02T08:00:00Z', '2026-03-01T00:00:00Z');
    covered.catalog.items.get('vm-1')!.lastRunAt = new Date('2026-03-01T23:00:00Z'); // "Backup now" after the missed slot
    expect((await covered.scheduler.tick()).started).toEqual([]);
  });

  it('a clock set back does not block backups nor repeat the last slot', async () => {
    const { catalog, scheduler, clock } = setup(nightlyUtc, '2026-03-01T12:00:00Z');
    catalog.items.get('vm-1')!.lastScheduledSlot = '2030-01-01T22:00@UTC'; // recorded under a wrong clock
    expect((await scheduler.tick()).started).toEqual([]); // the latest slot (02-28 22:00) is covered by "now"
    await clock.advanceTo('2026-03-01T22:00:00Z');
    expect((await scheduler.tick()).started.map((run) => run.slot.id)).toEqual(['2026-03-01T22:00@UTC']);
  });

  it('Europe/Berlin spring forward: 02:30 runs once, at 03:00 CEST (01:00Z)', async () => {
    const policy = makePolicy({ timeZone: 'Europe/Berlin', schedule: { frequency: 'daily', time: '02:30' } });
    const { clock, catalog, scheduler } = setup(policy, '2026-03-28T12:00:00Z');
    catalog.items.get('vm-1')!.lastScheduledSlot = '2026-03-28T02:30@Europe/Berlin';
    scheduler.start();
    await clock.advanceTo('2026-03-30T12:00:00Z');
    scheduler.stop();
    expect(catalog.started.map((run) => [run.slotId, run.at, run.kind])).toEqual([
      ['2026-03-29T02:30@Europe/Berlin', '2026-03-29T01:00:00.000Z', 'scheduled'],
      ['2026-03-30T02:30@Europe/Berlin', '2026-03-30T00:30:00.000Z', 'scheduled'],
    ]);
  });

  it('Europe/Berlin fall back: a repeated 02:00 runs once', async () => {
    // Every 12 h from 02:00: 10-24 14:00 CEST = 12:00Z; 10-25 02:00 first occurrence = 00:00Z
    // (02:00 CET = 01:00Z is not run); 10-25 14:00 CET = 13:00Z.
    const policy = makePolicy({ timeZone: 'Europe/Berlin', schedule: { frequency: 'hourly', everyHours: 12, windowStart: '02:00', windowHours: 24 } });
    const { clock, catalog, scheduler } = setup(policy, '2026-10-24T11:00:00Z');
    catalog.items.get('vm-1')!.lastScheduledSlot = '2026-10-24T02:00@Europe/Berlin';
    scheduler.start();
    await clock.advanceTo('2026-10-25T14:00:00Z');
    scheduler.stop();
    expect(catalog.started.map((run) => [run.slotId, run.at])).toEqual([
      ['2026-10-24T14:00@Europe/Berlin', '2026-10-24T12:00:00.000Z'],
      ['2026-10-25T02:00@Europe/Berlin', '2026-10-25T00:00:00.000Z'],
      ['2026-10-25T14:00@Europe/Berlin', '2026-10-25T13:00:00.000Z'],
    ]);
  });

  it('handles several items independently, each with at most one run per tick', async () => {
    const clock = new FakeClock('2026-03-05T09:00:00Z');
    const catalog = new FakeCatalog(clock);
    catalog.add('vm-a', nightlyUtc, '2026-03-01T00:00:00Z', { lastScheduledSlot: '2026-03-01T22:00@UTC' });
    catalog.add('vm-b', makePolicy({ schedule: { frequency: 'hourly', everyHours: 4, windowStart: '00:00', windowHours: 24 } }), '2026-03-05T00:00:00Z');
    catalog.add('vm-c', nightlyUtc, '2026-03-05T08:00:00Z');
    const result = await new PolicyScheduler(catalog.ports(), clock).tick();
    expect(result.started.map((run) => [run.itemId, run.slot.id, run.missedSlots])).toEqual([
      ['vm-a', '2026-03-04T22:00@UTC', 3],
      ['vm-b', '2026-03-05T08:00@UTC', 3], // 00:00, 04:00, 08:00
    ]);
    expect(result.nextDueAt?.toISOString()).toBe('2026-03-05T12:00:00.000Z');
  });
});

describe('PolicyScheduler robustness', () => {
  it('one item with a broken policy does not stop the others', async () => {
    const clock = new FakeClock('2026-03-01T22:00:00Z');
    const catalog = new FakeCatalog(clock);
    catalog.add('broken', { ...nightlyUtc, timeZone: 'Mars/Base' }, '2026-03-01T00:00:00Z');
    catalog.add('fine', nightlyUtc, '2026-03-01T00:00:00Z');
    const result = await new PolicyScheduler(catalog.ports(), clock).tick();
    expect(result.started.map((run) => run.itemId)).toEqual(['fine']);
    expect(result.errors).toBe(1);
    expect(catalog.errors[0]).toMatch(/^plan: /);
  });

  it('a failing backup is reported, and its slot is not retried', async () => {
    const clock = new FakeClock('2026-03-01T22:00:00Z');
    const catalog = new FakeCatalog(clock);
    catalog.add('vm-1', nightlyUtc, '2026-03-01T00:00:00Z');
    const errors: string[] = [];
    const ports = { ...catalog.ports(), startBackup: () => Promise.reject(new Error('source vanished')), onError: (error: unknown, context: { stage: string }) => errors.push(`${context.stage}: ${String(error)}`) };
    const scheduler = new PolicyScheduler(ports, clock);
    expect((await scheduler.tick()).started).toHaveLength(1);
    await settle();
    expect(errors).toEqual(['backup: Error: source vanished']);
    expect((await scheduler.tick()).started).toEqual([]);
  });
});
