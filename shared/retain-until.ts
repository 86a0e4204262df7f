/**
 * "Backup now" retain-until, the one rule the engine enforces and the UI checks as you type:
 * a date YYYY-MM-DD (kept until the end of that day, local time) or an ISO instant; default
 * 30 days from now; never in the past; at most 99 years ahead (a date is compared by day,
 * so the last allowed date is the day 99 years from today).
 */
import { MS_PER_DAY } from './time-units.ts';

export const DEFAULT_RETAIN_DAYS = 30;
export const MAX_RETAIN_YEARS = 99;

export type RetainUntilProblem = 'format' | 'not-a-date' | 'past' | 'too-far';

export type RetainUntilReading = { ok: true; until: Date } | { ok: false; problem: RetainUntilProblem };

/** A local calendar day as YYYY-MM-DD. */
export function localDayKey(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function defaultRetainUntil(now: Date): Date {
  const date = new Date(now);
  date.setDate(date.getDate() + DEFAULT_RETAIN_DAYS);
  return date;
}

export function maxRetainUntil(now: Date): Date {
  const date = new Date(now);
  date.setFullYear(date.getFullYear() + MAX_RETAIN_YEARS);
  return date;
}

/** Reads a retain-until value; an empty value means the default. */
export function readRetainUntil(value: string | undefined, now: Date): RetainUntilReading {
  const text = (value ?? '').trim();
  if (text === '') return { ok: true, until: new Date(now.getTime() + DEFAULT_RETAIN_DAYS * MS_PER_DAY) };
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (dateOnly) {
    const [year, month, day] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    const until = new Date(year, month - 1, day, 23, 59, 59, 999);
    if (until.getFullYear() !== year || until.getMonth() !== month - 1 || until.getDate() !== day) {
      return { ok: false, problem: 'not-a-date' };
    }
    if (text < localDayKey(now)) return { ok: false, problem: 'past' };
    if (text > localDayKey(maxRetainUntil(now))) return { ok: false, problem: 'too-far' };
    return { ok: true, until };
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text))) {
    const until = new Date(text);
    if (until.getTime() < now.getTime()) return { ok: false, problem: 'past' };
    if (until.getTime() > maxRetainUntil(now).getTime()) return { ok: false, problem: 'too-far' };
    return { ok: true, until };
  }
  return { ok: false, problem: 'format' };
}
