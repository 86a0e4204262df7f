/**
 * Retention where it belongs in the flow of backups:
 * - retentionAfterBackup(services): the hook that applies the vault's retention after every
 *   successful backup (engine.ts gives it to the BackupService it constructs).
 * - runPrune(services, session, {dryRun}): `labvault prune` and the scheduler's hourly pass;
 *   a real pass is recorded as a 'prune' job.
 * Both go through the vault's maintenance queue, so passes never overlap in a process.
 */
import type { Job } from '../../../shared/contract/item-models.ts';
import type { AfterBackupHook } from '../backup/backup-service.ts';
import type { MaintenanceServices } from './maintenance-services.ts';
import { applyRetention, type PruneReport } from '../policy/retention-pass.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import { inVaultQueue } from './vault-maintenance-queue.ts';

export function retentionAfterBackup(services: MaintenanceServices): AfterBackupHook {
  return async (session) => {
    await inVaultQueue(session.dir, () => applyRetention(services, session, services.clock.now()));
  };
}

export interface PruneRun {
  report: PruneReport;
  /** The 'prune' job (absent for a dry run). */
  job?: Job;
}

export function runPrune(services: MaintenanceServices, session: VaultSession,
  options: { dryRun?: boolean; trigger?: Extract<Job['trigger'], 'on-demand' | 'system'> } = {}): Promise<PruneRun> {
  return inVaultQueue(session.dir, async () => {
    if (options.dryRun) {
      return { report: await applyRetention(services, session, services.clock.now(), { dryRun: true }) };
    }
    const job = services.jobs.create(session, { operation: 'prune', itemId: null, item: null, trigger: options.trigger ?? 'on-demand', subtasks: [] });
    let report: PruneReport | undefined;
    let failure: unknown;
    const running = services.jobs.start(session, job, async () => {
      try {
        report = await applyRetention(services, session, services.clock.now());
      } catch (error) {
        failure = error;
        throw error;
      }
    });
    const done = await running.done;
    if (!report) throw failure ?? new Error(`Prune of vault "${session.config.name}" failed.`);
    return { report, job: done };
  });
}
