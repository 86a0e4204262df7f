/**
 * Retention days must be days the schedule runs. The weekly rule keeps the backup of its
 * weekday, and the monthly/yearly week+weekday forms keep the backup of that weekday: a
 * weekday with no scheduled run keeps nothing (a weekly Saturday schedule with the weekly
 * point on Sunday keeps no point at all). Pure and shared: the engine refuses such a policy
 * when it is created or changed, and the policy wizard shows the same field error as you type.
 *
 * Day-of-month forms ("day": 1) are not checked here: the first run on or after that day is
 * kept. Whether a policy keeps any scheduled point at all is the engine's keep-nothing check
 * (it simulates a year of runs).
 */
import { WEEKDAYS, type PolicyFieldError, type Weekday } from './policy.ts';

const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_HOUR = 60;
const CLOCK = /^(\d{2}):(\d{2})$/;

function isWeekday(value: unknown): value is Weekday {
  return typeof value === 'string' && (WEEKDAYS as readonly string[]).includes(value);
}

function weekdaysOf(value: unknown): Weekday[] {
  return Array.isArray(value) ? value.filter(isWeekday) : [];
}

function minutesOf(clock: unknown): number | null {
  const match = typeof clock === 'string' ? CLOCK.exec(clock) : null;
  return match ? Number(match[1]) * MINUTES_PER_HOUR + Number(match[2]) : null;
}

/** Day offsets (0 = the window's start day, 1 = the next day) of an hourly window's runs. */
function hourlyDayOffsets(schedule: Record<string, unknown>): number[] {
  const start = minutesOf(schedule.windowStart);
  const every = Number(schedule.everyHours);
  const hours = Number(schedule.windowHours);
  if (start === null || !Number.isInteger(every) || every < 1 || !Number.isFinite(hours) || hours < 1) return [0];
  const offsets = new Set<number>();
  for (let k = 0; k * every < hours && k < MINUTES_PER_DAY; k += 1) {
    offsets.add(Math.floor((start + k * every * MINUTES_PER_HOUR) / MINUTES_PER_DAY));
  }
  return [...offsets];
}

/**
 * The weekdays a schedule has runs on, Monday first. Hourly windows that pass midnight also
 * run on the next day. An unreadable schedule (the wizard mid-edit) counts as every day, so
 * no day error is shown before the schedule itself is valid.
 */
export function scheduledWeekdays(schedule: unknown): Weekday[] {
  if (typeof schedule !== 'object' || schedule === null) return [...WEEKDAYS];
  const value = schedule as Record<string, unknown>;
  if (value.frequency === 'weekly') {
    const days = new Set(weekdaysOf(value.days));
    return days.size === 0 ? [...WEEKDAYS] : WEEKDAYS.filter((day) => days.has(day));
  }
  if (value.frequency === 'hourly') {
    const starts = weekdaysOf(value.days);
    const startDays = starts.length === 0 ? [...WEEKDAYS] : starts;
    const runDays = new Set<Weekday>();
    for (const day of startDays) {
      for (const offset of hourlyDayOffsets(value)) {
        runDays.add(WEEKDAYS[(WEEKDAYS.indexOf(day) + offset) % WEEKDAYS.length] as Weekday);
      }
    }
    return WEEKDAYS.filter((day) => runDays.has(day));
  }
  return [...WEEKDAYS];
}

/**
 * The weekday a weekly (or week+weekday) retention rule should use by default: `preferred` when
 * the schedule runs that day, else the first day of the week (Monday first) the schedule runs.
 */
export function defaultRetentionWeekday(schedule: unknown, preferred: Weekday = 'sunday'): Weekday {
  const days = scheduledWeekdays(schedule);
  return days.includes(preferred) ? preferred : (days[0] ?? preferred);
}

function dayError(field: string, day: Weekday, runs: Weekday[], rule: string): PolicyFieldError {
  return {
    field,
    message: `must be a day the schedule runs (${runs.join(', ')}): no backup is made on ${day}, so the ${rule} rule`
      + ' would keep nothing',
  };
}

/**
 * Field errors for retention weekdays the schedule never runs on (retention.weekly.day,
 * retention.monthly.weekday, retention.yearly.weekday). Takes the policy.json shape, validated
 * or not; fields it cannot read are left to validatePolicy. Never throws.
 */
export function retentionDayErrors(policy: unknown): PolicyFieldError[] {
  if (typeof policy !== 'object' || policy === null) return [];
  const { schedule, retention } = policy as { schedule?: unknown; retention?: unknown };
  if (typeof retention !== 'object' || retention === null) return [];
  const runs = scheduledWeekdays(schedule);
  const rules = retention as Record<string, Record<string, unknown> | undefined>;
  const errors: PolicyFieldError[] = [];
  const weeklyDay = rules.weekly?.day;
  if (isWeekday(weeklyDay) && !runs.includes(weeklyDay)) {
    errors.push(dayError('retention.weekly.day', weeklyDay, runs, 'weekly'));
  }
  for (const rule of ['monthly', 'yearly'] as const) {
    const weekday = rules[rule]?.weekday;
    if (isWeekday(weekday) && !runs.includes(weekday)) {
      errors.push(dayError(`retention.${rule}.weekday`, weekday, runs, rule));
    }
  }
  return errors;
}
