/**
 * Checks wallToInstant against a brute-force reading of the rule: scan every minute of
 * the days around a DST change with a separate Intl formatter; a wall time's instant is
 * the first minute showing it, or, if none does, the first minute showing a later time.
 */
import { describe, expect, it } from 'vitest';
import { wallMsOf } from '../../../electron/engine/policy/civil-date.ts';
import { wallToInstant } from '../../../electron/engine/policy/zoned-time.ts';

const MINUTE = 60_000;

function wallsByMinute(zone: string, fromMs: number, minutes: number): number[] {
  const format = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  const walls: number[] = [];
  for (let index = 0; index < minutes; index += 1) {
    const parts = Object.fromEntries(format.formatToParts(new Date(fromMs + index * MINUTE)).map((part) => [part.type, Number(part.value)]));
    walls.push(wallMsOf(parts['year']!, parts['month']!, parts['day']!, parts['hour']!, parts['minute']!));
  }
  return walls;
}

const DST_DAYS: [string, number, number, number][] = [
  ['Europe/Berlin', 2026, 3, 29],
  ['Europe/Berlin', 2026, 10, 25],
  ['America/New_York', 2026, 3, 8],
  ['America/New_York', 2026, 11, 1],
  ['Australia/Lord_Howe', 2026, 4, 5],
  ['Australia/Lord_Howe', 2026, 10, 4],
  ['Asia/Tokyo', 2026, 3, 29],
];

describe('wallToInstant agrees with a minute-by-minute scan', () => {
  for (const [zone, year, month, day] of DST_DAYS) {
    it(`${zone} ${year}-${month}-${day}, every 5 minutes of the day`, () => {
      const scanStart = Date.UTC(year, month - 1, day) - 16 * 60 * MINUTE; // covers offsets up to +16h
      const walls = wallsByMinute(zone, scanStart, 48 * 60);
      for (let minute = 0; minute < 24 * 60; minute += 5) {
        const target = wallMsOf(year, month, day, Math.floor(minute / 60), minute % 60);
        let index = walls.indexOf(target);
        if (index < 0) index = walls.findIndex((wall) => wall > target);
        expect(wallToInstant(zone, target), `${zone} ${minute}`).toBe(scanStart + index * MINUTE);
      }
    });
  }
});
