/** vaults.gc, vaults.prune and vaults.rebuildCatalog: maintenance a user starts by hand. */
import type { ChannelHandlers } from '../../../shared/contract/channels.ts';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { EngineServices } from './engine-services.ts';
import { runGc } from '../scheduling/gc-run.ts';
import { runPrune } from '../scheduling/retention-follow-up.ts';
import { rebuildVaultCatalog } from '../vault/catalog-rebuild.ts';

type MaintenanceHandlers = Pick<ChannelHandlers['vaults'], 'gc' | 'prune' | 'rebuildCatalog'>;

export function maintenanceHandlers(engine: EngineServices): MaintenanceHandlers {
  return {
    gc: async ({ vault, waitSeconds }) => {
      const session = await engine.vaults.session(vault);
      const { job, result, error } = await runGc(engine, session, { waitMs: (waitSeconds ?? 0) * 1000 });
      if (!result) {
        throw error ?? new LabvaultError(ErrorCodes.INTERNAL, job.error?.message ?? 'Garbage collection failed.');
      }
      return { vault: session.config.name, jobId: job.id, ...result };
    },
    prune: async ({ vault, dryRun }) => {
      const session = await engine.vaults.session(vault);
      const { report, job } = await runPrune(engine, session, { dryRun: dryRun === true });
      return { ...report, ...(job ? { jobId: job.id } : {}) };
    },
    rebuildCatalog: async ({ name }) => {
      const rebuilt = await rebuildVaultCatalog(engine.vaults, engine.keyring, name);
      engine.events.emitAny('vaultsChanged', { reason: 'catalog rebuilt' });
      return rebuilt;
    },
  };
}
