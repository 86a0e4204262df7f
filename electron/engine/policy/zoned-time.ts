/**
 * Wall clock <-> instant conversion in an IANA time zone, with Intl only (no tz library).
 *
 * - instantToWall: the wall time a zone shows at an instant.
 * - wallToInstant: the instant a zone shows a wall time, with Labvault's DST rules:
 *   a wall time that does not exist (skipped by a forward shift) maps to the first valid
 *   instant after the gap (02:30 in a 02:00 -> 03:00 gap -> the instant the clock reads
 *   03:00); a wall time that occurs twice maps to its first occurrence.
 *
 * Works for any offset change the platform's ICU data knows: 30-minute shifts
 * (Australia/Lord_Howe), zones without DST, historical offset changes. Offsets are found by
 * formatting instants with Intl.DateTimeFormat#formatToParts; one formatter per zone is
 * cached, and offsets are cached per zone and UTC hour once the hour is seen to hold a
 * single offset.
 */
import { wallMsOf } from './civil-date.ts';
import { MS_PER_HOUR } from '../../../shared/time-units.ts';

const MS_PER_SECOND = 1000;
/**
 * Offsets in force around a wall time are sampled a day either side (more than any UTC
 * offset); like the Temporal proposal, this assumes at most one offset change per 48 h.
 */
const OFFSET_SAMPLE_HOURS = [-24, 24] as const;
/** The offset cache is dropped when it grows past this many hours (bounded memory). */
const MAX_CACHED_HOURS = 200_000;

/**
 * tzdata's names of UTC itself (zone and links), whose offset is 0 at every instant: answered
 * without Intl, whose first formatter of a process loads the time zone data (about 12-18 ms
 * of a command, measured in an unchanged backup's retention pass on a UTC server).
 */
export const UTC_ZONE_NAMES: ReadonlySet<string> = new Set([
  'UTC', 'Etc/UTC', 'Etc/UCT', 'UCT', 'Etc/Universal', 'Universal', 'Etc/Zulu', 'Zulu',
  'Etc/GMT', 'GMT', 'Etc/GMT0', 'GMT0', 'Etc/GMT+0', 'Etc/GMT-0', 'GMT+0', 'GMT-0', 'Etc/Greenwich', 'Greenwich',
]);

const formatters = new Map<string, Intl.DateTimeFormat>();
/** zone -> UTC hour index -> offset in ms valid for that whole hour. */
const offsetCache = new Map<string, Map<number, number>>();
let cachedHourCount = 0;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function wallOfWholeSecond(timeZone: string, instantMs: number): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(instantMs));
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let beforeChrist = false;
  for (const part of parts) {
    switch (part.type) {
      case 'year': year = Number(part.value); break;
      case 'month': month = Number(part.value); break;
      case 'day': day = Number(part.value); break;
      case 'hour': hour = Number(part.value); break;
      case 'minute': minute = Number(part.value); break;
      case 'second': second = Number(part.value); break;
      case 'era': beforeChrist = part.value.startsWith('B'); break;
      default: break;
    }
  }
  if (beforeChrist) year = 1 - year;
  return wallMsOf(year, month, day, hour, minute, second);
}

function uncachedOffset(timeZone: string, wholeSecondMs: number): number {
  return wallOfWholeSecond(timeZone, wholeSecondMs) - wholeSecondMs;
}

/** The zone's UTC offset in ms at an instant (local = UTC + offset). */
export function offsetAt(timeZone: string, instantMs: number): number {
  if (UTC_ZONE_NAMES.has(timeZone)) return 0;
  const hourIndex = Math.floor(instantMs / MS_PER_HOUR);
  let zoneCache = offsetCache.get(timeZone);
  const cached = zoneCache?.get(hourIndex);
  if (cached !== undefined) return cached;
  const hourStart = hourIndex * MS_PER_HOUR;
  const atStart = uncachedOffset(timeZone, hourStart);
  // Offsets change at most once in any hour; equal at both ends means constant inside.
  if (uncachedOffset(timeZone, hourStart + MS_PER_HOUR - MS_PER_SECOND) !== atStart) {
    return uncachedOffset(timeZone, Math.floor(instantMs / MS_PER_SECOND) * MS_PER_SECOND);
  }
  if (cachedHourCount >= MAX_CACHED_HOURS) {
    offsetCache.clear();
    cachedHourCount = 0;
    zoneCache = undefined;
  }
  if (zoneCache === undefined) {
    zoneCache = new Map();
    offsetCache.set(timeZone, zoneCache);
  }
  zoneCache.set(hourIndex, atStart);
  cachedHourCount += 1;
  return atStart;
}

/** The wall time (as wall ms, see civil-date.ts) the zone shows at an instant. */
export function instantToWall(timeZone: string, instantMs: number): number {
  return instantMs + offsetAt(timeZone, instantMs);
}

/**
 * The instant at which the zone shows a wall time. Ambiguous (repeated) wall times give
 * the first occurrence; nonexistent ones give the first valid instant after the gap.
 */
export function wallToInstant(timeZone: string, wallMs: number): number {
  const offsets = new Set<number>();
  for (const hours of OFFSET_SAMPLE_HOURS) offsets.add(offsetAt(timeZone, wallMs + hours * MS_PER_HOUR));
  let earliestValid = Number.POSITIVE_INFINITY;
  let lowest = Number.POSITIVE_INFINITY;
  let highest = Number.NEGATIVE_INFINITY;
  for (const offset of offsets) {
    const candidate = wallMs - offset;
    lowest = Math.min(lowest, candidate);
    highest = Math.max(highest, candidate);
    if (offsetAt(timeZone, candidate) === offset && candidate < earliestValid) earliestValid = candidate;
  }
  if (earliestValid !== Number.POSITIVE_INFINITY) return earliestValid;
  return firstInstantAfterGap(timeZone, lowest, highest);
}

/**
 * The wall time fell into a gap: the offset changes between `lowest` (still the old
 * offset) and `highest` (already the new one). Binary search, to the second, for the
 * first instant with the new offset: the moment the clock jumped.
 */
function firstInstantAfterGap(timeZone: string, lowest: number, highest: number): number {
  const before = offsetAt(timeZone, lowest);
  let low = Math.floor(lowest / MS_PER_SECOND);
  let high = Math.ceil(highest / MS_PER_SECOND);
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetAt(timeZone, middle * MS_PER_SECOND) === before) low = middle;
    else high = middle;
  }
  return high * MS_PER_SECOND;
}
