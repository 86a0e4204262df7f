/** One-line descriptions of a policy's schedule and retention, for lists and hints. */
import { plural } from '../../format/plural.ts';
import type { PolicyRetention, PolicySchedule } from '../../../shared/policy.ts';

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function dayList(days: readonly string[]): string {
  return days.map((day) => capital(day.slice(0, 3))).join(', ');
}

export function scheduleSummary(schedule: PolicySchedule | undefined): string {
  if (!schedule) return '—';
  switch (schedule.frequency) {
    case 'daily': return `Daily at ${schedule.time}`;
    case 'weekly': return `Weekly on ${dayList(schedule.days)} at ${schedule.time}`;
    case 'hourly': return `Every ${schedule.everyHours} h from ${schedule.windowStart} for ${schedule.windowHours} h${schedule.days ? ` on ${dayList(schedule.days)}` : ''}`;
  }
}

function ordinalDay(day: number): string {
  const suffix = day % 10 === 1 && day !== 11 ? 'st' : day % 10 === 2 && day !== 12 ? 'nd' : day % 10 === 3 && day !== 13 ? 'rd' : 'th';
  return `${day}${suffix}`;
}

export function retentionSummary(retention: PolicyRetention | undefined): string {
  if (!retention) return '—';
  const parts: string[] = [];
  if (retention.daily) parts.push(`daily points ${plural(retention.daily.days, 'day')}`);
  if (retention.weekly) parts.push(`weekly (${capital(retention.weekly.day.slice(0, 3))}) ${plural(retention.weekly.weeks, 'week')}`);
  if (retention.monthly) {
    const when = 'day' in retention.monthly ? ordinalDay(retention.monthly.day) : `${retention.monthly.week} ${capital(retention.monthly.weekday.slice(0, 3))}`;
    parts.push(`monthly (${when}) ${plural(retention.monthly.months, 'month')}`);
  }
  if (retention.yearly) {
    const when = 'day' in retention.yearly ? `${capital(retention.yearly.month.slice(0, 3))} ${retention.yearly.day}` : `${retention.yearly.week} ${capital(retention.yearly.weekday.slice(0, 3))} of ${capital(retention.yearly.month.slice(0, 3))}`;
    parts.push(`yearly (${when}) ${plural(retention.yearly.years, 'year')}`);
  }
  return parts.length > 0 ? `Keeps ${parts.join(', ')}` : '—';
}

/** From a policy view's untyped body (policy.json shape). */
export function policyScheduleSummary(body: Record<string, unknown>): string {
  return scheduleSummary(body.schedule as PolicySchedule | undefined);
}

export function policyRetentionSummary(body: Record<string, unknown>): string {
  return retentionSummary(body.retention as PolicyRetention | undefined);
}
