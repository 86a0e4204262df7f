/**
 * "Which points would a policy keep?": simulate its scheduled backups over a period and
 * apply retention at the period's end. For the policy editor's retention picture.
 */
import type { Policy } from '../../../shared/policy.ts';
import { MS_PER_DAY } from '../../../shared/time-units.ts';
import { scheduledSlotsBetween } from './next-runs.ts';
import { computeRetention, type RetentionRule } from './retention.ts';

export interface SimulatedPoint {
  time: string;
  keep: boolean;
  until: string | null;
  rules: RetentionRule[];
}

export interface RetentionPicture {
  from: string;
  to: string;
  points: SimulatedPoint[];
}

const DEFAULT_SIMULATION_DAYS = 365;
/** An hourly policy runs at most 6 times a day: a year is ~2 200 points. */
const MAX_SIMULATED_POINTS = 20_000;

/** Every scheduled run in [from, from + days), judged at from + days. */
export function simulateRetention(policy: Policy, from: Date, days = DEFAULT_SIMULATION_DAYS): RetentionPicture {
  const to = new Date(from.getTime() + days * MS_PER_DAY);
  const slots = scheduledSlotsBetween(policy, from, to, MAX_SIMULATED_POINTS);
  const decisions = computeRetention(slots.map((slot) => ({ id: slot.id, time: slot.at })), policy, to);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    points: decisions.map((decision, index) => ({
      time: slots[index]?.at.toISOString() ?? '',
      keep: decision.keep,
      until: decision.until === null ? null : decision.until.toISOString(),
      rules: decision.rules,
    })),
  };
}
