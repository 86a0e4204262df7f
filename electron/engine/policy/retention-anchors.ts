/**
 * Where the weekly, monthly and yearly retention rules anchor in each calendar period.
 *
 * Periods are civil (wall-clock) periods in the policy's time zone: weeks start on Monday;
 * months and years are calendar months and years. Each function returns the period key
 * of a civil day and the civil day the rule anchors on in that period.
 */
import { MONTHS, WEEK_ORDINALS, WEEKDAYS, type MonthlyRetention, type WeekOrdinal, type WeeklyRetention, type YearlyRetention } from '../../../shared/policy.ts';
import { civilDateOfDay, civilDayOf, clampedDay, mondayOfDay, nthWeekdayOfMonth } from './civil-date.ts';

export interface RetentionPeriod {
  /** Identifies the period (Monday's day, year*12+month-1, or the year). */
  key: number;
  /** The civil day the rule anchors on in that period. */
  anchorDay: number;
}

function weekdayIndex(name: string): number {
  return WEEKDAYS.indexOf(name as (typeof WEEKDAYS)[number]);
}

function ordinalOf(week: WeekOrdinal): number | 'last' {
  return week === 'last' ? 'last' : WEEK_ORDINALS.indexOf(week) + 1;
}

/** Day-of-month (clamped to the month's length) or nth/last weekday of the month. */
function anchorInMonth(
  year: number, month: number, rule: { day?: number; week?: WeekOrdinal; weekday?: string },
): number {
  if (rule.day !== undefined) return civilDayOf({ year, month, day: clampedDay(year, month, rule.day) });
  return nthWeekdayOfMonth(year, month, ordinalOf(rule.week ?? 'first'), weekdayIndex(rule.weekday ?? 'monday'));
}

export function weeklyPeriod(day: number, rule: WeeklyRetention): RetentionPeriod {
  const monday = mondayOfDay(day);
  return { key: monday, anchorDay: monday + weekdayIndex(rule.day) };
}

export function monthlyPeriod(day: number, rule: MonthlyRetention): RetentionPeriod {
  const { year, month } = civilDateOfDay(day);
  return { key: year * 12 + month - 1, anchorDay: anchorInMonth(year, month, rule) };
}

export function yearlyPeriod(day: number, rule: YearlyRetention): RetentionPeriod {
  const { year } = civilDateOfDay(day);
  const month = MONTHS.indexOf(rule.month) + 1;
  return { key: year, anchorDay: anchorInMonth(year, month, rule) };
}
