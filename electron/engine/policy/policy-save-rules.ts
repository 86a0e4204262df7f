/**
 * What a policy must satisfy to be saved (created or changed), beyond its schema:
 * - retention weekdays are days the schedule runs (shared/policy-retention-rules.ts), a
 *   field error (INVALID_INPUT naming retention.weekly.day and the like);
 * - a year of its scheduled backups keeps at least one point (the same simulation as the
 *   policy editor's retention picture), else RULE_VIOLATION with that reason.
 * Stored policies are read without these checks, so an older vault's policy still loads.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { Policy, PolicyFieldError } from '../../../shared/policy.ts';
import { retentionDayErrors } from '../../../shared/policy-retention-rules.ts';
import { simulateRetention } from './retention-simulation.ts';

/** How many scheduled backups a year from `now` makes when it keeps none of them at the year's end, else null. */
function keptNoneOf(policy: Policy, now: Date): number | null {
  const picture = simulateRetention(policy, now);
  return picture.points.some((point) => point.keep) ? null : picture.points.length;
}

function keepsNoneMessage(count: number): string {
  return `keeps none of the ${count} scheduled backup${count === 1 ? '' : 's'} of a year (none is still kept at`
    + ' its end): turn on daily retention, or choose retention days the schedule runs';
}

/** Why a policy keeps none of a year of scheduled backups (judged a year from `now`), or null. */
export function keepsNothingReason(policy: Policy, now: Date): string | null {
  const count = keptNoneOf(policy, now);
  return count === null ? null : `Policy "${policy.name}" ${keepsNoneMessage(count)}.`;
}

/** Field errors plus the keep-nothing reason as a field error on "retention" (for policies.validate). */
export function policySaveErrors(policy: Policy, now: Date): PolicyFieldError[] {
  const errors = retentionDayErrors(policy);
  if (errors.length > 0) return errors;
  const count = keptNoneOf(policy, now);
  return count === null ? [] : [{ field: 'retention', message: keepsNoneMessage(count) }];
}

/** Throws INVALID_INPUT (retention weekdays) or RULE_VIOLATION (keeps nothing) for a policy about to be saved. */
export function assertPolicySavable(policy: Policy, now: Date): void {
  const errors = retentionDayErrors(policy);
  const first = errors[0];
  if (first !== undefined) {
    const list = errors.map((error) => `${error.field} ${error.message}`).join('; ');
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `policy "${policy.name}": ${list}.`, {
      field: first.field, details: { errors },
    });
  }
  const reason = keepsNothingReason(policy, now);
  if (reason !== null) throw new LabvaultError(ErrorCodes.RULE_VIOLATION, reason, { field: 'retention' });
}
