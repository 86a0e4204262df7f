/**
 * Retention: which recovery points a policy keeps, and until when. Pure.
 *
 * Rules (the cloud model, made robust), all computed on wall-clock dates and times in the
 * policy's time zone:
 * - daily: every scheduled point expires at its wall time + N days.
 * - weekly: in each Monday-start week, the first scheduled point whose date is on or after
 *   the chosen weekday expires at its wall time + 7N days.
 * - monthly: in each calendar month, the first scheduled point on or after the anchor
 *   (the chosen day, clamped to the month's last day, or the first..fourth/last chosen
 *   weekday) expires at its wall time + N calendar months.
 * - yearly: in each year, the first scheduled point on or after the anchor (chosen month
 *   plus day, clamped, or weekday rule) expires at its wall time + N calendar years.
 * - on-demand: a point with onDemandUntil expires then.
 * A point's expiry is the latest of its expiries; it is kept while now < expiry.
 *
 * Edge decisions:
 * - "+ N days/months/years" moves the wall time (22:00 stays 22:00 across DST); the result
 *   is turned back into an instant with the schedule's DST rules (skipped -> first instant
 *   after the gap, repeated -> first occurrence). Month/year additions clamp the day
 *   (Jan 31 + 1 month = Feb 28/29; Feb 29 + 1 year = Feb 28).
 * - A point is "scheduled" unless it says otherwise; by default a point with onDemandUntil
 *   is on-demand. Only scheduled points take daily/weekly/monthly/yearly expiries; a point
 *   marked both scheduled and on-demand takes both.
 * - Points before the anchor in their period never take that rule, and nor do later
 *   points once one is chosen: the choice never changes as newer points arrive. If the
 *   chosen point is deleted, the rule is not moved to another point.
 * - Points at the same instant: the earlier in the input takes a weekly/monthly/yearly rule.
 * - A scheduled point no rule applies to (say weekly-only retention, mid-week point)
 *   expires at once: keep false, until null.
 * - A point exactly at its expiry instant is expired (kept while now < until).
 */
import type { Policy } from '../../../shared/policy.ts';
import { addDaysToWall, addMonthsToWall, civilDayOfWall } from './civil-date.ts';
import { monthlyPeriod, weeklyPeriod, yearlyPeriod, type RetentionPeriod } from './retention-anchors.ts';
import { instantToWall, wallToInstant } from './zoned-time.ts';

export type RetentionRule = 'daily' | 'weekly' | 'monthly' | 'yearly' | 'on-demand';

export interface RetentionPoint {
  id: string;
  time: Date;
  /** On-demand points: kept until this instant. */
  onDemandUntil?: Date;
  /** Taken by the schedule? Default: true unless onDemandUntil is given. */
  scheduled?: boolean;
}

export interface RetentionExpiry {
  rule: RetentionRule;
  until: Date;
}

export interface RetentionDecision {
  id: string;
  keep: boolean;
  /** Kept: the latest expiry. Expired: the instant it expired, or null if no rule applied. */
  until: Date | null;
  /** Rules that still keep the point at `now` (empty when expired). */
  rules: RetentionRule[];
  /** Every expiry the point has, kept or not, in rule order. */
  expiries: RetentionExpiry[];
}

const MONTHS_PER_YEAR = 12;
const DAYS_PER_WEEK = 7;
const RULE_ORDER: readonly RetentionRule[] = ['daily', 'weekly', 'monthly', 'yearly', 'on-demand'];

interface PlacedPoint {
  index: number;
  point: RetentionPoint;
  wall: number;
  day: number;
}

/** For one rule: index of the point chosen in each period (first on or after the anchor). */
function chooseFirstOnOrAfterAnchor(
  sorted: readonly PlacedPoint[], periodOf: (day: number) => RetentionPeriod,
): Set<number> {
  const decided = new Set<number>();
  const chosen = new Set<number>();
  for (const placed of sorted) {
    const period = periodOf(placed.day);
    if (decided.has(period.key) || placed.day < period.anchorDay) continue;
    decided.add(period.key);
    chosen.add(placed.index);
  }
  return chosen;
}

export function computeRetention(points: readonly RetentionPoint[], policy: Policy, now: Date): RetentionDecision[] {
  const zone = policy.timeZone;
  const { daily, weekly, monthly, yearly } = policy.retention;
  const placed: PlacedPoint[] = points.map((point, index) => {
    const wall = instantToWall(zone, point.time.getTime());
    return { index, point, wall, day: civilDayOfWall(wall) };
  });
  const scheduled = placed
    .filter(({ point }) => point.scheduled ?? point.onDemandUntil === undefined)
    .sort((a, b) => a.point.time.getTime() - b.point.time.getTime() || a.index - b.index);
  const weeklyChosen = weekly === undefined
    ? new Set<number>()
    : chooseFirstOnOrAfterAnchor(scheduled, (day) => weeklyPeriod(day, weekly));
  const monthlyChosen = monthly === undefined
    ? new Set<number>()
    : chooseFirstOnOrAfterAnchor(scheduled, (day) => monthlyPeriod(day, monthly));
  const yearlyChosen = yearly === undefined
    ? new Set<number>()
    : chooseFirstOnOrAfterAnchor(scheduled, (day) => yearlyPeriod(day, yearly));
  const scheduledIndexes = new Set(scheduled.map(({ index }) => index));
  const at = (wall: number): Date => new Date(wallToInstant(zone, wall));

  return placed.map(({ index, point, wall }) => {
    const expiries: RetentionExpiry[] = [];
    if (scheduledIndexes.has(index)) {
      if (daily !== undefined) expiries.push({ rule: 'daily', until: at(addDaysToWall(wall, daily.days)) });
      if (weekly !== undefined && weeklyChosen.has(index)) expiries.push({ rule: 'weekly', until: at(addDaysToWall(wall, DAYS_PER_WEEK * weekly.weeks)) });
      if (monthly !== undefined && monthlyChosen.has(index)) expiries.push({ rule: 'monthly', until: at(addMonthsToWall(wall, monthly.months)) });
      if (yearly !== undefined && yearlyChosen.has(index)) expiries.push({ rule: 'yearly', until: at(addMonthsToWall(wall, MONTHS_PER_YEAR * yearly.years)) });
    }
    if (point.onDemandUntil !== undefined) expiries.push({ rule: 'on-demand', until: point.onDemandUntil });
    return decide(point.id, expiries, now);
  });
}

function decide(id: string, expiries: RetentionExpiry[], now: Date): RetentionDecision {
  let latest: Date | null = null;
  for (const expiry of expiries) {
    if (latest === null || expiry.until.getTime() > latest.getTime()) latest = expiry.until;
  }
  const rules = RULE_ORDER.filter((rule) => expiries.some((expiry) => (
    expiry.rule === rule && expiry.until.getTime() > now.getTime()
  )));
  return { id, keep: rules.length > 0, until: latest, rules, expiries };
}
