import { describe, expect, it } from 'vitest';
import { formatWall, wallMsOf } from '../../../electron/engine/policy/civil-date.ts';
import { UTC_ZONE_NAMES, instantToWall, offsetAt, wallToInstant } from '../../../electron/engine/policy/zoned-time.ts';

function instantOf(zone: string, wall: [number, number, number, number, number]): string {
  return new Date(wallToInstant(zone, wallMsOf(...wall))).toISOString();
}

describe('UTC and its names', () => {
  it('have offset 0 at every instant, as the platform\'s time zone data says', () => {
    const instants = [Date.UTC(1970, 0, 1), Date.UTC(2026, 2, 29, 1), Date.UTC(2026, 9, 25, 1), Date.UTC(2100, 5, 1, 12, 34, 56)];
    for (const zone of UTC_ZONE_NAMES) {
      const formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
      for (const instant of instants) {
        const name = formatter.formatToParts(new Date(instant)).find((part) => part.type === 'timeZoneName')?.value;
        expect(name, `${zone} at ${new Date(instant).toISOString()}`).toMatch(/^GMT(\+00:00)?$/);
        expect(offsetAt(zone, instant)).toBe(0);
      }
    }
  });
});

describe('wallToInstant', () => {
  it('maps ordinary wall times with the offset in force', () => {
    expect(instantOf('Europe/Berlin', [2026, 1, 15, 10, 0])).toBe('2026-01-15T09:00:00.000Z'); // CET +1
    expect(instantOf('Europe/Berlin', [2026, 7, 15, 10, 0])).toBe('2026-07-15T08:00:00.000Z'); // CEST +2
    expect(instantOf('Asia/Tokyo', [2026, 3, 29, 2, 30])).toBe('2026-03-28T17:30:00.000Z'); // +9, no DST
    expect(instantOf('UTC', [2028, 2, 29, 12, 0])).toBe('2028-02-29T12:00:00.000Z');
  });

  it('moves a skipped wall time to the first instant after the gap', () => {
    // Berlin 2026-03-29: 02:00 CET -> 03:00 CEST at 01:00Z; 02:30 does not exist.
    expect(instantOf('Europe/Berlin', [2026, 3, 29, 2, 30])).toBe('2026-03-29T01:00:00.000Z');
    expect(instantOf('Europe/Berlin', [2026, 3, 29, 2, 0])).toBe('2026-03-29T01:00:00.000Z');
    expect(instantOf('Europe/Berlin', [2026, 3, 29, 1, 59])).toBe('2026-03-29T00:59:00.000Z');
    // New York 2026-03-08: 02:00 EST -> 03:00 EDT at 07:00Z.
    expect(instantOf('America/New_York', [2026, 3, 8, 2, 30])).toBe('2026-03-08T07:00:00.000Z');
    // Lord Howe 2026-10-04: 02:00 +10:30 -> 02:30 +11:00 at 2026-10-03T15:30Z (30-minute gap).
    expect(instantOf('Australia/Lord_Howe', [2026, 10, 4, 2, 15])).toBe('2026-10-03T15:30:00.000Z');
    expect(instantOf('Australia/Lord_Howe', [2026, 10, 4, 2, 30])).toBe('2026-10-03T15:30:00.000Z');
    // Samoa skipped all of 2011-12-30 (-10 -> +14 at 2011-12-30T10:00Z).
    expect(instantOf('Pacific/Apia', [2011, 12, 30, 12, 0])).toBe('2011-12-30T10:00:00.000Z');
  });

  it('takes the first occurrence of a repeated wall time', () => {
    // Berlin 2026-10-25: 03:00 CEST -> 02:00 CET at 01:00Z; 02:30 occurs at 00:30Z and 01:30Z.
    expect(instantOf('Europe/Berlin', [2026, 10, 25, 2, 30])).toBe('2026-10-25T00:30:00.000Z');
    expect(instantOf('Europe/Berlin', [2026, 10, 25, 3, 0])).toBe('2026-10-25T02:00:00.000Z');
    // New York 2026-11-01: 02:00 EDT -> 01:00 EST at 06:00Z; 01:30 at 05:30Z and 06:30Z.
    expect(instantOf('America/New_York', [2026, 11, 1, 1, 30])).toBe('2026-11-01T05:30:00.000Z');
    // Lord Howe 2026-04-05: 02:00 +11 -> 01:30 +10:30 at 2026-04-04T15:00Z; 01:45 twice.
    expect(instantOf('Australia/Lord_Howe', [2026, 4, 5, 1, 45])).toBe('2026-04-04T14:45:00.000Z');
    expect(instantOf('Australia/Lord_Howe', [2026, 4, 5, 2, 0])).toBe('2026-04-04T15:30:00.000Z');
  });

  it('uses historical offsets', () => {
    // Berlin had no DST in 1975 (CET all year) and double summer time (+3) in summer 1947.
    expect(instantOf('Europe/Berlin', [1975, 7, 1, 12, 0])).toBe('1975-07-01T11:00:00.000Z');
    expect(instantOf('Europe/Berlin', [1947, 6, 1, 12, 0])).toBe('1947-06-01T09:00:00.000Z');
  });
});

describe('instantToWall and offsetAt', () => {
  it('reads both sides of a transition', () => {
    expect(formatWall(instantToWall('Europe/Berlin', Date.parse('2026-10-25T00:30:00Z')))).toBe('2026-10-25T02:30');
    expect(formatWall(instantToWall('Europe/Berlin', Date.parse('2026-10-25T01:30:00Z')))).toBe('2026-10-25T02:30');
    expect(offsetAt('Australia/Lord_Howe', Date.parse('2026-10-03T15:29:59Z'))).toBe(10.5 * 3_600_000);
    expect(offsetAt('Australia/Lord_Howe', Date.parse('2026-10-03T15:30:00Z'))).toBe(11 * 3_600_000);
    expect(offsetAt('America/New_York', Date.parse('2026-11-01T05:59:59Z'))).toBe(-4 * 3_600_000);
    expect(offsetAt('America/New_York', Date.parse('2026-11-01T06:00:00Z'))).toBe(-5 * 3_600_000);
  });

  it('round-trips every quarter hour across a DST year in Lord Howe', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    for (let step = 0; step < 4 * 24 * 365; step += 7) {
      const instant = start + step * 15 * 60_000;
      const wall = instantToWall('Australia/Lord_Howe', instant);
      const back = wallToInstant('Australia/Lord_Howe', wall);
      // Either the same instant, or the first occurrence of a repeated wall time (30 min earlier).
      expect([instant, instant - 30 * 60_000]).toContain(back);
    }
  });
});
