/**
 * What a desktop notification says for an engine event: a job that finished (completed
 * or failed) and every alert the engine raises; null for everything else.
 * Pure (no electron import), so tests check it under Node.
 */
import type { EventName, EventPayload } from '../../shared/contract/events.ts';

export interface DesktopNotice {
  title: string;
  body: string;
  urgency: 'low' | 'normal' | 'critical';
}

const NOTIFIED_JOB_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed']);

function capitalised(text: string): string {
  return text === '' ? text : text[0]!.toUpperCase() + text.slice(1);
}

export function notificationFor(event: EventName, payload: unknown): DesktopNotice | null {
  if (event === 'jobFinished') {
    const job = payload as EventPayload<'jobFinished'>;
    if (!NOTIFIED_JOB_STATUSES.has(job.status)) return null;
    const failed = job.status === 'failed';
    return {
      title: `${capitalised(job.operation)} ${failed ? 'failed' : 'completed'}: ${job.itemName}`,
      body: job.message,
      urgency: failed ? 'critical' : 'low',
    };
  }
  if (event === 'alertRaised') {
    const alert = payload as EventPayload<'alertRaised'>;
    return { title: alert.title, body: alert.message, urgency: alert.severity === 'critical' ? 'critical' : 'normal' };
  }
  return null;
}
