/**
 * A policy whose year preview keeps none of its scheduled backups cannot be created: this
 * says why, from the engine's retention picture and the draft (null when something is kept).
 */
import type { z } from '../../../shared/zod-jitless.ts';
import type { RetentionPictureSchema } from '../../../shared/contract/policy-channels.ts';
import type { PolicyDraft } from './policy-draft.ts';

export type RetentionPicture = z.infer<typeof RetentionPictureSchema>;

export interface RetentionPictureLike {
  points: ReadonlyArray<{ keep: boolean }>;
}

const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The schedule's weekdays when it runs on chosen days only (weekly, or hourly with days). */
function scheduledDays(draft: PolicyDraft): string[] | null {
  if (draft.frequency === 'weekly') return draft.days;
  if (draft.frequency === 'hourly' && draft.hourlyDays.length > 0) return draft.hourlyDays;
  return null;
}

export function keepsNothingReason(picture: RetentionPictureLike, draft: PolicyDraft): string | null {
  const runs = picture.points.length;
  if (runs === 0 || picture.points.some((point) => point.keep)) return null;
  const head = `None of the ${runs} scheduled backups in a year would be kept.`;
  const days = scheduledDays(draft);
  if (draft.weekly.on && !draft.daily.on && days && !days.includes(draft.weekly.day)) {
    return `${head} Weekly points are the ${cap(draft.weekly.day)} backups, but backups run on`
      + ` ${days.map(cap).join(', ')}: choose a weekly day the schedule runs, or keep daily points.`;
  }
  return `${head} Choose retention days the schedule runs on, or keep daily points.`;
}
