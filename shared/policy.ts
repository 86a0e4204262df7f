/**
 * Backup policy: the file shape, its validation, and the default policy. Shared by the
 * engine and the UI (no Node imports here).
 *
 * Shape (a public interface: extend, never change):
 *   { "name": "lab-nightly", "timeZone": "Europe/Berlin",
 *     "type"?: "standard" | "enhanced",            // optional; derived when absent
 *     "schedule": { "frequency": "daily", "time": "02:30" }
 *              | { "frequency": "weekly", "days": ["sunday"], "time": "22:00" }
 *              | { "frequency": "hourly", "everyHours": 4, "windowStart": "08:00",
 *                  "windowHours": 12, "days"?: ["monday", ...] },
 *     "instantRestoreDays"?: 2,
 *     "testRestore"?: true,                          // optional; absent = on
 *     "retention": { "daily"?: { "days": 30 }, "weekly"?: { "weeks": 12, "day": "sunday" },
 *                    "monthly"?: { "months": 60, "day": 1 } | { "months": 60, "week": "last", "weekday": "friday" },
 *                    "yearly"?: { "years": 10, "month": "january", "day": 1 } | { ..., "week", "weekday" } } }
 *
 * Decisions:
 * - name: 1-150 characters, starts with a letter, then letters, digits, '-' or '_'.
 * - type: an hourly schedule makes an enhanced policy; daily/weekly are standard unless
 *   "type": "enhanced" is given (an enhanced policy may run daily or weekly). "standard"
 *   with an hourly schedule is an error. Use policyTypeOf() to read it.
 * - instantRestoreDays: standard 1-5 (default 2), enhanced 1-30 (default 7); the
 *   validated policy always carries it.
 * - hourly: everyHours in {4, 6, 8, 12, 24}; windowHours 1-24 whole hours. Runs fall at
 *   windowStart + k * everyHours while k * everyHours < windowHours, so every window has
 *   at least its start run. Optional "days" limits the weekdays a window starts on
 *   (absent: every day).
 * - retention: at least one rule. Monthly/yearly take either "day" (1-31, clamped to the
 *   month's length) or "week" + "weekday", not both. Yearly day must exist in the month
 *   in a leap year (February 29 allowed, clamped to the 28th in other years).
 * - Objects are strict: unknown fields are errors (they are usually typos).
 * - testRestore: after every backup, read the point's partition tables and walk each
 *   readable filesystem's metadata (a test restore). On unless false; absent in policies
 *   written before the setting, which therefore keep it on. Use testsRestore() to read it.
 * - timeZone: any zone the platform's Intl knows, written as an IANA name (Area/City or
 *   UTC); fixed offsets like "+01:00" are refused. Letter case is normalised.
 */
import { z } from './zod-jitless.ts';
import { ErrorCodes, LabvaultError } from './errors.ts';

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'] as const;
export const WEEK_ORDINALS = ['first', 'second', 'third', 'fourth', 'last'] as const;
export const HOURLY_INTERVALS = [4, 6, 8, 12, 24] as const;

export type Weekday = (typeof WEEKDAYS)[number];
export type MonthName = (typeof MONTHS)[number];
export type WeekOrdinal = (typeof WEEK_ORDINALS)[number];
export type HourlyInterval = (typeof HOURLY_INTERVALS)[number];
export type PolicyType = 'standard' | 'enhanced';
export type RetentionRuleName = 'daily' | 'weekly' | 'monthly' | 'yearly';

export const POLICY_LIMITS = {
  nameMaxLength: 150,
  dailyDays: { min: 7, max: 9999 },
  weeklyWeeks: { min: 1, max: 5163 },
  monthlyMonths: { min: 1, max: 1188 },
  yearlyYears: { min: 1, max: 99 },
  windowHours: { min: 1, max: 24 },
  instantRestoreDays: {
    standard: { min: 1, max: 5, default: 2 },
    enhanced: { min: 1, max: 30, default: 7 },
  },
} as const;

export const DEFAULT_POLICY_NAME = 'DefaultPolicy';
export const DEFAULT_POLICY_TIME = '22:00';
export const DEFAULT_POLICY_DAILY_DAYS = 30;

