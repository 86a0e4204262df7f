/**
 * What the policy wizard edits: a form-friendly draft (numbers as typed text), turned
 * into the policy.json shape for validatePolicy and the engine, and back when editing.
 */
import {
  DEFAULT_POLICY_DAILY_DAYS, HOURLY_INTERVALS, POLICY_LIMITS, validatePolicy, policyTypeOf,
  type MonthName, type PolicyFieldError, type PolicyType, type Weekday, type WeekOrdinal,
} from '../../../shared/policy.ts';
import { defaultRetentionWeekday, retentionDayErrors, scheduledWeekdays } from '../../../shared/policy-retention-rules.ts';
import { LOCAL_TIME_ZONE } from '../../format/format-time.ts';

export type DayRule = { mode: 'day'; day: string } | { mode: 'weekday'; week: WeekOrdinal; weekday: Weekday };

export interface PolicyDraft {
  name: string;
  frequency: 'daily' | 'weekly' | 'hourly';
  time: string;
  days: Weekday[];
  everyHours: number;
  windowStart: string;
  windowHours: string;
  /** Weekdays an hourly window starts on; empty = every day. */
  hourlyDays: Weekday[];
  enhanced: boolean;
  timeZone: string;
  instantRestoreDays: string;
  /** Test restore after every backup (policy.json "testRestore"; written only when off). */
  testRestore: boolean;
  daily: { on: boolean; days: string };
  weekly: { on: boolean; weeks: string; day: Weekday };
  monthly: { on: boolean; months: string; rule: DayRule };
  yearly: { on: boolean; years: string; month: MonthName; rule: DayRule };
}

export function newPolicyDraft(): PolicyDraft {
  return {
    name: '',
    frequency: 'daily',
    time: '22:00',
    days: ['sunday'],
    everyHours: 4,
    windowStart: '08:00',
    windowHours: '12',
    hourlyDays: [],
    enhanced: false,
    timeZone: LOCAL_TIME_ZONE,
    instantRestoreDays: String(POLICY_LIMITS.instantRestoreDays.standard.default),
    testRestore: true,
    daily: { on: true, days: String(DEFAULT_POLICY_DAILY_DAYS) },
    weekly: { on: false, weeks: '12', day: 'sunday' },
    monthly: { on: false, months: '12', rule: { mode: 'day', day: '1' } },
    yearly: { on: false, years: '5', month: 'january', rule: { mode: 'day', day: '1' } },
  };
}

function number(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
}

function dayRuleBody(rule: DayRule): Record<string, unknown> {
  return rule.mode === 'day' ? { day: number(rule.day) } : { week: rule.week, weekday: rule.weekday };
}

export function draftType(draft: PolicyDraft): PolicyType {
  return draft.frequency === 'hourly' || draft.enhanced ? 'enhanced' : 'standard';
}

/** The policy.json shape (unvalidated). */
export function draftToPolicy(draft: PolicyDraft): Record<string, unknown> {
  const schedule = draft.frequency === 'daily'
    ? { frequency: 'daily', time: draft.time }
    : draft.frequency === 'weekly'
      ? { frequency: 'weekly', days: draft.days, time: draft.time }
      : { frequency: 'hourly', everyHours: draft.everyHours, windowStart: draft.windowStart, windowHours: number(draft.windowHours), ...(draft.hourlyDays.length > 0 ? { days: draft.hourlyDays } : {}) };
  const retention: Record<string, unknown> = {};
  if (draft.daily.on) retention.daily = { days: number(draft.daily.days) };
  if (draft.weekly.on) retention.weekly = { weeks: number(draft.weekly.weeks), day: draft.weekly.day };
  if (draft.monthly.on) {
    retention.monthly = { months: number(draft.monthly.months), ...dayRuleBody(draft.monthly.rule) };
  }
  if (draft.yearly.on) {
    retention.yearly = {
      years: number(draft.yearly.years), month: draft.yearly.month, ...dayRuleBody(draft.yearly.rule),
    };
  }
  return {
    name: draft.name,
    timeZone: draft.timeZone,
    ...(draft.frequency !== 'hourly' && draft.enhanced ? { type: 'enhanced' } : {}),
    schedule,
    instantRestoreDays: number(draft.instantRestoreDays),
    retention,
    ...(draft.testRestore ? {} : { testRestore: false }),
  };
}

