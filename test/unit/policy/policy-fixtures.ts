/** Builds validated policies for the policy tests. */
import { validatePolicy, type Policy } from '../../../shared/policy.ts';

export function makePolicy(overrides: Record<string, unknown>): Policy {
  const result = validatePolicy({ name: 'test-policy', timeZone: 'UTC', schedule: { frequency: 'daily', time: '22:00' }, retention: { daily: { days: 30 } }, ...overrides });
  if (!result.ok) throw new Error(`bad test policy: ${JSON.stringify(result.errors)}`);
  return result.policy;
}

export function iso(dates: readonly Date[]): string[] {
  return dates.map((date) => date.toISOString());
}
