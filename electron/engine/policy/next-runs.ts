/**
 * When a policy runs: the ordered run slots of its schedule, in its time zone.
 *
 * A slot is one scheduled wall time: for daily/weekly policies the time on each chosen
 * date; for hourly policies windowStart + k * everyHours (k >= 0, k * everyHours <
 * windowHours) on each date a window starts, possibly running past midnight. A slot's
 * id is its wall time plus the zone, "2026-03-29T02:30@Europe/Berlin": stable, and unique
 * because windows never overlap in wall time (windowHours <= 24, one window per date).
 *
 * The instant of a slot applies the DST rules of zoned-time.ts: a wall time skipped by a
 * forward shift runs once at the first instant after the gap; a wall time that occurs
 * twice runs once, at its first occurrence. Wall-time order maps to instant order; should
 * two slots ever resolve to the same instant, only the first runs. Runs are therefore
 * strictly increasing and each is a distinct slot.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { WEEKDAYS, type Policy, type PolicySchedule } from '../../../shared/policy.ts';
import { civilDayOfWall, formatWall, minutesOfClock, parseWall, weekdayOfDay } from './civil-date.ts';
import { MS_PER_DAY, MS_PER_MINUTE } from '../../../shared/time-units.ts';
import { instantToWall, wallToInstant } from './zoned-time.ts';

export interface ScheduledSlot {
  /** Stable slot id: wall time and zone, "2026-03-29T02:30@Europe/Berlin". */
  id: string;
  /** The wall time the slot names, "2026-03-29T02:30" (it may not exist that day). */
  wall: string;
  /** The instant the slot runs. */
  at: Date;
}

/** Enumeration starts this many dates before `from` (windows crossing midnight, DST). */
const LOOKBACK_DAYS = 2;
/** slotOf looks back this far: weekly schedules run at least once every 7 dates. */
const SLOT_OF_LOOKBACK_DAYS = 9;
/** A schedule with no slot in this many consecutive dates has none at all. */
const MAX_EMPTY_DAYS = 8;
const SLOT_ID_SEPARATOR = '@';

function runsOnDay(days: readonly string[] | undefined, day: number): boolean {
  if (days === undefined) return true;
  const name = WEEKDAYS[weekdayOfDay(day)];
  return name !== undefined && days.includes(name);
}

/** Wall times (wall ms, ascending) of the slots that belong to one date. */
function slotWallsOfDay(schedule: PolicySchedule, day: number): number[] {
  const midnight = day * MS_PER_DAY;
  switch (schedule.frequency) {
    case 'daily':
      return [midnight + minutesOfClock(schedule.time) * MS_PER_MINUTE];
    case 'weekly':
      return runsOnDay(schedule.days, day) ? [midnight + minutesOfClock(schedule.time) * MS_PER_MINUTE] : [];
    case 'hourly': {
      if (!runsOnDay(schedule.days, day)) return [];
      const walls: number[] = [];
      const startMinute = minutesOfClock(schedule.windowStart);
      for (let k = 0; k * schedule.everyHours < schedule.windowHours; k += 1) {
        walls.push(midnight + (startMinute + k * schedule.everyHours * 60) * MS_PER_MINUTE);
      }
      return walls;
    }
  }
}

function slotIdOf(timeZone: string, wallMs: number): string {
  return `${formatWall(wallMs)}${SLOT_ID_SEPARATOR}${timeZone}`;
}

/** The wall time and zone a slot id names, or null when it is not a slot id. */
export function parseSlotId(id: string): { wallMs: number; timeZone: string } | null {
  const separator = id.indexOf(SLOT_ID_SEPARATOR);
  if (separator < 0) return null;
  const wallMs = parseWall(id.slice(0, separator));
  const timeZone = id.slice(separator + 1);
  if (wallMs === null || timeZone === '') return null;
  return { wallMs, timeZone };
}

/** The instant a slot id runs at (same rules as its policy), or null for a bad id/zone. */
export function instantOfSlotId(id: string): Date | null {
  const parsed = parseSlotId(id);
  if (parsed === null) return null;
  try {
    return new Date(wallToInstant(parsed.timeZone, parsed.wallMs));
  } catch {
    return null;
  }
}

/** All slots running at or after `fromMs`, in order, without end. */
function* slotsFrom(policy: Policy, fromMs: number): Generator<ScheduledSlot> {
  if (!Number.isFinite(fromMs)) throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'from must be a valid instant (ISO 8601, e.g. 2026-03-29T00:00:00Z)', { field: 'from' });
  const zone = policy.timeZone;
  let day = civilDayOfWall(instantToWall(zone, fromMs)) - LOOKBACK_DAYS;
  let lastAt = Number.NEGATIVE_INFINITY;
  let emptyDays = 0;
  while (emptyDays < MAX_EMPTY_DAYS) {
    const walls = slotWallsOfDay(policy.schedule, day);
    emptyDays = walls.length === 0 ? emptyDays + 1 : 0;
    for (const wall of walls) {
      const at = wallToInstant(zone, wall);
      if (at <= lastAt) continue;
      lastAt = at;
      if (at >= fromMs) yield { id: slotIdOf(zone, wall), wall: formatWall(wall), at: new Date(at) };
    }
    day += 1;
  }
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 0) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `count must be a whole number of runs (0 or more), got ${count}`, { field: 'count' });
  }
}

/** The next `count` slots at or after `from`, in order. */
export function nextSlots(policy: Policy, from: Date, count: number): ScheduledSlot[] {
  checkCount(count);
  const slots: ScheduledSlot[] = [];
  if (count === 0) return slots;
  for (const slot of slotsFrom(policy, from.getTime())) {
    slots.push(slot);
    if (slots.length >= count) break;
  }
  return slots;
}

/** The next `count` run instants at or after `from`, strictly increasing. */
export function nextRuns(policy: Policy, from: Date, count: number): Date[] {
  return nextSlots(policy, from, count).map((slot) => slot.at);
}

/** The latest slot running at or before `instant` (the one due then), or null. */
export function slotOf(policy: Policy, instant: Date): ScheduledSlot | null {
  const limit = instant.getTime();
  let latest: ScheduledSlot | null = null;
  for (const slot of slotsFrom(policy, limit - SLOT_OF_LOOKBACK_DAYS * MS_PER_DAY)) {
    if (slot.at.getTime() > limit) break;
    latest = slot;
  }
  return latest;
}

/** Slots with from <= at < to, in order; at most `limit` of them. */
export function scheduledSlotsBetween(policy: Policy, from: Date, to: Date, limit = 100_000): ScheduledSlot[] {
  const slots: ScheduledSlot[] = [];
  const end = to.getTime();
  for (const slot of slotsFrom(policy, from.getTime())) {
    if (slot.at.getTime() >= end || slots.length >= limit) break;
    slots.push(slot);
  }
  return slots;
}