export interface DailySchedule { frequency: 'daily'; time: string }
export interface WeeklySchedule { frequency: 'weekly'; days: Weekday[]; time: string }
export interface HourlySchedule {
  frequency: 'hourly';
  everyHours: HourlyInterval;
  windowStart: string;
  windowHours: number;
  /** Weekdays a window starts on; absent = every day. */
  days?: Weekday[];
}
export type PolicySchedule = DailySchedule | WeeklySchedule | HourlySchedule;

export interface DailyRetention { days: number }
export interface WeeklyRetention { weeks: number; day: Weekday }
export type MonthlyRetention =
  | { months: number; day: number }
  | { months: number; week: WeekOrdinal; weekday: Weekday };
export type YearlyRetention =
  | { years: number; month: MonthName; day: number }
  | { years: number; month: MonthName; week: WeekOrdinal; weekday: Weekday };

export interface PolicyRetention {
  daily?: DailyRetention;
  weekly?: WeeklyRetention;
  monthly?: MonthlyRetention;
  yearly?: YearlyRetention;
}

/** A validated policy (instantRestoreDays always present). */
export interface Policy {
  name: string;
  timeZone: string;
  type?: PolicyType;
  schedule: PolicySchedule;
  instantRestoreDays: number;
  retention: PolicyRetention;
  /** false turns the test restore after each backup off; absent means on. */
  testRestore?: boolean;
}

export interface PolicyFieldError { field: string; message: string }
export type PolicyValidation = { ok: true; policy: Policy } | { ok: false; errors: PolicyFieldError[] };

const CLOCK_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;
const ZONE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;
const DAYS_IN_MONTH_LEAP = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function between(min: number, max: number): string {
  return `must be between ${min} and ${max}`;
}

function wholeNumberBetween(min: number, max: number) {
  const message = between(min, max);
  return z.number().int({ error: `must be a whole number between ${min} and ${max}` }).min(min, { error: message }).max(max, { error: message });
}

const clock = z.string().regex(CLOCK_PATTERN, { error: 'must be a time "HH:MM" between 00:00 and 23:59' });
const weekday = z.enum(WEEKDAYS, { error: `must be a weekday in lowercase english (${WEEKDAYS.join(', ')})` });
const month = z.enum(MONTHS, { error: 'must be a month in lowercase english (january ... december)' });
const weekOrdinal = z.enum(WEEK_ORDINALS, { error: `must be one of ${WEEK_ORDINALS.join(', ')}` });
const weekdayList = z
  .array(weekday)
  .min(1, { error: 'must name at least one weekday' })
  .refine((days) => new Set(days).size === days.length, { error: 'must not name a weekday twice' });

const timeZoneName = z
  .string()
  .regex(ZONE_NAME_PATTERN, { error: 'must be an IANA time zone name such as Europe/Berlin' })
  .refine(isValidTimeZone, { error: 'is not a time zone this system knows (use an IANA name such as Europe/Berlin)' })
  .transform(normaliseTimeZone);

const schedule = z.discriminatedUnion(
  'frequency',
  [
    z.strictObject({ frequency: z.literal('daily'), time: clock }),
    z.strictObject({ frequency: z.literal('weekly'), days: weekdayList, time: clock }),
    z.strictObject({
      frequency: z.literal('hourly'),
      everyHours: z.union(HOURLY_INTERVALS.map((hours) => z.literal(hours)), { error: `must be one of ${HOURLY_INTERVALS.join(', ')}` }),
      windowStart: clock,
      windowHours: wholeNumberBetween(POLICY_LIMITS.windowHours.min, POLICY_LIMITS.windowHours.max),
      days: weekdayList.optional(),
    }),
  ],
  { error: 'must be "daily", "weekly" or "hourly"' },
);

/** Day-of-month or week+weekday: exactly one of the two forms. */
function checkDayOrWeekday(
  value: { day?: number | undefined; week?: unknown; weekday?: unknown },
  context: z.core.$RefinementCtx<unknown>,
): void {
  const hasDay = value.day !== undefined;
  const hasWeek = value.week !== undefined || value.weekday !== undefined;
  if (hasDay && hasWeek) {
    context.addIssue({ code: 'custom', path: ['day'], message: 'must not be given together with week/weekday (choose one form)' });
  } else if (!hasDay && !hasWeek) {
    context.addIssue({ code: 'custom', path: ['day'], message: 'is required (or give week and weekday)' });
  } else if (hasWeek) {
    if (value.week === undefined) context.addIssue({ code: 'custom', path: ['week'], message: 'is required with weekday' });
    if (value.weekday === undefined) context.addIssue({ code: 'custom', path: ['weekday'], message: 'is required with week' });
  }
}

