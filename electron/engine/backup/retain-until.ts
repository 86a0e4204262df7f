/**
 * "Backup now" retain-until: a date YYYY-MM-DD (kept until the end of that day, local time)
 * or an ISO instant; default 30 days from now; never in the past; at most 99 years ahead.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';

export const DEFAULT_RETAIN_DAYS = 30;
export const MAX_RETAIN_YEARS = 99;

export function resolveRetainUntil(value: string | undefined, now: Date): Date {
  if (value === undefined || value.trim() === '') return new Date(now.getTime() + DEFAULT_RETAIN_DAYS * 86_400_000);
  const text = value.trim();
  let until: Date;
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (dateOnly) {
    const [year, month, day] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    until = new Date(year, month - 1, day, 23, 59, 59, 999);
    if (until.getFullYear() !== year || until.getMonth() !== month - 1 || until.getDate() !== day) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Retain-until "${text}" is not a real date (YYYY-MM-DD).`, { field: 'retainUntil' });
    }
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text))) {
    until = new Date(text);
  } else {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Retain-until "${text}" must be a date written YYYY-MM-DD.`, { field: 'retainUntil' });
  }
  if (until.getTime() < now.getTime()) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Retain-until ${text} is in the past: choose today or a later date.`, { field: 'retainUntil' });
  }
  const max = new Date(now);
  max.setFullYear(max.getFullYear() + MAX_RETAIN_YEARS);
  if (until.getTime() > max.getTime()) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Retain-until ${text} is more than ${MAX_RETAIN_YEARS} years ahead.`, { field: 'retainUntil' });
  }
  return until;
}
