/** "Backup now" retain-until rules as the engine applies them: today or later, at most 99 years. */
import { localDayKey } from '../../format/format-time.ts';

export const DEFAULT_RETAIN_DAYS = 30;
export const MAX_RETAIN_YEARS = 99;

export function defaultRetainUntil(now = new Date()): string {
  const date = new Date(now);
  date.setDate(date.getDate() + DEFAULT_RETAIN_DAYS);
  return localDayKey(date);
}

export function maxRetainUntil(now = new Date()): string {
  const date = new Date(now);
  date.setFullYear(date.getFullYear() + MAX_RETAIN_YEARS);
  return localDayKey(date);
}

export function retainUntilProblem(value: string, now = new Date()): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return 'Choose a date.';
  if (value < localDayKey(now)) return 'The date is in the past: choose today or a later date.';
  if (value > maxRetainUntil(now)) return `Choose a date at most ${MAX_RETAIN_YEARS} years ahead.`;
  return null;
}
