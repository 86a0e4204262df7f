/** The next day a time zone's UTC offset changes (daylight saving), found by scanning days. */
import { MS_PER_DAY, MS_PER_HOUR } from '../../../shared/time-units.ts';

const SCAN_DAYS = 400;

function offsetName(format: Intl.DateTimeFormat, at: Date): string {
  return format.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? '';
}

/** The first instant (to the hour) after `from` with another offset, or null when the zone has none within a year. */
export function nextClockChange(zone: string, from = new Date()): Date | null {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  } catch {
    return null;
  }
  const start = offsetName(format, from);
  for (let day = 1; day <= SCAN_DAYS; day += 1) {
    const at = new Date(from.getTime() + day * MS_PER_DAY);
    if (offsetName(format, at) !== start) {
      for (let hour = 24; hour >= 0; hour -= 1) {
        const earlier = new Date(at.getTime() - hour * MS_PER_HOUR);
        if (offsetName(format, earlier) !== start) return earlier;
      }
      return at;
    }
  }
  return null;
}
