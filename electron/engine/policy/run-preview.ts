/**
 * Upcoming runs as the UI shows them: the instant, the local wall time in the policy's
 * zone, and whether a DST change touched the run's date:
 * - 'gap': the scheduled wall time did not exist; the run moved to the end of the gap;
 * - 'overlap': the scheduled wall time occurred twice; the run happens once, the first time;
 * - 'change': the date has an offset change that does not touch this run;
 * - null: an ordinary date.
 */
import type { Policy } from '../../../shared/policy.ts';
import { civilDayOfWall, formatWall, parseWall } from './civil-date.ts';
import { MS_PER_DAY, MS_PER_HOUR } from '../../../shared/time-units.ts';
import { nextSlots, type ScheduledSlot } from './next-runs.ts';
import { instantToWall, offsetAt, wallToInstant } from './zoned-time.ts';

export type RunDstNote = 'gap' | 'overlap' | 'change' | null;

export interface RunPreview {
  /** UTC ISO instant. */
  at: string;
  /** Wall time in the policy's zone, "2026-03-29 03:00". */
  local: string;
  dst: RunDstNote;
  /** The slot id (stable; what the scheduler records). */
  slotId: string;
}

const OFFSET_SAMPLE_MS = 24 * MS_PER_HOUR;

/** Does the zone show this wall time at a second instant (a repeated hour)? */
function occursTwice(timeZone: string, wallMs: number, at: number): boolean {
  for (const sample of [wallMs - OFFSET_SAMPLE_MS, wallMs + OFFSET_SAMPLE_MS]) {
    const candidate = wallMs - offsetAt(timeZone, sample);
    if (candidate !== at && instantToWall(timeZone, candidate) === wallMs) return true;
  }
  return false;
}

function dateHasOffsetChange(timeZone: string, wallMs: number): boolean {
  const midnight = civilDayOfWall(wallMs) * MS_PER_DAY;
  return offsetAt(timeZone, wallToInstant(timeZone, midnight))
    !== offsetAt(timeZone, wallToInstant(timeZone, midnight + MS_PER_DAY));
}

function describeRun(timeZone: string, slot: ScheduledSlot): RunPreview {
  const at = slot.at.getTime();
  const shown = instantToWall(timeZone, at);
  const scheduled = parseWall(slot.wall) ?? shown;
  let dst: RunDstNote = null;
  if (shown !== scheduled) dst = 'gap';
  else if (occursTwice(timeZone, scheduled, at)) dst = 'overlap';
  else if (dateHasOffsetChange(timeZone, scheduled)) dst = 'change';
  return { at: slot.at.toISOString(), local: formatWall(shown).replace('T', ' '), dst, slotId: slot.id };
}

/** The next `count` runs at or after `from`, described for display. */
export function previewRuns(policy: Policy, from: Date, count: number): RunPreview[] {
  return nextSlots(policy, from, count).map((slot) => describeRun(policy.timeZone, slot));
}
