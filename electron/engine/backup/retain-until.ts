/**
 * "Backup now" retain-until as the engine enforces it: the shared rule (shared/retain-until.ts)
 * with the CLI's error messages.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { MAX_RETAIN_YEARS, readRetainUntil } from '../../../shared/retain-until.ts';

export function resolveRetainUntil(value: string | undefined, now: Date): Date {
  const reading = readRetainUntil(value, now);
  if (reading.ok) return reading.until;
  const text = (value ?? '').trim();
  const message = {
    'format': `Retain-until "${text}" must be a date written YYYY-MM-DD.`,
    'not-a-date': `Retain-until "${text}" is not a real date (YYYY-MM-DD).`,
    'past': `Retain-until ${text} is in the past: choose today or a later date.`,
    'too-far': `Retain-until ${text} is more than ${MAX_RETAIN_YEARS} years ahead.`,
  }[reading.problem];
  throw new LabvaultError(ErrorCodes.INVALID_INPUT, message, { field: 'retainUntil' });
}
