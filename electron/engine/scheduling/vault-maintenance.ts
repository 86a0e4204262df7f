/**
 * One maintenance pass over a vault, as the scheduler runs it every hour: retention (a
 * 'prune' job: expired points to soft delete, purge past the purge date), then garbage
 * collection (a 'gc' job). GC refused because backups are writing is "postponed", not an
 * error: the next pass tries again.
 */
import { ErrorCodes } from '../../../shared/errors.ts';
import type { MaintenanceServices } from './maintenance-services.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import { runGc } from './gc-run.ts';
import { runPrune } from './retention-follow-up.ts';

export interface MaintenanceResult {
  vault: string;
  expired: number;
  purged: number;
  /** Bytes freed by GC; null when GC failed or was postponed. */
  bytesFreed: number | null;
  gcMessage?: string;
}

export async function maintainVault(
  services: MaintenanceServices, session: VaultSession, log: (line: string) => void,
): Promise<MaintenanceResult> {
  const result: MaintenanceResult = { vault: session.config.name, expired: 0, purged: 0, bytesFreed: null };
  try {
    const { report } = await runPrune(services, session, { trigger: 'system' });
    result.expired = report.expired.length;
    result.purged = report.purged;
    const gc = await runGc(services, session, { trigger: 'system' });
    if (gc.result) result.bytesFreed = gc.result.bytesFreed;
    else result.gcMessage = gc.job.error?.code === ErrorCodes.VAULT_LOCKED ? `postponed: ${gc.job.error.message}` : (gc.job.error?.message ?? 'failed');
    log(`maintenance of vault "${result.vault}": ${result.expired} point(s) expired, ${result.purged} purged, ${result.bytesFreed === null ? `GC ${result.gcMessage}` : `GC freed ${result.bytesFreed} bytes`}.`);
  } catch (error) {
    result.gcMessage = error instanceof Error ? error.message : String(error);
    log(`maintenance of vault "${result.vault}" failed: ${result.gcMessage}`);
  }
  return result;
}