const dayOfMonth = z.number().int({ error: 'must be a whole number between 1 and 31' }).min(1, { error: between(1, 31) }).max(31, { error: between(1, 31) });

const monthly = z
  .strictObject({
    months: wholeNumberBetween(POLICY_LIMITS.monthlyMonths.min, POLICY_LIMITS.monthlyMonths.max),
    day: dayOfMonth.optional(),
    week: weekOrdinal.optional(),
    weekday: weekday.optional(),
  })
  .superRefine(checkDayOrWeekday);

const yearly = z
  .strictObject({
    years: wholeNumberBetween(POLICY_LIMITS.yearlyYears.min, POLICY_LIMITS.yearlyYears.max),
    month,
    day: dayOfMonth.optional(),
    week: weekOrdinal.optional(),
    weekday: weekday.optional(),
  })
  .superRefine((value, context) => {
    checkDayOrWeekday(value, context);
    const longest = DAYS_IN_MONTH_LEAP[MONTHS.indexOf(value.month)] ?? 31;
    if (value.day !== undefined && value.day > longest) {
      context.addIssue({ code: 'custom', path: ['day'], message: `must be between 1 and ${longest} for ${value.month}` });
    }
  });

const retention = z
  .strictObject({
    daily: z.strictObject({
      days: wholeNumberBetween(POLICY_LIMITS.dailyDays.min, POLICY_LIMITS.dailyDays.max),
    }).optional(),
    weekly: z.strictObject({
      weeks: wholeNumberBetween(POLICY_LIMITS.weeklyWeeks.min, POLICY_LIMITS.weeklyWeeks.max), day: weekday,
    }).optional(),
    monthly: monthly.optional(),
    yearly: yearly.optional(),
  })
  .refine((rules) => rules.daily !== undefined || rules.weekly !== undefined
    || rules.monthly !== undefined || rules.yearly !== undefined, {
    error: 'must keep points with at least one rule (daily, weekly, monthly or yearly)',
  });

