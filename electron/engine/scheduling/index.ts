/**
 * Scheduling: what runs backups, retention and GC on time, for the faces.
 * - startSchedulerHost(engine, options?) -> { stop, tick, maintain, idle, ownedVaults }
 * - hostedScheduler(engine, options?)    -> { start, stop } for the desktop's SchedulerHost
 * - installRetentionFollowUp(engine)     retention after every backup of that engine
 * - runPrune(engine, session, {dryRun})  retention now ('prune' job unless dry run)
 * - runGc(engine, session, {waitMs})     GC as a 'gc' job with its figures
 * Files in a vault: data/schedule/scheduler.lock, data/schedule/slots/<item id>.json.
 */
export { startSchedulerHost, MAINTENANCE_EVERY_MS, type SchedulerHost, type SchedulerHostOptions, type MaintenanceResult } from './scheduler-host.ts';
export { hostedScheduler, type HostedEngineScheduler } from './hosted-scheduler.ts';
export { installRetentionFollowUp, runPrune, type PruneRun } from './retention-follow-up.ts';
export { runGc, type GcJob, type GcRunOptions, type GcRunReport } from './gc-run.ts';
export { readLastSlot, recordScheduledSlot, scheduleDir } from './schedule-slot-ledger.ts';
export { trySchedulerLock, schedulerLockPath, type SchedulerLockOwner } from './scheduler-lock.ts';
