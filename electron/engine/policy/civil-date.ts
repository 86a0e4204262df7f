/**
 * Calendar arithmetic on wall-clock ("civil") dates and times, with no time zone.
 *
 * A wall time is written as "wall milliseconds": the number Date.UTC would give for that
 * calendar date and clock time. It is not an instant; zoned-time.ts turns it into one.
 * A civil day is the integer number of days since 1970-01-01 (a Thursday).
 */
import { MS_PER_DAY } from '../../../shared/time-units.ts';

const EPOCH_WEEKDAY_MONDAY_BASED = 3; // 1970-01-01 was a Thursday: Monday 0 ... Sunday 6

export interface CivilDate {
  year: number;
  /** 1-12 */
  month: number;
  /** 1-31 */
  day: number;
}

/** Date.UTC without its 0-99 => 1900-1999 year mapping. */
export function wallMsOf(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

export function civilDayOf(date: CivilDate): number {
  return Math.floor(wallMsOf(date.year, date.month, date.day) / MS_PER_DAY);
}

export function civilDateOfDay(day: number): CivilDate {
  const date = new Date(day * MS_PER_DAY);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** The civil day a wall time falls on. */
export function civilDayOfWall(wallMs: number): number {
  return Math.floor(wallMs / MS_PER_DAY);
}

/** Weekday of a civil day: 0 = Monday ... 6 = Sunday (ISO order). */
export function weekdayOfDay(day: number): number {
  return (((day + EPOCH_WEEKDAY_MONDAY_BASED) % 7) + 7) % 7;
}

/** The Monday that starts the week of a civil day. */
export function mondayOfDay(day: number): number {
  return day - weekdayOfDay(day);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month: number): number {
  if (month === 2 && isLeapYear(year)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 31;
}

/** Day of month, clamped to the month's last day (31 in February -> 28 or 29). */
export function clampedDay(year: number, month: number, day: number): number {
  return Math.min(day, daysInMonth(year, month));
}

/**
 * The civil day of the nth weekday of a month; ordinal 1-4, or 'last'.
 * weekday: 0 = Monday ... 6 = Sunday.
 */
export function nthWeekdayOfMonth(year: number, month: number, ordinal: number | 'last', weekday: number): number {
  if (ordinal === 'last') {
    const lastDay = civilDayOf({ year, month, day: daysInMonth(year, month) });
    return lastDay - ((weekdayOfDay(lastDay) - weekday + 7) % 7);
  }
  const firstDay = civilDayOf({ year, month, day: 1 });
  return firstDay + ((weekday - weekdayOfDay(firstDay) + 7) % 7) + (ordinal - 1) * 7;
}

/** Adds calendar months to a wall time, clamping the day (Jan 31 + 1 month = Feb 28/29). */
export function addMonthsToWall(wallMs: number, months: number): number {
  const date = new Date(wallMs);
  const monthIndex = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12 + 1;
  const day = clampedDay(year, month, date.getUTCDate());
  const timeOfDay = wallMs - Math.floor(wallMs / MS_PER_DAY) * MS_PER_DAY;
  return wallMsOf(year, month, day) + timeOfDay;
}

/** Adds calendar days to a wall time (same clock time, N dates later). */
export function addDaysToWall(wallMs: number, days: number): number {
  return wallMs + days * MS_PER_DAY;
}

/** "HH:MM" -> minutes after midnight. The string must already be validated. */
export function minutesOfClock(clock: string): number {
  const [hours, minutes] = clock.split(':');
  return Number(hours) * 60 + Number(minutes);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** "2026-03-29T02:30" for a wall time (seconds shown only when not zero). */
export function formatWall(wallMs: number): string {
  const date = new Date(wallMs);
  const base = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}`;
  const seconds = date.getUTCSeconds();
  return seconds === 0 ? base : `${base}:${pad(seconds, 2)}`;
}

const WALL_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** Inverse of formatWall; null when the text is not a valid wall time. */
export function parseWall(text: string): number | null {
  const match = WALL_PATTERN.exec(text);
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1)
    .map((part) => (part === undefined ? 0 : Number(part)));
  if (
    year === undefined || month === undefined || day === undefined
    || hour === undefined || minute === undefined || second === undefined
  ) return null;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  return wallMsOf(year, month, day, hour, minute, second);
}
