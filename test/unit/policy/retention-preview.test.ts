import { describe, expect, it } from 'vitest';
import { isLabvaultError } from '../../../shared/errors.ts';
import { parseRetentionPoints, previewRetention } from '../../../electron/engine/policy/retention-preview.ts';
import { makePolicy } from './policy-fixtures.ts';

describe('previewRetention', () => {
  const policy = makePolicy({ retention: { daily: { days: 7 }, monthly: { months: 1, day: 1 } } });

  it('answers the CLI shape: id, keep, until (ISO), rules', () => {
    const points = [
      { id: 'p1', time: '2026-03-01T22:00:00Z' }, // daily 03-08, monthly 04-01
      { id: 'p2', time: '2026-03-02T22:00:00Z' }, // daily 03-09 only: expired at now 03-10
      { id: 'p3', time: '2026-03-05T12:00:00+01:00', onDemandUntil: '2026-04-04T11:00:00Z' },
    ];
    expect(previewRetention(points, policy, '2026-03-10T00:00:00Z')).toEqual([
      { id: 'p1', keep: true, until: '2026-04-01T22:00:00.000Z', rules: ['monthly'] },
      { id: 'p2', keep: false, until: '2026-03-09T22:00:00.000Z', rules: [] },
      { id: 'p3', keep: true, until: '2026-04-04T11:00:00.000Z', rules: ['on-demand'] },
    ]);
  });

  it('a point no rule applies to has until null', () => {
    const weeklyOnly = makePolicy({ retention: { weekly: { weeks: 1, day: 'sunday' } } });
    expect(previewRetention([{ id: 'monday', time: '2026-03-02T22:00:00Z' }], weeklyOnly, new Date('2026-03-03T00:00:00Z'))).toEqual([
      { id: 'monday', keep: false, until: null, rules: [] },
    ]);
  });
});

describe('parseRetentionPoints', () => {
  function fieldOf(run: () => unknown): string | undefined {
    try {
      run();
    } catch (error) {
      if (isLabvaultError(error)) return error.field;
      throw error;
    }
    return undefined;
  }

  it('names the bad field', () => {
    expect(fieldOf(() => parseRetentionPoints({}))).toBe('points');
    expect(fieldOf(() => parseRetentionPoints([{ id: 'a', time: '2026-03-01 22:00' }]))).toBe('[0].time');
    expect(fieldOf(() => parseRetentionPoints([{ id: 'a', time: '2026-03-01T22:00:00' }]))).toBe('[0].time'); // no zone
    expect(fieldOf(() => parseRetentionPoints([{ id: 'a', time: '2026-03-01T22:00:00Z', onDemandUntil: 5 }]))).toBe('[0].onDemandUntil');
    expect(fieldOf(() => parseRetentionPoints([{ id: 'a', time: '2026-03-01T22:00:00Z' }, { id: 'a', time: '2026-03-02T22:00:00Z' }]))).toBe('[1].id');
    expect(fieldOf(() => parseRetentionPoints([{ id: 'a', time: '2026-03-01T22:00:00Z', tag: 1 }]))).toBe('[0].tag');
    expect(fieldOf(() => parseRetentionPoints([{ time: '2026-03-01T22:00:00Z' }]))).toBe('[0].id');
    expect(fieldOf(() => previewRetention([], makePolicy({}), 'yesterday'))).toBe('now');
  });
});
