/** Builds the contract's Item (what the UI and `--json` show) from a record and the catalog. */
import { statSync } from 'node:fs';
import type { Item, ItemScripts } from '../../../shared/contract/item-models.ts';
import { listPointRows } from '../backup/point-record.ts';
import { lastBackupJob } from '../jobs/job-catalog.ts';
import { nextRuns } from '../policy/next-runs.ts';
import { listPolicyRecords } from '../policy/policy-records.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import type { ItemRecord } from './item-record.ts';

/**
 * `needsConfirmation`: why this machine does not back the item up yet (see item-confirmation.ts);
 * `scripts`: this machine's pre/post scripts of the item.
 */
export function itemView(
  session: VaultSession, record: ItemRecord, now: Date, needsConfirmation?: string | null, scripts?: ItemScripts,
): Item {
  const points = listPointRows(session, record.id, { includeDeleted: true });
  const active = points.filter((point) => point.state === 'active');
  const last = lastBackupJob(session, record.id);
  const policy = listPolicyRecords(session).find((candidate) => candidate.id === record.policyId);
  let nextRunAt: string | null = null;
  if (policy && record.state === 'protected') {
    const next = nextRuns(policy.policy, now, 1)[0];
    nextRunAt = next ? next.toISOString() : null;
  }
  return {
    id: record.id,
    name: record.name,
    vaultId: session.config.id,
    vaultName: session.config.name,
    state: record.state,
    policyName: policy?.name ?? '(missing policy)',
    createdAt: record.createdAt,
    files: record.files.map((file) => ({
      path: file.path, role: file.role, size: sizeOf(file.path),
      ...(file.diskFormat ? { diskFormat: file.diskFormat } : {}),
    })),
    lastBackupAt: last?.endedAt ?? last?.startedAt ?? null,
    lastBackupStatus: last?.status ?? null,
    pointCount: active.length,
    storedBytes: points.reduce((sum, point) => sum + point.storedBytes, 0),
    ...(record.retainMode ? { retainMode: record.retainMode } : {}),
    ...(record.deletedAt ? { deletedAt: record.deletedAt } : {}),
    ...(record.purgeAt ? { purgeAt: record.purgeAt } : {}),
    nextRunAt,
    ...(needsConfirmation ? { needsConfirmation: { reason: needsConfirmation } } : {}),
    ...(record.source ? {
      vm: {
        hypervisor: record.source.hypervisor, configPath: record.source.configPath,
        vmId: record.source.vmId, vmName: record.source.vmName,
      },
    } : {}),
    ...(scripts ? { scripts } : {}),
  };
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
