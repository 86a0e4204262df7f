/**
 * Which scheduled run an item is due for at an instant: pure, the heart of the scheduler.
 *
 * A slot is covered when it ran (its id was recorded, or it is at or before the recorded
 * slot's instant), when a backup started at or after it (lastRunAt), or when it is before
 * protection began (protectedSince). At `now`, the latest slot at or before now that is
 * not covered is due; every earlier uncovered slot is missed and folds into that one run:
 * after sleep, shutdown or a crash an item gets ONE catch-up backup, never a burst, and
 * never two runs for one slot.
 *
 * If the clock went back (coverage lies in the future), coverage is cut to `now` so that
 * a wrong clock cannot block backups until it is reached again; the last recorded slot
 * itself is still never run twice (its id is compared).
 */
import type { Policy } from '../../../shared/policy.ts';
import { instantOfSlotId, nextSlots, scheduledSlotsBetween, slotOf, type ScheduledSlot } from './next-runs.ts';

export interface ScheduledItem {
  itemId: string;
  policy: Policy;
  /** Id of the last slot recorded for the item (recordSlot), e.g. "2026-03-29T02:30@Europe/Berlin". */
  lastScheduledSlot?: string;
  /** Start of the item's latest backup of any kind; slots at or before it are covered. */
  lastRunAt?: Date;
  /** When protection began (or resumed); earlier slots are never due. */
  protectedSince: Date;
}

export type RunKind = 'scheduled' | 'catch-up';

export interface DueRun {
  itemId: string;
  /** The slot to record and run: the latest uncovered slot at or before now. */
  slot: ScheduledSlot;
  /** 'catch-up' when slots were missed or the slot is older than the grace period. */
  kind: RunKind;
  /** Uncovered slots folded into this run, including `slot` (capped at MAX_COUNTED_SLOTS). */
  missedSlots: number;
}

/** A run that starts within this long after its slot is on time, not a catch-up. */
const ON_TIME_GRACE_MS = 10 * 60_000;
/** Missed slots are counted up to this many (a long shutdown of an hourly policy). */
const MAX_COUNTED_SLOTS = 1000;

/** Slots at or before this instant are covered (-Infinity when none). */
function coveredUntil(item: ScheduledItem, recordedSlotAt?: number): number {
  let covered = Number.NEGATIVE_INFINITY;
  if (item.lastScheduledSlot !== undefined) {
    const at = instantOfSlotId(item.lastScheduledSlot);
    if (at !== null) covered = Math.max(covered, at.getTime());
  }
  if (item.lastRunAt !== undefined) covered = Math.max(covered, item.lastRunAt.getTime());
  if (recordedSlotAt !== undefined) covered = Math.max(covered, recordedSlotAt);
  return covered;
}

/** The first instant from which slots count: after coverage (cut to now), not before protection. */
function firstUncoveredInstant(item: ScheduledItem, now: Date, recordedSlotAt?: number): number {
  const covered = coveredUntil(item, recordedSlotAt);
  const trusted = covered > now.getTime() ? now.getTime() - 1 : covered;
  return Math.max(trusted + 1, item.protectedSince.getTime());
}

/**
 * The run due for an item at `now`, or null. `recordedSlotAt` is the instant of a slot
 * this process recorded that listItems may not show yet.
 */
export function dueRunOf(item: ScheduledItem, now: Date, recordedSlotAt?: number): DueRun | null {
  const latest = slotOf(item.policy, now);
  if (latest === null || latest.id === item.lastScheduledSlot) return null;
  const from = firstUncoveredInstant(item, now, recordedSlotAt);
  if (latest.at.getTime() < from) return null;
  const missedSlots = scheduledSlotsBetween(
    item.policy, new Date(from), new Date(now.getTime() + 1), MAX_COUNTED_SLOTS,
  ).length;
  const late = now.getTime() - latest.at.getTime() > ON_TIME_GRACE_MS;
  return { itemId: item.itemId, slot: latest, kind: missedSlots > 1 || late ? 'catch-up' : 'scheduled', missedSlots };
}

/** The next instant strictly after `now` at which the item has a slot due, or null. */
export function nextDueAtOf(item: ScheduledItem, now: Date, recordedSlotAt?: number): Date | null {
  const from = Math.max(now.getTime() + 1, firstUncoveredInstant(item, now, recordedSlotAt));
  const [next] = nextSlots(item.policy, new Date(from), 1);
  return next === undefined ? null : next.at;
}
