/**
 * The shapes of ids read from a vault folder, in one place. Every id taken from a vault
 * file (vault.json, records, manifests, file names) is checked against these before it is
 * used in a path, a catalog row or a message. See docs/FORMAT.md ("Threat model").
 */

/** A UUID as written by crypto.randomUUID(): vault, item, policy, job and alert ids. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Recovery point ids. Two forms are accepted:
 *  - timestamped: `20261125T163300.123Z-a1b2c3` (compact ISO time, then 6 random hex digits);
 *  - random: 16 to 64 lowercase hex digits (no time in clear, for encrypted vaults).
 */
export const TIMESTAMPED_POINT_ID_PATTERN = /^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{6}$/;
export const RANDOM_POINT_ID_PATTERN = /^[0-9a-f]{16,64}$/;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

export function isPointId(value: unknown): value is string {
  return typeof value === 'string' && (TIMESTAMPED_POINT_ID_PATTERN.test(value) || RANDOM_POINT_ID_PATTERN.test(value));
}
