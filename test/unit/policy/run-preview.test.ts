import { describe, expect, it } from 'vitest';
import { previewRuns } from '../../../electron/engine/policy/run-preview.ts';
import { simulateRetention } from '../../../electron/engine/policy/retention-simulation.ts';
import { validatePolicy } from '../../../shared/policy.ts';
import { makePolicy } from './policy-fixtures.ts';

describe('previewRuns', () => {
  it('marks runs moved by a gap, runs on a repeated hour, and other DST dates', () => {
    const policy = makePolicy({ timeZone: 'Europe/Berlin', schedule: { frequency: 'daily', time: '02:30' } });
    expect(previewRuns(policy, new Date('2026-03-28T00:00:00Z'), 3)).toEqual([
      { at: '2026-03-28T01:30:00.000Z', local: '2026-03-28 02:30', dst: null, slotId: '2026-03-28T02:30@Europe/Berlin' },
      { at: '2026-03-29T01:00:00.000Z', local: '2026-03-29 03:00', dst: 'gap', slotId: '2026-03-29T02:30@Europe/Berlin' },
      { at: '2026-03-30T00:30:00.000Z', local: '2026-03-30 02:30', dst: null, slotId: '2026-03-30T02:30@Europe/Berlin' },
    ]);
    expect(previewRuns(policy, new Date('2026-10-25T00:00:00Z'), 1)[0]).toMatchObject({ at: '2026-10-25T00:30:00.000Z', local: '2026-10-25 02:30', dst: 'overlap' });
    const evening = makePolicy({ timeZone: 'Europe/Berlin', schedule: { frequency: 'daily', time: '22:00' } });
    expect(previewRuns(evening, new Date('2026-10-25T00:00:00Z'), 2).map((run) => run.dst)).toEqual(['change', null]);
  });
});

describe('simulateRetention', () => {
  it('a year of the default-like policy keeps the last 30 daily points', () => {
    const picture = simulateRetention(makePolicy({ schedule: { frequency: 'daily', time: '22:00' } }), new Date('2026-01-01T00:00:00Z'));
    expect(picture.to).toBe('2027-01-01T00:00:00.000Z');
    expect(picture.points).toHaveLength(365);
    // Judged at 2027-01-01 00:00: points from 12-02 22:00 on are kept (+30 d = 2027-01-01 22:00).
    expect(picture.points.filter((point) => point.keep).map((point) => point.time)[0]).toBe('2026-12-02T22:00:00.000Z');
    expect(picture.points.filter((point) => point.keep)).toHaveLength(30);
  });
});

describe('validated policies round-trip', () => {
  it('validating a validated policy gives it back unchanged', () => {
    const policy = makePolicy({ timeZone: 'Australia/Lord_Howe', schedule: { frequency: 'hourly', everyHours: 6, windowStart: '20:00', windowHours: 12, days: ['friday'] }, retention: { yearly: { years: 3, month: 'march', week: 'last', weekday: 'sunday' } } });
    expect(validatePolicy(JSON.parse(JSON.stringify(policy)))).toEqual({ ok: true, policy });
  });
});
