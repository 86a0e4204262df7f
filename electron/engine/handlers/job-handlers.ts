/** backup.*, jobs.* and restore.* channels. */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { ChannelHandlers } from '../../../shared/contract/channels.ts';
import { readPointRow } from '../backup/point-record.ts';
import { existingPointSnapshot } from '../backup/snapshot-area.ts';
import type { Engine } from '../engine.ts';
import { RESTORE, runRestoreDisks } from '../restore/restore-disks.ts';
import type { RunningJob } from '../jobs/job-service.ts';

export async function startRestoreDisks(engine: Engine, input: { item: string; point: string; to: string; files?: string[] | undefined }): Promise<RunningJob> {
  const { session, record } = await engine.protection.resolve(input.item);
  const point = readPointRow(session, input.point);
  if (!point || point.itemId !== record.id) throw new LabvaultError(ErrorCodes.NOT_FOUND, `Item "${record.name}" has no recovery point ${input.point}. "labvault points list ${record.name}" shows them.`, { field: 'point' });
  if (input.to.trim() === '') throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Choose a target folder for the restore.', { field: 'to' });
  const store = await engine.keyring.store(session);
  const manifest = await store.readManifest(record.id, point.id);
  const { resolve } = await import('node:path');
  const { selectFiles, assertTargetsFree, manifestPathOf } = await import('../restore/restore-disks.ts');
  const targetDir = resolve(input.to);
  const { stat } = await import('node:fs/promises');
  const existing = await stat(targetDir).catch(() => null);
  if (existing && !existing.isDirectory()) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Restore target ${targetDir} is a file: choose a folder (it is created when missing).`, { field: 'to' });
  }
  await assertTargetsFree(targetDir, selectFiles(manifest, input.files, manifestPathOf(store, manifest)));
  const job = engine.jobs.create(session, { operation: 'restore', itemId: record.id, item: record.name, trigger: 'on-demand', subtasks: [RESTORE] });
  job.pointId = point.id;
  return engine.jobs.start(session, job, async (context) => {
    const cloneDir = existingPointSnapshot(session.dir, record.id, point.id, record.files);
    await runRestoreDisks(context, { store, manifest, point, targetDir, files: input.files, cloneDir });
  });
}

export function jobHandlers(engine: Engine): Pick<ChannelHandlers, 'backup' | 'jobs' | 'restore'> {
  return {
    backup: {
      now: async ({ item, retainUntil }) => ({ jobId: (await engine.backups.start(item, { retainUntil, trigger: 'on-demand' })).job.id }),
    },
    jobs: {
      list: async (filter) => {
        const itemId = filter.item ? (await engine.protection.resolve(filter.item)).record.id : undefined;
        return engine.jobs.list(filter.vault, { status: filter.status, operation: filter.operation, itemId, from: filter.from, to: filter.to, limit: filter.limit });
      },
      show: async ({ id }) => (await engine.jobs.find(id)).job,
      cancel: ({ id }) => engine.jobs.cancel(id),
    },
    restore: {
      disks: async (input) => ({ jobId: (await startRestoreDisks(engine, input)).job.id }),
    },
  };
}
