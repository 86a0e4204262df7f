/**
 * A failed backup (scheduled or on demand) raises a critical alert about its item; it stays
 * open until acknowledged or until a later backup of that item succeeds (then it is resolved).
 * A cancelled backup raises none. Repeated failures count on the one open alert.
 */
import type { Job } from '../../../shared/contract/item-models.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import { alertsOfJob, type AlertService } from './alert-service.ts';

export const BACKUP_FAILED_ALERT = 'backup-failed';
export const BACKUP_FAILED_TITLE = 'Backup failed';

/** What these functions use of the alert service. */
export type BackupAlerts = Pick<AlertService, 'raiseOrRepeat' | 'resolve'>;

const TRIGGER_TEXT: Record<Job['trigger'], string> = {
  'on-demand': 'on-demand backup', scheduled: 'scheduled backup', 'catch-up': 'catch-up backup', system: 'backup',
};

function failureMessage(job: Job): string {
  const reason = job.error?.message ?? 'no reason was recorded';
  return `The ${TRIGGER_TEXT[job.trigger]} of "${job.item ?? job.itemId ?? '?'}" in vault "${job.vaultName}" failed`
    + ` (job ${job.id}): ${reason} The alert closes by itself when a later backup of the item succeeds.`;
}

/** Raises or resolves the item's backup alert for a backup job that just ended. */
export async function alertOnBackupEnd(alerts: BackupAlerts, session: VaultSession, job: Job): Promise<void> {
  if (job.operation !== 'backup' || job.itemId === null) return;
  if (job.status === 'failed') {
    await alerts.raiseOrRepeat(session, 'critical', BACKUP_FAILED_TITLE, failureMessage(job), {
      kind: BACKUP_FAILED_ALERT, itemId: job.itemId, ...(job.item ? { item: job.item } : {}), jobId: job.id,
    });
  } else if (job.status === 'completed' && job.pointId !== undefined) {
    await alerts.resolve(session, BACKUP_FAILED_ALERT, job.itemId,
      `A later backup of "${job.item ?? job.itemId}" succeeded (job ${job.id}, point ${job.pointId}).`);
  }
}

/**
 * For a failed backup no alert was raised for (its process was killed, or it failed before this
 * version raised them): raises one, so health and alerts agree. Idempotent: an alert that job
 * raised before, in any state, is left as it is.
 */
export async function ensureBackupFailureAlert(alerts: BackupAlerts, session: VaultSession,
  job: Job): Promise<void> {
  if (job.operation !== 'backup' || job.status !== 'failed' || job.itemId === null) return;
  if (alertsOfJob(session, job.id).length > 0) return;
  await alertOnBackupEnd(alerts, session, job);
}
