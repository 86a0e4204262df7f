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
