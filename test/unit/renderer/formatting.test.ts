/** How the renderer writes sizes, commands, counts and policies for people. */
import { describe, expect, it } from 'vitest';
import { formatBytes, formatRate } from '../../../renderer/format/format-bytes.ts';
import { cliCommand, shellQuote } from '../../../renderer/format/cli-quote.ts';
import { plural } from '../../../renderer/format/plural.ts';
import { retentionSummary, scheduleSummary } from '../../../renderer/features/policies/policy-summary.ts';
import { draftToPolicy, errorsUnder, fieldError, newPolicyDraft, policyErrors, policyToDraft } from '../../../renderer/features/policies/policy-draft.ts';

describe('formatting', () => {
  it('writes byte counts in binary units with sensible digits', () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1024), formatBytes(1536), formatBytes(170 * 1024 ** 2)])
      .toEqual(['0 B', '1023 B', '1.00 KiB', '1.50 KiB', '170 MiB']);
    expect(formatBytes(-2048)).toBe('-2.00 KiB');
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
    expect(formatRate(10.5 * 1024 ** 2)).toBe('10.5 MiB/s');
  });

  it('quotes shell arguments only when needed', () => {
    expect(shellQuote('lab-1')).toBe('lab-1');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('$(rm -rf ~)')).toBe("'$(rm -rf ~)'");
    expect(cliCommand(['labvault', null, false, '', 'gc'])).toBe('labvault gc');
  });

  it('counts in words', () => {
    expect([plural(0, 'item'), plural(1, 'item'), plural(2, 'policy', 'policies')]).toEqual(['0 items', '1 item', '2 policies']);
  });

  it('summarises schedules and retention in one line', () => {
    expect(scheduleSummary({ frequency: 'weekly', days: ['saturday', 'sunday'], time: '02:30' } as never)).toBe('Weekly on Sat, Sun at 02:30');
    expect(scheduleSummary({ frequency: 'hourly', everyHours: 6, windowStart: '08:00', windowHours: 12 } as never)).toBe('Every 6 h from 08:00 for 12 h');
    expect(retentionSummary({ daily: { days: 30 }, monthly: { months: 12, day: 22 } } as never)).toBe('Keeps daily points 30 days, monthly (22nd) 12 months');
    expect(retentionSummary({} as never)).toBe('—');
  });
});

describe('policy draft', () => {
  it('round-trips a stored policy through the form', () => {
    const draft = { ...newPolicyDraft(), name: 'nightly', timeZone: 'Europe/Berlin', frequency: 'weekly' as const, days: ['saturday' as const],
      weekly: { on: true, weeks: '8', day: 'saturday' as const } };
    const body = draftToPolicy(draft);
    expect(policyToDraft(body)).toEqual(draft);
    expect(policyErrors(draft).size).toBe(0);
  });

  it('names the fields in error, by step', () => {
    const draft = { ...newPolicyDraft(), name: 'x', timeZone: 'Europe/Berlin', daily: { on: true, days: '3' }, instantRestoreDays: '9' };
    const errors = policyErrors(draft);
    expect(errorsUnder(errors, ['retention']).length).toBeGreaterThan(0);
    expect(errorsUnder(errors, ['instantRestoreDays']).length).toBeGreaterThan(0);
    expect(fieldError(errors, 'retention.daily.days')).toMatch(/^[A-Z].*\.$/);
    expect(fieldError(errors, 'timeZone')).toBeNull();
  });
});
