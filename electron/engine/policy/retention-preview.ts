/**
 * `policy preview --points points.json --now ISO`: the points file and its JSON answer.
 *
 * points.json: [{ "id": "...", "time": ISO, "onDemandUntil"?: ISO, "scheduled"?: boolean }]
 * answer:      [{ "id": ..., "keep": true, "until": ISO, "rules": ["daily", "monthly"] }, ...]
 * An expired point has keep false, rules [], and until = the instant it expired (null if
 * no rule ever applied to it). ISO instants must carry "Z" or an offset.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { Policy } from '../../../shared/policy.ts';
import { computeRetention, type RetentionPoint, type RetentionRule } from './retention.ts';

export interface PreviewPointInput {
  id: string;
  time: string | Date;
  onDemandUntil?: string | Date;
  scheduled?: boolean;
}

export interface PreviewDecision {
  id: string;
  keep: boolean;
  until: string | null;
  rules: RetentionRule[];
}

const ISO_INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
const POINT_FIELDS = new Set(['id', 'time', 'onDemandUntil', 'scheduled']);

function invalid(source: string, field: string, message: string): LabvaultError {
  return new LabvaultError(ErrorCodes.INVALID_INPUT, `${source}: ${field} ${message}`, { field, details: { file: source } });
}

/** An ISO instant (string with Z/offset, or a valid Date); throws naming the field. */
export function parseInstant(value: unknown, field: string, source = 'input'): Date {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  if (typeof value === 'string' && ISO_INSTANT_PATTERN.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw invalid(source, field, 'must be an ISO 8601 instant with a zone, such as 2026-03-29T01:00:00.000Z');
}

/** Validates the points file (already JSON-parsed). Throws LabvaultError(INVALID_INPUT). */
export function parseRetentionPoints(input: unknown, source = 'points.json'): RetentionPoint[] {
  if (!Array.isArray(input)) throw invalid(source, 'points', 'must be a list of points');
  const seen = new Set<string>();
  return input.map((entry: unknown, index) => {
    const at = `[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw invalid(source, at, 'must be an object with id and time');
    const record = entry as Record<string, unknown>;
    for (const key of Object.keys(record)) if (!POINT_FIELDS.has(key)) throw invalid(source, `${at}.${key}`, 'is not a known field');
    const id = record['id'];
    if (typeof id !== 'string' || id === '') throw invalid(source, `${at}.id`, 'must be a non-empty string');
    if (seen.has(id)) throw invalid(source, `${at}.id`, `repeats the id "${id}"`);
    seen.add(id);
    const point: RetentionPoint = { id, time: parseInstant(record['time'], `${at}.time`, source) };
    if (record['onDemandUntil'] !== undefined) point.onDemandUntil = parseInstant(record['onDemandUntil'], `${at}.onDemandUntil`, source);
    const scheduled = record['scheduled'];
    if (scheduled !== undefined) {
      if (typeof scheduled !== 'boolean') throw invalid(source, `${at}.scheduled`, 'must be true or false');
      point.scheduled = scheduled;
    }
    return point;
  });
}

/** The preview answer for a points file; `now` may be a Date or an ISO string. */
export function previewRetention(
  points: readonly PreviewPointInput[], policy: Policy, now: Date | string,
): PreviewDecision[] {
  const parsed = parseRetentionPoints(points);
  const nowInstant = parseInstant(now, 'now', '--now');
  return computeRetention(parsed, policy, nowInstant).map((decision) => ({
    id: decision.id,
    keep: decision.keep,
    until: decision.until === null ? null : decision.until.toISOString(),
    rules: decision.rules,
  }));
}
