import { describe, expect, it } from 'vitest';
import { computeRetention, type RetentionDecision, type RetentionPoint } from '../../../electron/engine/policy/retention.ts';
import { makePolicy } from './policy-fixtures.ts';

/** Scheduled points at 22:00Z on the given dates. */
function nightly(...dates: string[]): RetentionPoint[] {
  return dates.map((date) => ({ id: date, time: new Date(`${date}T22:00:00Z`) }));
}

/** id -> [keep, until ISO | null, rules] for compact hand-written expectations. */
function summary(decisions: RetentionDecision[]): Record<string, [boolean, string | null, string[]]> {
  return Object.fromEntries(decisions.map((d) => [d.id, [d.keep, d.until === null ? null : d.until.toISOString(), d.rules]]));
}

const T = (iso: string): string => `${iso}:00.000Z`; // T('2026-03-09T22:00') -> full ISO

describe('daily rule', () => {
  it('keeps each scheduled point for N days; expired points report when they expired', () => {
    const policy = makePolicy({ retention: { daily: { days: 30 } } });
    // 01-01 22:00 + 30 days = 01-31 22:00 (< now: expired); 01-02 + 30 = 02-01 22:00 (> now: kept).
    const decisions = computeRetention(nightly('2026-01-01', '2026-01-02'), policy, new Date('2026-02-01T00:00:00Z'));
    expect(summary(decisions)).toEqual({
      '2026-01-01': [false, T('2026-01-31T22:00'), []],
      '2026-01-02': [true, T('2026-02-01T22:00'), ['daily']],
    });
    expect(decisions[1]!.expiries).toEqual([{ rule: 'daily', until: new Date('2026-02-01T22:00:00Z') }]);
  });

  it('a point exactly at its expiry instant is expired', () => {
    const policy = makePolicy({ retention: { daily: { days: 7 } } });
    const [decision] = computeRetention(nightly('2026-01-01'), policy, new Date('2026-01-08T22:00:00Z'));
    expect(decision).toMatchObject({ keep: false, rules: [] });
  });

  it('adds days on the wall clock of the policy zone, across DST', () => {
    const policy = makePolicy({ timeZone: 'Europe/Berlin', retention: { daily: { days: 7 } } });
    const points = [
      // 2026-03-10 22:00 CET = 21:00Z; + 7 days = 03-17 22:00 CET = 21:00Z.
      { id: 'before', time: new Date('2026-03-10T21:00:00Z') },
      // 2026-03-25 22:00 CET = 21:00Z; + 7 days = 04-01 22:00 CEST = 20:00Z (the wall time stays 22:00).
      { id: 'across', time: new Date('2026-03-25T21:00:00Z') },
      // 2026-03-22 02:30 CET = 01:30Z; + 7 days = 03-29 02:30, skipped -> 03:00 CEST = 01:00Z.
      { id: 'into-gap', time: new Date('2026-03-22T01:30:00Z') },
    ];
    expect(summary(computeRetention(points, policy, new Date('2026-03-01T00:00:00Z')))).toEqual({
      before: [true, T('2026-03-17T21:00'), ['daily']],
      across: [true, T('2026-04-01T20:00'), ['daily']],
      'into-gap': [true, T('2026-03-29T01:00'), ['daily']],
    });
  });
});

