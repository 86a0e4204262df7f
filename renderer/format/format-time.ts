/**
 * Dates in the user's local time, always with the zone, so a screenshot or a support
 * message is never ambiguous.
 */
const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
});
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short',
});
const dateOnly = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export const LOCAL_TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

function parse(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function formatDateTime(iso: string | null | undefined, empty = '—'): string {
  const date = parse(iso);
  return date ? dateTime.format(date) : empty;
}

/** With seconds: for job and subtask times, which are often seconds apart. */
export function formatDateTimeSeconds(iso: string | null | undefined, empty = '—'): string {
  const date = parse(iso);
  return date ? dateTimeSeconds.format(date) : empty;
}

export function formatDate(iso: string | null | undefined, empty = '—'): string {
  const date = parse(iso);
  return date ? dateOnly.format(date) : empty;
}

export function formatClock(iso: string | null | undefined): string {
  const date = parse(iso);
  return date ? timeOnly.format(date) : '—';
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 1) return '< 1 s';
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${whole % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function secondsBetween(startIso: string | null | undefined, endIso: string | null | undefined): number | null {
  const start = parse(startIso);
  if (!start) return null;
  const end = parse(endIso) ?? new Date();
  return (end.getTime() - start.getTime()) / 1000;
}

export function relativeAge(iso: string | null | undefined): string {
  const date = parse(iso);
  if (!date) return 'never';
  const seconds = (Date.now() - date.getTime()) / 1000;
  if (seconds < 90) return 'just now';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400 * 2) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} days ago`;
}

/** YYYY-MM-DD of a local date (one definition, shared with the engine's retain-until rule). */
export { localDayKey } from '../../shared/retain-until.ts';
