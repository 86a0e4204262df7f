/**
 * Errors of guest readers: damage names the structure and what is wrong with it
 * (GUEST_UNREADABLE), a feature we do not read is UNSUPPORTED naming it. Messages say which
 * volume or file a user can try instead where that is known.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';

/** A structure inside a guest disk is damaged or crafted. */
export function guestDamage(structure: string, problem: string, details: Record<string, unknown> = {}): LabvaultError {
  return new LabvaultError(ErrorCodes.GUEST_UNREADABLE, `${structure} is damaged or crafted: ${problem}.`,
    { details: { structure, ...details } });
}

/** A feature of a guest structure that Labvault does not read. */
export function guestUnsupported(feature: string, details: Record<string, unknown> = {}): LabvaultError {
  return new LabvaultError(ErrorCodes.UNSUPPORTED, `${feature} is not read by Labvault yet.`, { details: { feature, ...details } });
}

/** Throws guestDamage unless `condition` holds. */
export function check(condition: boolean, structure: string, problem: string): asserts condition {
  if (!condition) throw guestDamage(structure, problem);
}
