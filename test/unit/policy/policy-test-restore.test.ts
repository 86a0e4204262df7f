import { describe, expect, it } from 'vitest';
import { parsePolicy, testsRestore, validatePolicy } from '../../../shared/policy.ts';

const BASE = { name: 'Nightly', timeZone: 'UTC', schedule: { frequency: 'daily', time: '02:00' }, retention: { daily: { days: 7 } } };

describe('policy testRestore', () => {
  it('is on when absent (policies written before the setting) and keeps no field it was not given', () => {
    const policy = parsePolicy(BASE);
    expect(policy.testRestore).toBeUndefined();
    expect(testsRestore(policy)).toBe(true);
  });

  it('reads true and false, and refuses anything else with a field error', () => {
    expect(testsRestore(parsePolicy({ ...BASE, testRestore: false }))).toBe(false);
    expect(parsePolicy({ ...BASE, testRestore: false }).testRestore).toBe(false);
    expect(testsRestore(parsePolicy({ ...BASE, testRestore: true }))).toBe(true);
    expect(validatePolicy({ ...BASE, testRestore: 'no' })).toEqual({ ok: false, errors: [{ field: 'testRestore', message: 'must be true or false' }] });
  });
});
