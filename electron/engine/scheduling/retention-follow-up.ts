/**
 * Retention where it belongs in the flow of backups:
 * - installRetentionFollowUp(engine): after every successful backup, apply the vault's
 *   retention (engine.backups.afterBackup). Installed once per engine.
 * - runPrune(engine, session, {dryRun}): `labvault prune` and the scheduler's hourly pass;
 *   a real pass is recorded as a 'prune' job.
 * Both go through the vault's maintenance queue, so passes never overlap in a process.
 */
import type { Job } from '../../../shared/contract/item-models.ts';
import type { Engine } from '../engine.ts';
import { applyRetention, type PruneReport } from '../vault/retention-pass.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import { inVaultQueue } from './vault-maintenance-queue.ts';

const installed = new WeakSet<Engine>();

export function installRetentionFollowUp(engine: Engine): void {
  if (installed.has(engine)) return;
  installed.add(engine);
  engine.backups.afterBackup.push(async (session) => {
    await inVaultQueue(session.dir, () => applyRetention(engine, session, engine.clock.now()));
  });
}

export interface PruneRun {
  report: PruneReport;
  /** The 'prune' job (absent for a dry run). */
  job?: Job;
}

export function runPrune(engine: Engine, session: VaultSession, options: { dryRun?: boolean; trigger?: Extract<Job['trigger'], 'on-demand' | 'system'> } = {}): Promise<PruneRun> {
  return inVaultQueue(session.dir, async () => {
    if (options.dryRun) return { report: await applyRetention(engine, session, engine.clock.now(), { dryRun: true }) };
    const job = engine.jobs.create(session, { operation: 'prune', itemId: null, item: null, trigger: options.trigger ?? 'on-demand', subtasks: [] });
    let report: PruneReport | undefined;
    let failure: unknown;
    const running = engine.jobs.start(session, job, async () => {
      try {
        report = await applyRetention(engine, session, engine.clock.now());
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
