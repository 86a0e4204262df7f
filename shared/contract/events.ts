/**
 * Events the engine pushes to every face (job progress, job finished, alerts, changes).
 */
import { z } from '../zod-jitless.ts';

export const events = {
  vaultsChanged: z.object({ reason: z.string() }),
  jobProgress: z.object({
    jobId: z.string(),
    itemId: z.string(),
    vaultId: z.string(),
    subtask: z.string(),
    bytesDone: z.number(),
    bytesTotal: z.number(),
    bytesPerSecond: z.number(),
    etaSeconds: z.number().nullable(),
  }),
  jobChanged: z.object({ jobId: z.string(), vaultId: z.string(), status: z.string() }),
  jobFinished: z.object({
    jobId: z.string(), vaultId: z.string(), itemName: z.string(), operation: z.string(), status: z.string(),
    message: z.string(),
  }),
  rekeyProgress: z.object({ vaultId: z.string(), phase: z.enum(['points', 'finish']), done: z.number(), total: z.number() }),
  imageExportProgress: z.object({ out: z.string(), bytesDone: z.number(), bytesTotal: z.number() }),
  alertRaised: z.object({ id: z.string(), vaultId: z.string(), severity: z.enum(['info', 'warning', 'critical']), title: z.string(), message: z.string() }),
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.infer<Events[E]>;
export const eventNames = Object.keys(events) as EventName[];

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.hasOwn(events, value);
}