describe('weekly rule', () => {
  it('takes the first point on or after the weekday in each Monday-start week', () => {
    // 2026-03-02 is a Monday (2026-03-01 is a Sunday). Wednesday 03-04 has no point: Thursday 03-05
    // is the first on or after Wednesday. Week of 03-09: Wednesday 03-11 is chosen, Thursday is not.
    const policy = makePolicy({ retention: { daily: { days: 7 }, weekly: { weeks: 2, day: 'wednesday' } } });
    const points = nightly('2026-03-02', '2026-03-03', '2026-03-05', '2026-03-06', '2026-03-09', '2026-03-11', '2026-03-12');
    expect(summary(computeRetention(points, policy, new Date('2026-03-15T00:00:00Z')))).toEqual({
      '2026-03-02': [false, T('2026-03-09T22:00'), []], // daily only: +7 d
      '2026-03-03': [false, T('2026-03-10T22:00'), []],
      '2026-03-05': [true, T('2026-03-19T22:00'), ['weekly']], // +14 d; daily 03-12 already past
      '2026-03-06': [false, T('2026-03-13T22:00'), []],
      '2026-03-09': [true, T('2026-03-16T22:00'), ['daily']],
      '2026-03-11': [true, T('2026-03-25T22:00'), ['daily', 'weekly']], // daily 03-18, weekly 03-25
      '2026-03-12': [true, T('2026-03-19T22:00'), ['daily']],
    });
  });

  it('a week whose chosen day and later days have no point has no weekly point', () => {
    // Sunday 03-22 is missing; Saturday is before the anchor and Monday 03-23 is the next week.
    const policy = makePolicy({ retention: { weekly: { weeks: 1, day: 'sunday' } } });
    const decisions = computeRetention(nightly('2026-03-21', '2026-03-23'), policy, new Date('2026-03-20T00:00:00Z'));
    expect(summary(decisions)).toEqual({ '2026-03-21': [false, null, []], '2026-03-23': [false, null, []] });
  });

  it('uses the week of the local date in the policy zone', () => {
    const policy = makePolicy({ timeZone: 'Europe/Berlin', retention: { weekly: { weeks: 1, day: 'sunday' } } });
    const points = [
      // Sunday 2026-03-01 23:30Z is Monday 03-02 00:30 CET: before that week's Sunday, never weekly.
      { id: 'utc-sunday', time: new Date('2026-03-01T23:30:00Z') },
      // Sunday 03-08 22:30Z is Sunday 23:30 CET: weekly, + 7 days = 03-15 23:30 CET = 22:30Z.
      { id: 'local-sunday', time: new Date('2026-03-08T22:30:00Z') },
    ];
    expect(summary(computeRetention(points, policy, new Date('2026-03-09T00:00:00Z')))).toEqual({
      'utc-sunday': [false, null, []],
      'local-sunday': [true, T('2026-03-15T22:30'), ['weekly']],
    });
  });

  it('two points at the same instant: the first in the input takes the rule', () => {
    const policy = makePolicy({ retention: { weekly: { weeks: 1, day: 'monday' } } });
    const time = new Date('2026-03-02T22:00:00Z');
    const decisions = computeRetention([{ id: 'a', time }, { id: 'b', time }], policy, time);
    expect(decisions.map((d) => d.rules)).toEqual([['weekly'], []]);
  });
});

