/** "Backup now" retain-until in the dialog: the engine's own rule (shared/retain-until.ts) in the UI's words. */
import {
  MAX_RETAIN_YEARS, defaultRetainUntil as defaultUntil, localDayKey, maxRetainUntil as maxUntil, readRetainUntil,
} from '../../../shared/retain-until.ts';

export function defaultRetainUntil(now = new Date()): string {
  return localDayKey(defaultUntil(now));
}

export function maxRetainUntil(now = new Date()): string {
  return localDayKey(maxUntil(now));
}

/**
 * What the dialog sends: the end of the chosen day in this browser's time zone, as an instant.
 * The engine may run in another zone (the browser host on a server): a bare date would be kept
 * until the end of the engine's day, and the point's expiry would show a day off here.
 * The last allowed day is capped at the engine's 99-year limit.
 */
export function retainUntilInstant(day: string, now = new Date()): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const end = new Date(year, month - 1, date, 23, 59, 59, 999);
  const max = maxUntil(now);
  return (end.getTime() > max.getTime() ? max : end).toISOString();
}

export function retainUntilProblem(value: string, now = new Date()): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return 'Choose a date.';
  const reading = readRetainUntil(value, now);
  if (reading.ok) return null;
  switch (reading.problem) {
    case 'past': return 'The date is in the past: choose today or a later date.';
    case 'too-far': return `Choose a date at most ${MAX_RETAIN_YEARS} years ahead.`;
    default: return 'Choose a date.';
  }
}
