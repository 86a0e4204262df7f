/** Milliseconds in a minute, an hour and a 24-hour day: one definition for the engine and the UI. */
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;
