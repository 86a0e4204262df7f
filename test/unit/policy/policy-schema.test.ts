import { describe, expect, it } from 'vitest';
import { defaultPolicy, parsePolicy, policyTypeOf, validatePolicy } from '../../../shared/policy.ts';

const base = {
  name: 'lab-nightly',
  timeZone: 'Europe/Berlin',
  schedule: { frequency: 'daily', time: '02:30' },
  retention: { daily: { days: 30 } },
};

function errorsOf(input: unknown): { field: string; message: string }[] {
  const result = validatePolicy(input);
  return result.ok ? [] : result.errors;
}

function withRetention(retention: unknown) {
  return { ...base, retention };
}

describe('validatePolicy accepts the documented shapes', () => {
  it('accepts the issue example and fills instant restore defaults', () => {
    const result = validatePolicy({
      ...base,
      retention: {
        daily: { days: 30 },
        weekly: { weeks: 12, day: 'sunday' },
        monthly: { months: 60, day: 1 },
        yearly: { years: 10, month: 'january', day: 1 },
      },
    });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.policy.instantRestoreDays).toBe(2);
    const hourly = validatePolicy({ ...base, schedule: { frequency: 'hourly', everyHours: 4, windowStart: '08:00', windowHours: 12 } });
    expect(hourly.ok && hourly.policy.instantRestoreDays).toBe(7);
    expect(hourly.ok && policyTypeOf(hourly.policy)).toBe('enhanced');
    const weekly = validatePolicy({ ...base, schedule: { frequency: 'weekly', days: ['sunday', 'wednesday'], time: '22:00' }, retention: { monthly: { months: 60, week: 'last', weekday: 'friday' } } });
    expect(weekly.ok && policyTypeOf(weekly.policy)).toBe('standard');
    const enhancedDaily = validatePolicy({ ...base, type: 'enhanced', instantRestoreDays: 30 });
    expect(enhancedDaily.ok && policyTypeOf(enhancedDaily.policy)).toBe('enhanced');
  });

  it('normalises the letter case of a time zone', () => {
    const result = validatePolicy({ ...base, timeZone: 'europe/berlin' });
    expect(result.ok && result.policy.timeZone).toBe('Europe/Berlin');
  });

  it('defaultPolicy: daily 22:00 in the given zone, 30 days, instant restore 2', () => {
    expect(defaultPolicy('Asia/Tokyo')).toEqual({
      name: 'DefaultPolicy',
      timeZone: 'Asia/Tokyo',
      schedule: { frequency: 'daily', time: '22:00' },
      instantRestoreDays: 2,
      retention: { daily: { days: 30 } },
    });
    expect(() => defaultPolicy('Mars/Base')).toThrow(/timeZone/);
  });
});

describe('validatePolicy limits (each boundary, inside and outside)', () => {
  const cases: [string, (value: number) => unknown, number, number, string][] = [
    ['retention.daily.days', (v) => withRetention({ daily: { days: v } }), 7, 9999, 'must be between 7 and 9999'],
    ['retention.weekly.weeks', (v) => withRetention({ weekly: { weeks: v, day: 'sunday' } }), 1, 5163, 'must be between 1 and 5163'],
    ['retention.monthly.months', (v) => withRetention({ monthly: { months: v, day: 1 } }), 1, 1188, 'must be between 1 and 1188'],
    ['retention.yearly.years', (v) => withRetention({ yearly: { years: v, month: 'january', day: 1 } }), 1, 99, 'must be between 1 and 99'],
    ['retention.monthly.day', (v) => withRetention({ monthly: { months: 1, day: v } }), 1, 31, 'must be between 1 and 31'],
    ['schedule.windowHours', (v) => ({ ...base, schedule: { frequency: 'hourly', everyHours: 4, windowStart: '08:00', windowHours: v } }), 1, 24, 'must be between 1 and 24'],
    ['instantRestoreDays', (v) => ({ ...base, instantRestoreDays: v }), 1, 5, 'must be between 1 and 5 for a standard policy'],
    ['instantRestoreDays', (v) => ({ ...base, type: 'enhanced', instantRestoreDays: v }), 1, 30, 'must be between 1 and 30 for an enhanced policy'],
  ];
  for (const [field, build, min, max, message] of cases) {
    it(`${field} ${min}..${max}`, () => {
      expect(errorsOf(build(min))).toEqual([]);
      expect(errorsOf(build(max))).toEqual([]);
      expect(errorsOf(build(min - 1))).toEqual([{ field, message }]);
      expect(errorsOf(build(max + 1))).toEqual([{ field, message }]);
      expect(errorsOf(build(min + 0.5))[0]?.field).toBe(field);
    });
  }

  it('yearly day must exist in the month (leap years allowed)', () => {
    expect(errorsOf(withRetention({ yearly: { years: 1, month: 'february', day: 29 } }))).toEqual([]);
    expect(errorsOf(withRetention({ yearly: { years: 1, month: 'february', day: 30 } }))).toEqual([{ field: 'retention.yearly.day', message: 'must be between 1 and 29 for february' }]);
    expect(errorsOf(withRetention({ yearly: { years: 1, month: 'april', day: 31 } }))).toEqual([{ field: 'retention.yearly.day', message: 'must be between 1 and 30 for april' }]);
  });

  it('everyHours must be 4, 6, 8, 12 or 24', () => {
    const hourly = (everyHours: number) => ({ ...base, schedule: { frequency: 'hourly', everyHours, windowStart: '08:00', windowHours: 12 } });
    for (const ok of [4, 6, 8, 12, 24]) expect(errorsOf(hourly(ok))).toEqual([]);
    for (const bad of [1, 3, 5, 48]) expect(errorsOf(hourly(bad))).toEqual([{ field: 'schedule.everyHours', message: 'must be one of 4, 6, 8, 12, 24' }]);
  });

  it('times are HH:MM from 00:00 to 23:59', () => {
    const at = (time: string) => ({ ...base, schedule: { frequency: 'daily', time } });
    for (const ok of ['00:00', '23:59', '09:05']) expect(errorsOf(at(ok))).toEqual([]);
    for (const bad of ['24:00', '23:60', '9:05', '09:05:00', '']) expect(errorsOf(at(bad))).toEqual([{ field: 'schedule.time', message: 'must be a time "HH:MM" between 00:00 and 23:59' }]);
  });

  it('names: 1-150 characters, a letter first, then letters, digits, - and _', () => {
    for (const ok of ['a', 'Lab_nightly-2', 'x'.repeat(150)]) expect(errorsOf({ ...base, name: ok })).toEqual([]);
    expect(errorsOf({ ...base, name: '' })).toEqual([{ field: 'name', message: 'is required' }]);
    expect(errorsOf({ ...base, name: 'x'.repeat(151) })).toEqual([{ field: 'name', message: 'must be at most 150 characters' }]);
    for (const bad of ['1lab', '-lab', 'lab nightly', 'läb']) {
      expect(errorsOf({ ...base, name: bad })).toEqual([{ field: 'name', message: 'must start with a letter and use only letters, digits, "-" and "_"' }]);
    }
  });
});

