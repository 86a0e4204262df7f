/**
 * When a backup's test restore need not walk the disks again: the new point holds the same
 * disks as the point before it (same files in the same order, each with the same name, role,
 * format, size and source, and the same index id). An index id is the digest of the file's
 * chunk list and each chunk id the digest of its bytes, so both points present the very same
 * bytes to the guest readers, and the earlier point's check is the answer for this one.
 *
 * Carried over only a result that read the disks (verified, warnings, not readable), never a
 * failed one (it is run again: a read error may have passed, and its alert is kept current),
 * and only while the check that actually read the disks is at most MAX_CARRY_AGE_MS old, so an
 * item that never changes is still read back, by the newest guest readers, once a day.
 * The carried result keeps that check's time (checkedAt) and reads no chunk (chunksRead 0).
 */
import type { TestRestore } from '../../../shared/contract/item-models.ts';
import type { Manifest } from '../vault/store/index.ts';
import type { PointExtra } from './point-record.ts';

export const MAX_CARRY_AGE_MS = 24 * 3600 * 1000;

/** Whether the two points present the same bytes to the guest readers, file by file. */
export function sameDisks(point: Manifest, before: Manifest): boolean {
  if (point.files.length !== before.files.length || point.files.length === 0) return false;
  const sources = ((point.extra ?? {}) as PointExtra).sources ?? {};
  const sourcesBefore = ((before.extra ?? {}) as PointExtra).sources ?? {};
  return point.files.every((file, index) => {
    const other = before.files[index];
    return other !== undefined && file.path === other.path && file.role === other.role
      && file.diskFormat === other.diskFormat && file.size === other.size && file.indexId === other.indexId
      && sources[file.path] === sourcesBefore[other.path];
  });
}

/**
 * The earlier point's check as this point's, or null when it must be run: no earlier check,
 * a failed one, one older than MAX_CARRY_AGE_MS, or not the same disks.
 */
export function carriedTestRestore(
  point: Manifest, before: Manifest | null | undefined, beforeCheck: TestRestore | undefined, now: Date,
): TestRestore | null {
  if (!before || !beforeCheck || beforeCheck.pointId !== before.pointId || beforeCheck.status === 'failed') return null;
  const checkedAt = Date.parse(beforeCheck.checkedAt);
  const age = now.getTime() - checkedAt;
  if (!Number.isFinite(age) || age < 0 || age > MAX_CARRY_AGE_MS) return null;
  if (!sameDisks(point, before)) return null;
  return { ...beforeCheck, pointId: point.pointId, itemId: point.itemId, chunksRead: 0, elapsedMs: 0 };
}
