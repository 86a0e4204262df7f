/**
 * runGc: garbage collection of a vault's store as a 'gc' job in the jobs list, with the
 * figures (chunks removed, bytes freed) on the job.
 *
 * Safety against backups comes from the store (vault-lock.ts, gc-store.ts): GC takes the
 * vault's exclusive lock, which it only gets while no backup holds a writer lock; a backup
 * that starts during GC waits for it (beginWrite waits up to a minute) and drops its cached
 * chunk ids (gc-epoch). So GC never runs during a transfer: with waitMs 0 it refuses with
 * VAULT_LOCKED ("the vault is busy"), with waitMs > 0 it waits for the transfers to end.
 * Phase locks of backups killed with -9 (data/locks/item-*.lock) are found stale by the
 * store's lock (vault-lock.ts) and do not block GC.
 */
import type { Job } from '../../../shared/contract/item-models.ts';
import type { MaintenanceServices } from './maintenance-services.ts';
import type { GcResult } from '../vault/store/gc-store.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import { inVaultQueue } from './vault-maintenance-queue.ts';

export interface GcRunOptions {
  /** Wait this long for running backups to finish before refusing (default 0). */
  waitMs?: number;
  trigger?: Extract<Job['trigger'], 'on-demand' | 'system'>;
}

/** A 'gc' job as stored: the Job plus its figures. */
export type GcJob = Job & { gc?: GcResult | undefined };

export interface GcRunReport {
  job: GcJob;
  /** null when GC failed or was refused (job.error says why). */
  result: GcResult | null;
  /** The error that failed the job (VAULT_LOCKED while backups run), if any. */
  error?: unknown;
}

export function runGc(
  services: MaintenanceServices, session: VaultSession, options: GcRunOptions = {},
): Promise<GcRunReport> {
  return inVaultQueue(session.dir, async () => {
    const job: GcJob = services.jobs.create(session, { operation: 'gc', itemId: null, item: null, trigger: options.trigger ?? 'on-demand', subtasks: [] });
    let result: GcResult | null = null;
    let failure: unknown;
    const running = services.jobs.start(session, job, async (context) => {
      try {
        const store = await services.keyring.store(session);
        const gc = await store.gc({ waitMs: options.waitMs ?? 0 });
        result = gc;
        context.setJob((current) => { (current as GcJob).gc = gc; });
      } catch (error) {
        failure = error;
        throw error;
      }
    });
    const done = await running.done;
    return { job: done as GcJob, result, ...(failure !== undefined ? { error: failure } : {}) };
  });
}
