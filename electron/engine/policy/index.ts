/**
 * The policy engine's public surface: schedules (next runs, slots), retention, and the
 * scheduler core. The policy schema itself lives in shared/policy.ts (shared with the UI).
 */
export { nextRuns, nextSlots, slotOf, scheduledSlotsBetween, slotsFrom, slotIdOf, parseSlotId, instantOfSlotId, type ScheduledSlot } from './next-runs.ts';
export { computeRetention, type RetentionDecision, type RetentionExpiry, type RetentionPoint, type RetentionRule } from './retention.ts';
export { previewRetention, parseRetentionPoints, parseInstant, type PreviewDecision, type PreviewPointInput } from './retention-preview.ts';
export { dueRunOf, nextDueAtOf, coveredUntil, type DueRun, type RunKind, type ScheduledItem } from './due-run.ts';
export { PolicyScheduler, DEFAULT_RECHECK_MS, type SchedulerClock, type SchedulerOptions, type SchedulerPorts, type SchedulerStage, type TickResult } from './scheduler.ts';
export { instantToWall, wallToInstant, offsetAt, isKnownTimeZone } from './zoned-time.ts';
export { previewRuns, describeRun, type RunPreview, type RunDstNote } from './run-preview.ts';
export { simulateRetention, DEFAULT_SIMULATION_DAYS, type RetentionPicture, type SimulatedPoint } from './retention-simulation.ts';
