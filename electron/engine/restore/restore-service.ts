/**
 * RestoreService: starts a 'restore' job that writes a recovery point's disk files into a
 * target folder. The request is checked before the job starts (the point belongs to the
 * item, the target is a folder or missing, no file it would write exists), so a bad request
 * is a typed error of the call, not a failed job.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { readPointRow } from '../backup/point-record.ts';
import { existingPointSnapshot } from '../backup/snapshot-area.ts';
import { readCloneTrackingRecord } from '../backup/clone-tracking-record.ts';
import type { JobService, RunningJob } from '../jobs/job-service.ts';
import type { ProtectionService } from '../protection/protection-service.ts';
import type { VaultKeyring } from '../vault/vault-keyring.ts';
import { assertTargetsFree, manifestPathOf, RESTORE, runRestoreDisks, selectFiles } from './restore-disks.ts';
import { assertConvertedTargetsFree, runConvertedDisks, VERIFY } from './restore-disks-converted.ts';
import type { RestoreDiskFormat } from '../../../shared/contract/restore-vm-channels.ts';

export interface RestoreDisksInput {
  /** The item's name or id (vault/item when names repeat across vaults). */
  item: string;
  point: string;
  /** The target folder (created when missing). */
  to: string;
  /** Only these files of the point (default: all). */
  files?: string[] | undefined;
  /** Each disk written as one image in this format (chains merged). */
  format?: RestoreDiskFormat | undefined;
  /** Each disk's chain merged into one image (in its own format unless `format` names another). */
  flatten?: boolean | undefined;
}

export class RestoreService {
  private readonly protection: Pick<ProtectionService, 'resolve' | 'appHome'>;
  private readonly keyring: Pick<VaultKeyring, 'store'>;
  private readonly jobs: Pick<JobService, 'create' | 'start'>;
  /** Where qemu-img is looked for (checks of converted disks). */
  private readonly env: NodeJS.ProcessEnv;

  constructor(protection: Pick<ProtectionService, 'resolve' | 'appHome'>, keyring: Pick<VaultKeyring, 'store'>,
    jobs: Pick<JobService, 'create' | 'start'>, env: NodeJS.ProcessEnv = process.env) {
    this.protection = protection;
    this.keyring = keyring;
    this.jobs = jobs;
    this.env = env;
  }

  async startDisks(input: RestoreDisksInput): Promise<RunningJob> {
    const { session, record } = await this.protection.resolve(input.item);
    const point = readPointRow(session, input.point);
    if (!point || point.itemId !== record.id) {
      throw new LabvaultError(ErrorCodes.NOT_FOUND, `Item "${record.name}" has no recovery point ${input.point}. `
        + `"labvault points list ${record.name}" shows them.`, { field: 'point' });
    }
    if (input.to.trim() === '') {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Choose a target folder for the restore.', { field: 'to' });
    }
    const store = await this.keyring.store(session);
    const manifest = await store.readManifest(record.id, point.id);
    const targetDir = resolve(input.to);
    const existing = await stat(targetDir).catch(() => null);
    if (existing && !existing.isDirectory()) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT,
        `Restore target ${targetDir} is a file: choose a folder (it is created when missing).`, { field: 'to' });
    }
    const selected = selectFiles(manifest, input.files, manifestPathOf(store, manifest));
    if (input.format !== undefined || input.flatten === true) {
      await assertConvertedTargetsFree(targetDir, selected.filter((file) => file.role === 'disk'), input.format);
      const converting = this.jobs.create(session, {
        operation: 'restore', itemId: record.id, item: record.name, trigger: 'on-demand', subtasks: [RESTORE, VERIFY],
      });
      converting.pointId = point.id;
      return this.jobs.start(session, converting, (context) => runConvertedDisks(context, {
        store, manifest, targetDir, files: input.files, format: input.format, env: this.env,
      }));
    }
    await assertTargetsFree(targetDir, selected);
    const job = this.jobs.create(session, {
      operation: 'restore', itemId: record.id, item: record.name, trigger: 'on-demand', subtasks: [RESTORE],
    });
    job.pointId = point.id;
    return this.jobs.start(session, job, async (context) => {
      const cloneDir = existingPointSnapshot(session.dir, record.id, point.id, record.files);
      const cloneEvidence = cloneDir === null ? null
        : await readCloneTrackingRecord({ appHome: this.protection.appHome, vaultId: session.config.id }, record.id);
      await runRestoreDisks(context, {
        store, manifest, point, targetDir, files: input.files, cloneDir, cloneEvidence,
      });
    });
  }
}