describe('monthly rule', () => {
  it('clamps day 31 to the last day of short months, and adds months with the day clamped', () => {
    const policy = makePolicy({ retention: { daily: { days: 7 }, monthly: { months: 3, day: 31 } } });
    const points = nightly('2026-01-31', '2026-02-27', '2026-02-28', '2026-04-29', '2026-04-30');
    expect(summary(computeRetention(points, policy, new Date('2026-05-01T00:00:00Z')))).toEqual({
      // Jan anchor 31: chosen; + 3 months = April 31 -> clamped to April 30.
      '2026-01-31': [false, T('2026-04-30T22:00'), []],
      '2026-02-27': [false, T('2026-03-06T22:00'), []], // before Feb's anchor (28th in 2026)
      '2026-02-28': [true, T('2026-05-28T22:00'), ['monthly']], // Feb anchor 28: + 3 months
      '2026-04-29': [true, T('2026-05-06T22:00'), ['daily']],
      '2026-04-30': [true, T('2026-07-30T22:00'), ['daily', 'monthly']], // April anchor 30
    });
  });

  it('clamps day 31 to February 29 in a leap year', () => {
    // 2028 is a leap year: the anchor is 02-29; + 12 months = 2029-02-29 -> clamped to 2029-02-28.
    const policy = makePolicy({ retention: { monthly: { months: 12, day: 31 } } });
    expect(summary(computeRetention(nightly('2028-02-28', '2028-02-29'), policy, new Date('2028-03-01T00:00:00Z')))).toEqual({
      '2028-02-28': [false, null, []],
      '2028-02-29': [true, T('2029-02-28T22:00'), ['monthly']],
    });
  });

  it('last Friday of the month, with the first point after it when Friday has none', () => {
    // 2026-05-01 is a Friday, so May's last Friday is 05-29 (05-31 is a Sunday). No point on 05-29:
    // Saturday 05-30 is chosen. July 2026: 07-01 is a Wednesday, 07-31 a Friday: the last Friday.
    const policy = makePolicy({ retention: { monthly: { months: 6, week: 'last', weekday: 'friday' } } });
    const points = nightly('2026-05-27', '2026-05-28', '2026-05-30', '2026-05-31', '2026-07-30', '2026-07-31');
    expect(summary(computeRetention(points, policy, new Date('2026-08-01T00:00:00Z')))).toEqual({
      '2026-05-27': [false, null, []],
      '2026-05-28': [false, null, []],
      '2026-05-30': [true, T('2026-11-30T22:00'), ['monthly']], // + 6 months
      '2026-05-31': [false, null, []],
      '2026-07-30': [false, null, []],
      '2026-07-31': [true, T('2027-01-31T22:00'), ['monthly']],
    });
  });

  it('second Tuesday of the month', () => {
    // 2026-09-01 is a Tuesday (06-01 Monday + 92 days); the second Tuesday is 09-08.
    const policy = makePolicy({ retention: { monthly: { months: 1, week: 'second', weekday: 'tuesday' } } });
    expect(summary(computeRetention(nightly('2026-09-01', '2026-09-08', '2026-09-09'), policy, new Date('2026-09-10T00:00:00Z')))).toEqual({
      '2026-09-01': [false, null, []],
      '2026-09-08': [true, T('2026-10-08T22:00'), ['monthly']],
      '2026-09-09': [false, null, []],
    });
  });
});

describe('yearly rule', () => {
  it('February 29 clamps to the 28th in other years, and so does its expiry', () => {
    const policy = makePolicy({ retention: { yearly: { years: 2, month: 'february', day: 29 } } });
    const points = nightly('2027-02-27', '2027-02-28', '2027-03-01', '2028-02-28', '2028-02-29');
    expect(summary(computeRetention(points, policy, new Date('2028-03-01T00:00:00Z')))).toEqual({
      '2027-02-27': [false, null, []],
      '2027-02-28': [true, T('2029-02-28T22:00'), ['yearly']], // 2027 anchor: 02-28; + 2 years
      '2027-03-01': [false, null, []],
      '2028-02-28': [false, null, []],
      '2028-02-29': [true, T('2030-02-28T22:00'), ['yearly']], // 2030-02-29 does not exist: 28th
    });
  });

  it('first Monday of June, and the first point after the anchor when June has none', () => {
    // 2026-06-01 is a Monday: the anchor. 2027 has points only on 01-10 and 12-31: 12-31 is chosen.
    const policy = makePolicy({ retention: { yearly: { years: 2, month: 'june', week: 'first', weekday: 'monday' } } });
    const points = nightly('2026-05-31', '2026-06-01', '2026-06-02', '2027-01-10', '2027-12-31');
    expect(summary(computeRetention(points, policy, new Date('2027-12-31T23:00:00Z')))).toEqual({
      '2026-05-31': [false, null, []],
      '2026-06-01': [true, T('2028-06-01T22:00'), ['yearly']], // + 2 years
      '2026-06-02': [false, null, []],
      '2027-01-10': [false, null, []],
      '2027-12-31': [true, T('2029-12-31T22:00'), ['yearly']],
    });
  });
});