function ruleOf(value: { day?: unknown; week?: unknown; weekday?: unknown }): DayRule {
  if (value.week !== undefined) return { mode: 'weekday', week: value.week as WeekOrdinal, weekday: (value.weekday ?? 'sunday') as Weekday };
  return { mode: 'day', day: String(value.day ?? 1) };
}

const SCHEDULE_FIELDS = ['frequency', 'days', 'hourlyDays', 'everyHours', 'windowStart', 'windowHours'] as const;

/**
 * Applies a change to the draft; when the schedule changes so that the weekly retention day is
 * no longer a day backups run, that day moves to the first day the schedule runs (its default).
 */
export function changeDraft(previous: PolicyDraft, change: Partial<PolicyDraft>): PolicyDraft {
  const next = { ...previous, ...change };
  if (!SCHEDULE_FIELDS.some((field) => field in change)) return next;
  const schedule = draftToPolicy(next).schedule;
  if (scheduledWeekdays(schedule).includes(next.weekly.day)) return next;
  return { ...next, weekly: { ...next.weekly, day: defaultRetentionWeekday(schedule, next.weekly.day) } };
}

/** A stored policy back into a draft, for editing. */
export function policyToDraft(body: Record<string, unknown>): PolicyDraft {
  const draft = newPolicyDraft();
  const schedule = (body.schedule ?? {}) as Record<string, unknown>;
  const retention = (body.retention ?? {}) as Record<string, Record<string, unknown> | undefined>;
  draft.name = String(body.name ?? '');
  draft.timeZone = String(body.timeZone ?? draft.timeZone);
  draft.frequency = (schedule.frequency as PolicyDraft['frequency']) ?? 'daily';
  if (typeof schedule.time === 'string') draft.time = schedule.time;
  if (draft.frequency === 'weekly' && Array.isArray(schedule.days)) draft.days = schedule.days as Weekday[];
  if (draft.frequency === 'hourly') {
    draft.everyHours = Number(schedule.everyHours ?? 4);
    draft.windowStart = String(schedule.windowStart ?? '08:00');
    draft.windowHours = String(schedule.windowHours ?? 12);
    draft.hourlyDays = Array.isArray(schedule.days) ? (schedule.days as Weekday[]) : [];
  }
  draft.enhanced = policyTypeOf({ type: body.type as PolicyType | undefined, schedule: { frequency: draft.frequency } }) === 'enhanced';
  if (body.instantRestoreDays !== undefined) draft.instantRestoreDays = String(body.instantRestoreDays);
  draft.testRestore = body.testRestore !== false;
  draft.daily = retention.daily ? { on: true, days: String(retention.daily.days) } : { ...draft.daily, on: false };
  draft.weekly = retention.weekly
    ? { on: true, weeks: String(retention.weekly.weeks), day: retention.weekly.day as Weekday }
    : draft.weekly;
  draft.monthly = retention.monthly
    ? { on: true, months: String(retention.monthly.months), rule: ruleOf(retention.monthly) }
    : draft.monthly;
  draft.yearly = retention.yearly
    ? {
      on: true, years: String(retention.yearly.years), month: retention.yearly.month as MonthName,
      rule: ruleOf(retention.yearly),
    }
    : draft.yearly;
  return draft;
}

export type PolicyErrors = Map<string, string>;

export function policyErrors(draft: PolicyDraft): PolicyErrors {
  const policy = draftToPolicy(draft);
  const result = validatePolicy(policy);
  const errors: PolicyErrors = new Map();
  if (!result.ok) {
    for (const error of result.errors as PolicyFieldError[]) {
      if (!errors.has(error.field)) errors.set(error.field, error.message);
    }
  }
  // Retention weekdays the schedule never runs on (the engine refuses them the same way).
  for (const error of retentionDayErrors(policy)) {
    if (!errors.has(error.field)) errors.set(error.field, error.message);
  }
  return errors;
}

/** The message for a field (validatePolicy says "must be ..."; we show "Must be ..."). */
export function fieldError(errors: PolicyErrors, field: string): string | null {
  const message = errors.get(field);
  if (!message) return null;
  return `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
}

export function errorsUnder(errors: PolicyErrors, prefixes: readonly string[]): string[] {
  return [...errors.keys()].filter((field) => prefixes.some((prefix) => field === prefix || field.startsWith(`${prefix}.`) || field.startsWith(`${prefix}[`)));
}

export const HOURLY_CHOICES = HOURLY_INTERVALS;
