/**
 * Test restore of a point, recorded: the guest service checks the point's disks, the result
 * is kept on the point (point-test-record.ts), and a failed check raises an alert about the
 * item ('test-restore-failed', open until acknowledged or until a later check of the item
 * passes). Run as the third step of a backup when the item's policy has it on (the
 * default), and by `labvault verify ITEM --point ID --guest`.
 */
import { ErrorCodes, isLabvaultError } from '../../../shared/errors.ts';
import type { TestRestore } from '../../../shared/contract/item-models.ts';
import type { AlertService } from '../alerts/alert-service.ts';
import type { Clock } from '../app/clock.ts';
import type { GuestService } from '../guest/guest-service.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import { savePointTestRestore } from './point-test-record.ts';

export const TEST_RESTORE = 'Test restore';
export const TEST_RESTORE_FAILED_ALERT = 'test-restore-failed';
export const TEST_RESTORE_FAILED_TITLE = 'Test restore failed';

/** Vault errors that mean the point itself cannot be read back: the check failed, it did not crash. */
const POINT_UNREADABLE = new Set<string>([
  ErrorCodes.CORRUPT, ErrorCodes.IO_ERROR, ErrorCodes.GUEST_UNREADABLE, ErrorCodes.TIMEOUT,
]);

export interface TestRestoreServices {
  guests: Pick<GuestService, 'testRestore'>;
  alerts: Pick<AlertService, 'raiseOrRepeat' | 'resolve'>;
  clock: Clock;
}

export interface TestRestoreSubject {
  session: VaultSession;
  itemId: string;
  itemName: string;
  pointId: string;
  /** The backup job that ran it, for the alert. */
  jobId?: string;
}

/** A one-line summary of a result, for a job's subtask and the CLI. */
export function testRestoreSummary(check: TestRestore): string {
  const volumes = check.volumes.filter((volume) => volume.status !== 'not-readable').length;
  switch (check.status) {
    case 'verified': return `Verified: ${volumes} filesystem${volumes === 1 ? '' : 's'} read clean.`;
    case 'warnings': return `Readable with warnings: ${check.reasons[0] ?? ''}`.trim();
    case 'failed': return `Failed: ${check.reasons[0] ?? 'the point could not be read back'}`;
    case 'not-readable': return `Not readable: ${check.reasons[0] ?? 'no filesystem Labvault reads'}`;
  }
}

export async function runPointTestRestore(services: TestRestoreServices,
  subject: TestRestoreSubject): Promise<TestRestore> {
  let check: TestRestore;
  try {
    check = await services.guests.testRestore({ item: subject.itemId, point: subject.pointId });
  } catch (error) {
    if (!isLabvaultError(error) || !POINT_UNREADABLE.has(error.code)) throw error;
    check = {
      pointId: subject.pointId, itemId: subject.itemId, status: 'failed', checkedAt: '',
      reasons: [`The point could not be read back from the vault: ${error.message}`.slice(0, 2000)], volumes: [], chunksRead: 0, elapsedMs: 0,
    };
  }
  check = { ...check, checkedAt: services.clock.now().toISOString() };
  await recordPointTestRestore(services, subject, check);
  return check;
}

/** Keeps `check` on the point and raises or resolves the item's alert as the result says. */
export async function recordPointTestRestore(services: TestRestoreServices, subject: TestRestoreSubject,
  check: TestRestore): Promise<void> {
  await savePointTestRestore(subject.session, check);
  if (check.status === 'failed') {
    await services.alerts.raiseOrRepeat(subject.session, 'critical', TEST_RESTORE_FAILED_TITLE,
      `The test restore of "${subject.itemName}" point ${subject.pointId} in vault "${subject.session.config.name}" failed: `
      + `${check.reasons.slice(0, 3).join(' ')} Files may not be recoverable from this point; restore an older point, `
      + `check the VM's disks (fsck / chkdsk), then back up again. The alert closes by itself when a later check of the item passes.`,
      {
        kind: TEST_RESTORE_FAILED_ALERT, itemId: subject.itemId, item: subject.itemName,
        ...(subject.jobId ? { jobId: subject.jobId } : {}),
      });
  } else if (check.status === 'verified' || check.status === 'warnings') {
    await services.alerts.resolve(subject.session, TEST_RESTORE_FAILED_ALERT, subject.itemId,
      `A later test restore of "${subject.itemName}" passed (point ${subject.pointId}).`);
  }
}
