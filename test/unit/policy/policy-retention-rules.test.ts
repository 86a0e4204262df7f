import { describe, expect, it } from 'vitest';
import { defaultRetentionWeekday, retentionDayErrors, scheduledWeekdays } from '../../../shared/policy-retention-rules.ts';
import { defaultPolicy } from '../../../shared/policy.ts';

const weeklySaturday = { frequency: 'weekly', days: ['saturday'], time: '22:00' };

describe('retention weekdays must be days the schedule runs', () => {
  it('knows the days a schedule runs, hourly windows past midnight included', () => {
    expect(scheduledWeekdays({ frequency: 'daily', time: '02:00' })).toHaveLength(7);
    expect(scheduledWeekdays({ frequency: 'weekly', days: ['sunday', 'wednesday'], time: '22:00' }))
      .toEqual(['wednesday', 'sunday']);
    expect(scheduledWeekdays({
      frequency: 'hourly', everyHours: 4, windowStart: '20:00', windowHours: 12, days: ['friday'],
    })).toEqual(['friday', 'saturday']);
    expect(scheduledWeekdays({
      frequency: 'hourly', everyHours: 4, windowStart: '08:00', windowHours: 12, days: ['friday'],
    })).toEqual(['friday']);
  });

  it('defaults the weekly day to a scheduled day (Sunday when the schedule runs then)', () => {
    expect(defaultRetentionWeekday(weeklySaturday)).toBe('saturday');
    expect(defaultRetentionWeekday({ frequency: 'weekly', days: ['sunday', 'tuesday'], time: '22:00' })).toBe('sunday');
    expect(defaultRetentionWeekday({ frequency: 'weekly', days: ['friday', 'tuesday'], time: '22:00' })).toBe('tuesday');
    expect(defaultRetentionWeekday({ frequency: 'daily', time: '22:00' })).toBe('sunday');
  });

  it('names each retention weekday the schedule never runs on', () => {
    const errors = retentionDayErrors({
      schedule: weeklySaturday,
      retention: {
        weekly: { weeks: 4, day: 'sunday' },
        monthly: { months: 12, week: 'first', weekday: 'friday' },
        yearly: { years: 2, month: 'june', week: 'last', weekday: 'saturday' },
      },
    });
    expect(errors.map((error) => error.field)).toEqual(['retention.weekly.day', 'retention.monthly.weekday']);
    expect(errors[0]?.message).toContain('must be a day the schedule runs (saturday)');
    expect(retentionDayErrors({ schedule: weeklySaturday, retention: { weekly: { weeks: 4, day: 'saturday' } } }))
      .toEqual([]);
  });

  it('accepts the default policy and tolerates a half-typed draft', () => {
    expect(retentionDayErrors(defaultPolicy('UTC'))).toEqual([]);
    expect(retentionDayErrors({ schedule: { frequency: 'weekly', days: [] }, retention: { weekly: { day: 'x' } } }))
      .toEqual([]);
    expect(retentionDayErrors(null)).toEqual([]);
  });
});
