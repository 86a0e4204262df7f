/**
 * Starts backups (Backup now, the scheduler, catch-up runs) as jobs, and runs the hooks
 * that follow a successful backup (retention, snapshot-tier expiry).
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { Job } from '../../../shared/contract/item-models.ts';
import type { Clock } from '../app/clock.ts';
import type { JobService, RunningJob } from '../jobs/job-service.ts';
import type { ProtectionService, ResolvedItem } from '../protection/protection-service.ts';
import { listPolicyRecords } from '../policy/policy-records.ts';
import type { VaultKeyring } from '../vault/vault-keyring.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import { assertBackupItemId, runBackup, SNAPSHOT, TRANSFER, type BackupOutcome } from './backup-job.ts';
import { resolveRetainUntil } from './retain-until.ts';
import { assertItemConfirmed } from '../protection/item-confirmation.ts';
import type { VmCaptureServices } from './vm-capture.ts';
import { followVmFiles } from './vm-item-files.ts';
import { testsRestore } from '../../../shared/policy.ts';
import {
  recordPointTestRestore, runPointTestRestore, TEST_RESTORE, testRestoreSummary, type TestRestoreServices,
} from './point-test-restore.ts';
import { carriedTestRestore } from './test-restore-carry-over.ts';
import { pointTestRestoreOf } from './point-record.ts';
import { backupLikelyReadsData } from './chunk-worker-warmup.ts';
import type { JobContext } from '../jobs/job-service.ts';
import { readReplaceJournal } from '../restore/replace-journal.ts';

export type AfterBackupHook = (session: VaultSession, item: ResolvedItem['record'], outcome: BackupOutcome) => Promise<void>;

export interface StartBackupOptions {
  retainUntil?: string | undefined;
  trigger?: Job['trigger'];
  slot?: string;
  jobId?: string;
}

export class BackupService {
  private readonly protection: ProtectionService;
  private readonly jobs: JobService;
  private readonly keyring: VaultKeyring;
  private readonly clock: Clock;
  /** Run in order after every successful backup (the engine gives the retention pass). */
  private readonly afterBackup: readonly AfterBackupHook[];
  /** How VM items' VMs are read and frozen; the environment scripts and hypervisor tools run in. */
  private readonly vms: VmCaptureServices;
  /** The test restore run after the transfer (third step) when the policy has it on; none: no such step. */
  private readonly testRestore: TestRestoreServices | undefined;

  constructor(protection: ProtectionService, jobs: JobService, keyring: VaultKeyring, clock: Clock,
    vms: VmCaptureServices, afterBackup: readonly AfterBackupHook[] = [], testRestore?: TestRestoreServices) {
    this.testRestore = testRestore;
    this.protection = protection;
    this.jobs = jobs;
    this.keyring = keyring;
    this.clock = clock;
    this.vms = vms;
    this.afterBackup = afterBackup;
  }

  async start(itemRef: string, options: StartBackupOptions = {}): Promise<RunningJob> {
    const resolved = await this.protection.resolve(itemRef);
    const { session, record } = resolved;
    assertBackupItemId(session.dir, record);
    if (record.state !== 'protected') {
      throw new LabvaultError(ErrorCodes.RULE_VIOLATION, `Item "${record.name}" is ${record.state === 'stopped' ? 'not protected (protection was stopped): resume protection first' : 'soft-deleted: undelete it first'}.`, { field: 'item' });
    }
    // A record read from the vault folder names files: read them only if this machine confirmed them.
    await assertItemConfirmed(this.protection.trust, session, record);
    // Mid-replace, the item's files are part old, part new: never a point of that.
    const replace = await readReplaceJournal(this.protection.appHome, record.id);
    if (replace) {
      throw new LabvaultError(ErrorCodes.CONFLICT, `A replace of "${record.name}" with point ${replace.pointId} is unfinished, so its files are part old, part new: `
        + `finish it first ("labvault restore replace ${record.name} --resume --confirm ${record.name}", or --rollback).`, { field: 'item', details: { replacePoint: replace.pointId } });
    }
    const trigger = options.trigger ?? 'on-demand';
    const scheduled = trigger === 'scheduled' || trigger === 'catch-up';
    const retainUntil = scheduled ? null : resolveRetainUntil(options.retainUntil, this.clock.now()).toISOString();
    const store = await this.keyring.store(session);
    // A backup that will read data starts its chunk workers now, beside the snapshot and the
    // transfer's setup (about 60 ms of this thread's time), not when the first chunk needs them.
    // Not before the key: the derivation keeps both cores busy and holds 128 MiB until it ends.
    if (backupLikelyReadsData(session, record)) store.hasher.warmUp();
    const policy = listPolicyRecords(session).find((candidate) => candidate.id === record.policyId);
    // Scripts come from this machine's trust file only, never from the vault.
    const scripts = (await this.protection.trust.vault(session.config.id))?.items[record.id]?.scripts;
    const job = this.jobs.create(session, {
      operation: 'backup', itemId: record.id, item: record.name, trigger,
      subtasks: this.testRestore ? [SNAPSHOT, TRANSFER, TEST_RESTORE] : [SNAPSHOT, TRANSFER],
      ...(options.jobId ? { id: options.jobId } : {}),
    });
    return this.jobs.start(session, job, async (context) => {
      const outcome = await runBackup(context, {
        item: record, store, retainUntil, scheduled,
        ...(options.slot ? { slot: options.slot } : {}),
        instantRestoreDays: policy?.policy.instantRestoreDays ?? 2,
        now: () => this.clock.now(),
        vms: this.vms,
        scripts,
        appHome: this.protection.appHome,
      });
      const testing = policy ? { name: policy.name, on: testsRestore(policy.policy) } : undefined;
      await this.testPoint(context, session, record, outcome, testing);
      const vmFiles = outcome.vmFiles;
      const follow: AfterBackupHook[] = vmFiles
        ? [async () => followVmFiles(this.protection, session, record.id, vmFiles, this.clock.now())] : [];
      for (const hook of [...follow, ...this.afterBackup]) {
        try {
          await hook(session, record, outcome);
        } catch (error) {
          // The point is committed; a failing follow-up (retention) must not turn it into a failed backup.
          context.setJob((job) => {
            const transfer = job.subtasks.find((subtask) => subtask.name === TRANSFER);
            if (transfer) transfer.message = `${transfer.message ?? ''} Follow-up failed: ${error instanceof Error ? error.message : String(error)}`.trim();
          });
        }
      }
    });
  }

  /** Step 3: the test restore of the new point (skipped when the policy turns it off or no point was made). */
  private async testPoint(context: JobContext, session: VaultSession, record: ResolvedItem['record'], outcome: BackupOutcome,
    policy: { name: string; on: boolean } | undefined): Promise<void> {
    if (!this.testRestore) return;
    if (!outcome.point) {
      context.end(TEST_RESTORE, 'skipped', 'No new point (its transfer was skipped).');
      return;
    }
    if (policy && !policy.on) {
      context.end(TEST_RESTORE, 'skipped', `Test restore is off in policy "${policy.name}".`);
      return;
    }
    context.begin(TEST_RESTORE);
    try {
      const subject = {
        session, itemId: record.id, itemName: record.name, pointId: outcome.point.id, jobId: context.job.id,
      };
      // The same disks as the previous point (every index equal): its check stands, no walk again.
      const previousId = outcome.previous?.pointId;
      const carried = outcome.manifest && previousId !== undefined
        ? carriedTestRestore(outcome.manifest, outcome.previous, pointTestRestoreOf(session, previousId),
          this.testRestore.clock.now())
        : null;
      if (carried) {
        await recordPointTestRestore(this.testRestore, subject, carried);
        context.end(TEST_RESTORE, 'completed', `${testRestoreSummary(carried)} (Same disks as point ${previousId}, every `
          + `file's index equal: its test restore of ${carried.checkedAt} stands; nothing read again.)`);
        return;
      }
      const check = await runPointTestRestore(this.testRestore, subject);
      context.end(TEST_RESTORE, 'completed', testRestoreSummary(check));
    } catch (error) {
      // The point is committed: a check that could not run is reported, never a failed backup.
      context.end(TEST_RESTORE, 'skipped', `The test restore could not run: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