export const policySchema = z
  .strictObject({
    name: z
      .string()
      .min(1, { error: 'is required', abort: true })
      .max(POLICY_LIMITS.nameMaxLength, { error: `must be at most ${POLICY_LIMITS.nameMaxLength} characters` })
      .regex(NAME_PATTERN, { error: 'must start with a letter and use only letters, digits, "-" and "_"' }),
    timeZone: timeZoneName,
    type: z.enum(['standard', 'enhanced'], { error: 'must be "standard" or "enhanced"' }).optional(),
    schedule,
    instantRestoreDays: z.number().int({ error: 'must be a whole number of days' }).optional(),
    retention,
    testRestore: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .superRefine((value, context) => {
    if (value.type === 'standard' && value.schedule.frequency === 'hourly') {
      context.addIssue({ code: 'custom', path: ['type'], message: 'must be "enhanced" for an hourly schedule' });
    }
    const type = policyTypeOf(value);
    const limits = POLICY_LIMITS.instantRestoreDays[type];
    const days = value.instantRestoreDays;
    if (days !== undefined && (days < limits.min || days > limits.max)) {
      context.addIssue({ code: 'custom', path: ['instantRestoreDays'], message: `${between(limits.min, limits.max)} for ${type === 'enhanced' ? 'an' : 'a'} ${type} policy` });
    }
  });

/** Answers per zone name: every policy record read checks its zone, and each Intl check costs about a millisecond. */
const timeZoneValidity = new Map<string, boolean>();

let listedZones: Set<string> | undefined;

/**
 * Whether `zone` is one of the zone names this runtime lists, as written, or "UTC" (which every
 * implementation must support, and which the list leaves out). Intl.supportedValuesOf takes
 * about 2 ms once, where the first Intl.DateTimeFormat of a process takes about 12 (it loads
 * the time zone data): most commands read a policy, few format a time.
 */
function listedTimeZone(zone: string): boolean {
  listedZones ??= new Set(['UTC', ...(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [])]);
  return listedZones.has(zone);
}

function isValidTimeZone(zone: string): boolean {
  if (listedTimeZone(zone)) return true;
  const known = timeZoneValidity.get(zone);
  if (known !== undefined) return known;
  let valid: boolean;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    valid = true;
  } catch {
    valid = false;
  }
  if (timeZoneValidity.size < 1024) timeZoneValidity.set(zone, valid);
  return valid;
}

/** Fixes letter case only ("europe/berlin" -> "Europe/Berlin"); never swaps aliases. */
function normaliseTimeZone(zone: string): string {
  if (listedTimeZone(zone)) return zone;
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
}

/** standard | enhanced: "type" when given, else enhanced exactly for hourly schedules. */
export function policyTypeOf(policy: { type?: PolicyType | undefined; schedule: { frequency: string } }): PolicyType {
  if (policy.type !== undefined) return policy.type;
  return policy.schedule.frequency === 'hourly' ? 'enhanced' : 'standard';
}

/** Whether backups under the policy end with a test restore (on unless turned off). */
export function testsRestore(policy: Pick<Policy, 'testRestore'>): boolean {
  return policy.testRestore !== false;
}

function fieldOf(path: readonly PropertyKey[]): string {
  let field = '';
  for (const key of path) {
    if (typeof key === 'number') field += `[${key}]`;
    else field += field === '' ? String(key) : `.${String(key)}`;
  }
  return field;
}

function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'is required';
    if (!issue.message.startsWith('Invalid input')) return issue.message;
    const expected = String(issue.expected);
    if (expected === 'object') return 'must be an object';
    if (expected === 'array') return 'must be a list';
    if (expected === 'int') return 'must be a whole number';
    return `must be a ${expected}`;
  }
  return issue.message;
}

/** Field-level errors; unknown fields are reported one per field. */
function errorsOf(issues: readonly z.core.$ZodIssue[]): PolicyFieldError[] {
  const errors: PolicyFieldError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.push({ field: fieldOf([...issue.path, key]), message: 'is not a known field' });
    } else {
      errors.push({ field: fieldOf(issue.path) || 'policy', message: messageOf(issue) });
    }
  }
  return errors;
}

/** Validates a parsed policy file. Never throws. */
export function validatePolicy(input: unknown): PolicyValidation {
  const result = policySchema.safeParse(input, { reportInput: true });
  if (!result.success) return { ok: false, errors: errorsOf(result.error.issues) };
  const value = result.data;
  const policy: Policy = {
    name: value.name,
    timeZone: value.timeZone,
    schedule: value.schedule as PolicySchedule,
    instantRestoreDays: value.instantRestoreDays ?? POLICY_LIMITS.instantRestoreDays[policyTypeOf(value)].default,
    retention: value.retention as PolicyRetention,
  };
  if (value.type !== undefined) policy.type = value.type;
  if (value.testRestore !== undefined) policy.testRestore = value.testRestore;
  return { ok: true, policy };
}

/** Like validatePolicy, but throws LabvaultError(INVALID_INPUT) naming the first bad field. */
export function parsePolicy(input: unknown, source = 'policy'): Policy {
  const result = validatePolicy(input);
  if (result.ok) return result.policy;
  const first = result.errors[0] ?? { field: 'policy', message: 'is not valid' };
  throw new LabvaultError(ErrorCodes.INVALID_INPUT, `${source}: ${first.field} ${first.message}`, {
    field: first.field,
    details: { errors: result.errors },
  });
}

/** The policy every vault has: daily at 22:00 in the zone, daily points kept 30 days. */
export function defaultPolicy(timeZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone): Policy {
  return parsePolicy({
    name: DEFAULT_POLICY_NAME,
    timeZone,
    schedule: { frequency: 'daily', time: DEFAULT_POLICY_TIME },
    instantRestoreDays: POLICY_LIMITS.instantRestoreDays.standard.default,
    retention: { daily: { days: DEFAULT_POLICY_DAILY_DAYS } },
  }, 'default policy');
}
