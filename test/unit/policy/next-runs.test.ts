import { describe, expect, it } from 'vitest';
import { instantOfSlotId, nextRuns, nextSlots, parseSlotId, scheduledSlotsBetween, slotOf } from '../../../electron/engine/policy/next-runs.ts';
import { iso, makePolicy } from './policy-fixtures.ts';

const daily = (timeZone: string, time: string) => makePolicy({ timeZone, schedule: { frequency: 'daily', time } });
const hourly = (timeZone: string, everyHours: number, windowStart: string, windowHours: number, days?: string[]) =>
  makePolicy({ timeZone, schedule: { frequency: 'hourly', everyHours, windowStart, windowHours, ...(days === undefined ? {} : { days }) } });

describe('nextRuns on DST days', () => {
  it('Europe/Berlin spring forward 2026-03-29: 02:30 runs once at 03:00 CEST', () => {
    // 03-28 02:30 CET(+1) = 01:30Z; 03-29 02:30 missing -> 03:00 CEST = 01:00Z; then CEST(+2).
    expect(iso(nextRuns(daily('Europe/Berlin', '02:30'), new Date('2026-03-27T12:00:00Z'), 3))).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });

  it('Europe/Berlin fall back 2026-10-25: 02:30 runs once, at the first (CEST) occurrence', () => {
    // 10-24 02:30 CEST = 00:30Z; 10-25 02:30 first occurrence CEST = 00:30Z (not 01:30Z too); 10-26 CET = 01:30Z.
    expect(iso(nextRuns(daily('Europe/Berlin', '02:30'), new Date('2026-10-23T12:00:00Z'), 3))).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
    // Starting between the two occurrences: the repeated 02:30 is not run a second time.
    expect(iso(nextRuns(daily('Europe/Berlin', '02:30'), new Date('2026-10-25T01:00:00Z'), 1))).toEqual(['2026-10-26T01:30:00.000Z']);
  });

  it('America/New_York spring forward 2026-03-08 and fall back 2026-11-01', () => {
    // 03-07 02:30 EST(-5) = 07:30Z; 03-08 02:30 missing -> 03:00 EDT = 07:00Z; 03-09 EDT(-4) = 06:30Z.
    expect(iso(nextRuns(daily('America/New_York', '02:30'), new Date('2026-03-07T00:00:00Z'), 3))).toEqual([
      '2026-03-07T07:30:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
    // 01:30 occurs at 05:30Z (EDT) and 06:30Z (EST) on 11-01: runs at 05:30Z only; 11-02 EST = 06:30Z.
    expect(iso(nextRuns(daily('America/New_York', '01:30'), new Date('2026-10-31T00:00:00Z'), 3))).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('Australia/Lord_Howe 30-minute shifts: 2026-04-05 and 2026-10-04', () => {
    // April: 02:00 +11 -> 01:30 +10:30 at 04-04T15:00Z, 01:45 repeats. 04-04 01:45 +11 = 04-03T14:45Z;
    // 04-05 01:45 first (+11) = 04-04T14:45Z; 04-06 01:45 +10:30 = 04-05T15:15Z.
    expect(iso(nextRuns(daily('Australia/Lord_Howe', '01:45'), new Date('2026-04-03T00:00:00Z'), 3))).toEqual([
      '2026-04-03T14:45:00.000Z',
      '2026-04-04T14:45:00.000Z',
      '2026-04-05T15:15:00.000Z',
    ]);
    // October: 02:00 +10:30 -> 02:30 +11 at 10-03T15:30Z, 02:15 missing. 10-03 02:15 +10:30 = 10-02T15:45Z;
    // 10-04 02:15 -> 02:30 +11 = 10-03T15:30Z; 10-05 02:15 +11 = 10-04T15:15Z.
    expect(iso(nextRuns(daily('Australia/Lord_Howe', '02:15'), new Date('2026-10-02T00:00:00Z'), 3))).toEqual([
      '2026-10-02T15:45:00.000Z',
      '2026-10-03T15:30:00.000Z',
      '2026-10-04T15:15:00.000Z',
    ]);
  });

  it('zones without DST keep the same UTC time every day', () => {
    // Tokyo +9: 02:30 local = 17:30Z the day before, on Berlin's DST day too.
    expect(iso(nextRuns(daily('Asia/Tokyo', '02:30'), new Date('2026-03-27T18:00:00Z'), 3))).toEqual([
      '2026-03-28T17:30:00.000Z',
      '2026-03-29T17:30:00.000Z',
      '2026-03-30T17:30:00.000Z',
    ]);
  });

  it('a day skipped entirely (Samoa 2011-12-30) runs once at the first instant after it', () => {
    // 12-29 12:00 -10 = 22:00Z; 12-30 12:00 missing -> 12-31 00:00 +14 = 12-30T10:00Z; 12-31 12:00 +14 = 12-30T22:00Z.
    expect(iso(nextRuns(daily('Pacific/Apia', '12:00'), new Date('2011-12-29T00:00:00Z'), 3))).toEqual([
      '2011-12-29T22:00:00.000Z',
      '2011-12-30T10:00:00.000Z',
      '2011-12-30T22:00:00.000Z',
    ]);
  });
});

describe('nextRuns boundaries and calendars', () => {
  it('includes a run exactly at `from` and returns [] for count 0', () => {
    const policy = daily('UTC', '22:00');
    expect(iso(nextRuns(policy, new Date('2026-01-01T22:00:00Z'), 2))).toEqual(['2026-01-01T22:00:00.000Z', '2026-01-02T22:00:00.000Z']);
    expect(nextRuns(policy, new Date('2026-01-01T22:00:00Z'), 0)).toEqual([]);
    expect(() => nextRuns(policy, new Date(), -1)).toThrow(/count/);
    expect(() => nextRuns(policy, new Date('not a date'), 1)).toThrow(/from must be a valid instant/);
  });

  it('crosses month ends, year ends and the leap day 2028-02-29', () => {
    expect(iso(nextRuns(daily('UTC', '12:00'), new Date('2028-02-28T00:00:00Z'), 3))).toEqual([
      '2028-02-28T12:00:00.000Z',
      '2028-02-29T12:00:00.000Z',
      '2028-03-01T12:00:00.000Z',
    ]);
    expect(iso(nextRuns(daily('UTC', '23:59'), new Date('2026-12-31T00:00:00Z'), 2))).toEqual(['2026-12-31T23:59:00.000Z', '2027-01-01T23:59:00.000Z']);
    // 2028-02-29 is a Tuesday (2028-02-01 is a Tuesday, +28 days).
    const weeklyTuesday = makePolicy({ schedule: { frequency: 'weekly', days: ['tuesday'], time: '06:00' } });
    expect(iso(nextRuns(weeklyTuesday, new Date('2028-02-23T00:00:00Z'), 2))).toEqual(['2028-02-29T06:00:00.000Z', '2028-03-07T06:00:00.000Z']);
  });

  it('weekly on chosen days, across the Berlin spring-forward Sunday', () => {
    // 2026-03-25 is a Wednesday. 22:00 CET = 21:00Z; from 03-29 on CEST: 22:00 = 20:00Z.
    const policy = makePolicy({ timeZone: 'Europe/Berlin', schedule: { frequency: 'weekly', days: ['sunday', 'wednesday'], time: '22:00' } });
    expect(iso(nextRuns(policy, new Date('2026-03-25T00:00:00Z'), 4))).toEqual([
      '2026-03-25T21:00:00.000Z',
      '2026-03-29T20:00:00.000Z',
      '2026-04-01T20:00:00.000Z',
      '2026-04-05T20:00:00.000Z',
    ]);
  });
});

describe('nextRuns for hourly windows', () => {
  it('runs at windowStart + k x everyHours while k x everyHours < windowHours', () => {
    // 08:00, 12:00, 16:00 (k = 0, 1, 2; 12 < 12 is false).
    expect(iso(nextRuns(hourly('UTC', 4, '08:00', 12), new Date('2026-05-01T00:00:00Z'), 4))).toEqual([
      '2026-05-01T08:00:00.000Z',
      '2026-05-01T12:00:00.000Z',
      '2026-05-01T16:00:00.000Z',
      '2026-05-02T08:00:00.000Z',
    ]);
    // everyHours 24 with a 24-hour window: once a day.
    expect(iso(nextRuns(hourly('UTC', 24, '05:00', 24), new Date('2026-05-01T00:00:00Z'), 2))).toEqual(['2026-05-01T05:00:00.000Z', '2026-05-02T05:00:00.000Z']);
  });

  it('a window crossing midnight belongs to the date it starts on (weekday filter too)', () => {
    // 2026-11-27 is a Friday. Window Fri 20:00 + 13 h, every 6 h: k = 0, 1, 2 (12 < 13): Fri 20:00, Sat 02:00, Sat 08:00.
    const slots = nextSlots(hourly('UTC', 6, '20:00', 13, ['friday']), new Date('2026-11-26T00:00:00Z'), 4);
    expect(slots.map((slot) => slot.id)).toEqual(['2026-11-27T20:00@UTC', '2026-11-28T02:00@UTC', '2026-11-28T08:00@UTC', '2026-12-04T20:00@UTC']);
    // From the middle of the window, the rest of the previous date's window is still found.
    // Window 20:00 + 12 h every 6 h: 20:00 and 02:00 (6 x 2 = 12 is not < 12).
    expect(iso(nextRuns(hourly('UTC', 6, '20:00', 12), new Date('2026-11-28T01:00:00Z'), 2))).toEqual(['2026-11-28T02:00:00.000Z', '2026-11-28T20:00:00.000Z']);
  });

  it('Berlin spring-forward night: the 02:00 run of a window from 22:00 runs once at 03:00 CEST', () => {
    // 03-28 22:00 CET = 21:00Z; 03-29 02:00 missing -> 03:00 CEST = 01:00Z; 06:00 CEST = 04:00Z; 22:00 CEST = 20:00Z.
    expect(iso(nextRuns(hourly('Europe/Berlin', 4, '22:00', 12), new Date('2026-03-28T12:00:00Z'), 4))).toEqual([
      '2026-03-28T21:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T04:00:00.000Z',
      '2026-03-29T20:00:00.000Z',
    ]);
  });

  it('Berlin fall-back night: a repeated wall time runs once', () => {
    // Window 02:00 + 24 h every 12 h: 02:00 and 14:00. 10-25 02:00 occurs at 00:00Z and 01:00Z: runs at 00:00Z only.
    const runs = nextRuns(hourly('Europe/Berlin', 12, '02:00', 24), new Date('2026-10-24T12:00:00Z'), 3);
    expect(iso(runs)).toEqual(['2026-10-24T12:00:00.000Z', '2026-10-25T00:00:00.000Z', '2026-10-25T13:00:00.000Z']);
    // Window from 22:00 every 4 h through the night: 22:00 CEST = 20:00Z, 02:00 first = 00:00Z, 06:00 CET = 05:00Z.
    expect(iso(nextRuns(hourly('Europe/Berlin', 4, '22:00', 12), new Date('2026-10-24T12:00:00Z'), 3))).toEqual([
      '2026-10-24T20:00:00.000Z',
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T05:00:00.000Z',
    ]);
  });

  it('New York fall-back night every 4 h from 01:00', () => {
    // 01:00 EDT = 05:00Z (first occurrence; 06:00Z is the repeat), 05:00 EST = 10:00Z.
    expect(iso(nextRuns(hourly('America/New_York', 4, '01:00', 8), new Date('2026-11-01T00:00:00Z'), 3))).toEqual([
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T10:00:00.000Z',
      '2026-11-02T06:00:00.000Z',
    ]);
  });

  it('runs are strictly increasing and each slot is distinct over a DST year', () => {
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe']) {
      const slots = nextSlots(hourly(zone, 4, '00:00', 24), new Date('2026-01-01T00:00:00Z'), 6 * 366);
      for (let index = 1; index < slots.length; index += 1) {
        expect(slots[index]!.at.getTime()).toBeGreaterThan(slots[index - 1]!.at.getTime());
      }
      expect(new Set(slots.map((slot) => slot.id)).size).toBe(slots.length);
    }
  });
});

describe('slot ids and lookups', () => {
  const policy = daily('Europe/Berlin', '02:30');

  it('names a slot by its wall time and zone, even when the wall time did not exist', () => {
    const [slot] = nextSlots(policy, new Date('2026-03-29T00:00:00Z'), 1);
    expect(slot).toEqual({ id: '2026-03-29T02:30@Europe/Berlin', wall: '2026-03-29T02:30', at: new Date('2026-03-29T01:00:00Z') });
    expect(parseSlotId('2026-03-29T02:30@Europe/Berlin')).toEqual({ wallMs: Date.UTC(2026, 2, 29, 2, 30), timeZone: 'Europe/Berlin' });
    expect(instantOfSlotId('2026-03-29T02:30@Europe/Berlin')?.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(parseSlotId('2026-02-30T02:30@UTC')).toBeNull();
    expect(instantOfSlotId('2026-03-29T02:30@Mars/Base')).toBeNull();
    expect(instantOfSlotId('garbage')).toBeNull();
  });

  it('slotOf gives the latest slot at or before an instant', () => {
    expect(slotOf(policy, new Date('2026-03-29T01:00:00Z'))?.id).toBe('2026-03-29T02:30@Europe/Berlin');
    expect(slotOf(policy, new Date('2026-03-29T00:59:59Z'))?.id).toBe('2026-03-28T02:30@Europe/Berlin');
    const sundays = makePolicy({ schedule: { frequency: 'weekly', days: ['sunday'], time: '22:00' } });
    // 2026-03-28 is a Saturday: the latest Sunday slot is 03-22.
    expect(slotOf(sundays, new Date('2026-03-28T23:00:00Z'))?.id).toBe('2026-03-22T22:00@UTC');
  });

  it('scheduledSlotsBetween is half-open [from, to)', () => {
    const slots = scheduledSlotsBetween(policy, new Date('2026-03-28T01:30:00Z'), new Date('2026-03-30T00:30:00Z'));
    expect(slots.map((slot) => slot.id)).toEqual(['2026-03-28T02:30@Europe/Berlin', '2026-03-29T02:30@Europe/Berlin']);
  });
});