describe('overlapping rules', () => {
  // 2027-01-01 is a Friday (2026-01-01 Thursday + 365 days). It is the first point on or after
  // Friday in its week, the 1st of its month and January 1st: every rule applies.
  const policy = makePolicy({
    retention: { daily: { days: 30 }, weekly: { weeks: 10, day: 'friday' }, monthly: { months: 12, day: 1 }, yearly: { years: 5, month: 'january', day: 1 } },
  });
  const points = nightly('2026-12-31', '2027-01-01');

  it('lists every rule that keeps a point and the latest expiry', () => {
    const decisions = computeRetention(points, policy, new Date('2027-01-02T00:00:00Z'));
    expect(decisions[1]!.expiries.map((e) => [e.rule, e.until.toISOString()])).toEqual([
      ['daily', T('2027-01-31T22:00')], // + 30 days
      ['weekly', T('2027-03-12T22:00')], // + 70 days: Jan 1 + 30 = Jan 31, + 28 = Feb 28, + 12 = Mar 12
      ['monthly', T('2028-01-01T22:00')], // + 12 months
      ['yearly', T('2032-01-01T22:00')], // + 5 years
    ]);
    // 2026-12-31 (a Thursday) is the only point of December 2026 and of 2026: it is the first on or
    // after Dec 1 and after Jan 1, so it takes monthly (+12 months) and yearly (+5 years); its week's
    // anchor is Friday 2027-01-01, so no weekly.
    expect(summary(decisions)).toEqual({
      '2026-12-31': [true, T('2031-12-31T22:00'), ['daily', 'monthly', 'yearly']],
      '2027-01-01': [true, T('2032-01-01T22:00'), ['daily', 'weekly', 'monthly', 'yearly']],
    });
  });

  it('drops rules as they lapse; the point stays while any rule keeps it', () => {
    expect(summary(computeRetention(points, policy, new Date('2027-06-01T00:00:00Z')))['2027-01-01']).toEqual([true, T('2032-01-01T22:00'), ['monthly', 'yearly']]);
    expect(summary(computeRetention(points, policy, new Date('2028-06-01T00:00:00Z')))['2027-01-01']).toEqual([true, T('2032-01-01T22:00'), ['yearly']]);
    expect(summary(computeRetention(points, policy, new Date('2032-01-01T22:00:00Z')))['2027-01-01']).toEqual([false, T('2032-01-01T22:00'), []]);
  });
});

describe('on-demand points', () => {
  const policy = makePolicy({ retention: { daily: { days: 7 }, monthly: { months: 1, day: 10 } } });

  it('keep their own retain-until and never take scheduled rules', () => {
    const points: RetentionPoint[] = [
      // On-demand at 12:00 on the 10th, before the nightly point: the nightly point still takes monthly.
      { id: 'backup-now', time: new Date('2026-03-10T12:00:00Z'), onDemandUntil: new Date('2026-04-09T12:00:00Z') },
      ...nightly('2026-03-10'),
      { id: 'old-backup-now', time: new Date('2026-01-05T12:00:00Z'), onDemandUntil: new Date('2026-02-04T12:00:00Z') },
      // Marked scheduled too: takes daily (+7 d) and its retain-until; the later one wins.
      { id: 'both', time: new Date('2026-03-11T22:00:00Z'), onDemandUntil: new Date('2026-03-15T00:00:00Z'), scheduled: true },
    ];
    expect(summary(computeRetention(points, policy, new Date('2026-03-12T00:00:00Z')))).toEqual({
      'backup-now': [true, T('2026-04-09T12:00'), ['on-demand']],
      '2026-03-10': [true, T('2026-04-10T22:00'), ['daily', 'monthly']], // daily 03-17, monthly 04-10
      'old-backup-now': [false, T('2026-02-04T12:00'), []],
      both: [true, T('2026-03-18T22:00'), ['daily', 'on-demand']],
    });
  });
});