describe('validatePolicy field errors', () => {
  it('time zones must be IANA names the system knows', () => {
    expect(errorsOf({ ...base, timeZone: 'Australia/Lord_Howe' })).toEqual([]);
    expect(errorsOf({ ...base, timeZone: 'UTC' })).toEqual([]);
    // An alias the runtime does not list as a zone of its own is still known, and kept as written.
    const alias = validatePolicy({ ...base, timeZone: 'US/Eastern' });
    expect(alias.ok && alias.policy.timeZone).toBe('US/Eastern');
    expect(errorsOf({ ...base, timeZone: 'europe/nowhere' })[0]?.field).toBe('timeZone');
    expect(errorsOf({ ...base, timeZone: 'Mars/Base' })[0]?.field).toBe('timeZone');
    expect(errorsOf({ ...base, timeZone: '+01:00' })[0]?.field).toBe('timeZone');
    expect(errorsOf({ ...base, timeZone: 42 })).toEqual([{ field: 'timeZone', message: 'must be a string' }]);
  });

  it('weekdays and months are lowercase english; weekly days are not empty nor repeated', () => {
    const weekly = (days: unknown) => ({ ...base, schedule: { frequency: 'weekly', days, time: '22:00' } });
    expect(errorsOf(weekly(['Sunday']))[0]?.field).toBe('schedule.days[0]');
    expect(errorsOf(weekly([]))).toEqual([{ field: 'schedule.days', message: 'must name at least one weekday' }]);
    expect(errorsOf(weekly(['sunday', 'sunday']))).toEqual([{ field: 'schedule.days', message: 'must not name a weekday twice' }]);
    expect(errorsOf(withRetention({ yearly: { years: 1, month: 'Jan', day: 1 } }))[0]?.field).toBe('retention.yearly.month');
    expect(errorsOf(withRetention({ weekly: { weeks: 1, day: 'sun' } }))[0]?.field).toBe('retention.weekly.day');
  });

  it('monthly and yearly take either day or week + weekday', () => {
    expect(errorsOf(withRetention({ monthly: { months: 1, day: 1, week: 'first', weekday: 'monday' } }))[0]?.field).toBe('retention.monthly.day');
    expect(errorsOf(withRetention({ monthly: { months: 1 } }))).toEqual([{ field: 'retention.monthly.day', message: 'is required (or give week and weekday)' }]);
    expect(errorsOf(withRetention({ monthly: { months: 1, week: 'first' } }))).toEqual([{ field: 'retention.monthly.weekday', message: 'is required with week' }]);
    expect(errorsOf(withRetention({ monthly: { months: 1, week: 'fifth', weekday: 'monday' } }))[0]?.field).toBe('retention.monthly.week');
  });

  it('retention needs a rule; unknown fields, missing fields and bad frequencies are named', () => {
    expect(errorsOf(withRetention({}))).toEqual([{ field: 'retention', message: 'must keep points with at least one rule (daily, weekly, monthly or yearly)' }]);
    expect(errorsOf({ ...base, retension: {} })).toContainEqual({ field: 'retension', message: 'is not a known field' });
    expect(errorsOf({ ...base, schedule: { frequency: 'daily' } })).toEqual([{ field: 'schedule.time', message: 'is required' }]);
    expect(errorsOf({ ...base, schedule: { frequency: 'monthly' } })).toEqual([{ field: 'schedule.frequency', message: 'must be "daily", "weekly" or "hourly"' }]);
    expect(errorsOf({ ...base, type: 'standard', schedule: { frequency: 'hourly', everyHours: 4, windowStart: '08:00', windowHours: 12 } })).toEqual([
      { field: 'type', message: 'must be "enhanced" for an hourly schedule' },
    ]);
    expect(errorsOf(null)).toEqual([{ field: 'policy', message: 'must be an object' }]);
  });

  it('parsePolicy throws INVALID_INPUT naming the field', () => {
    expect(() => parsePolicy(withRetention({ daily: { days: 6 } }), 'lab.json')).toThrow('lab.json: retention.daily.days must be between 7 and 9999');
  });
});
