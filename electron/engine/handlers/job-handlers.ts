/** backup.*, jobs.* and restore.* channels. */
import type { ChannelHandlers } from '../../../shared/contract/channels.ts';
import { precheckBackup } from '../backup/backup-precheck.ts';
import type { EngineServices } from './engine-services.ts';
import { restoreVmHandlers } from './restore-vm-handlers.ts';
import { restoreReplaceHandlers } from './restore-replace-handlers.ts';

export function jobHandlers(engine: EngineServices): Pick<ChannelHandlers, 'backup' | 'jobs' | 'restore'> {
  return {
    backup: {
      now: async ({ item, retainUntil, jobId }) => ({
        jobId: (await engine.backups.start(item, { retainUntil, trigger: 'on-demand', ...(jobId ? { jobId } : {}) })).job.id,
      }),
      check: ({ item, retainUntil }) => precheckBackup(engine, item, retainUntil),
    },
    jobs: {
      list: async (filter) => {
        const itemId = filter.item ? (await engine.protection.resolve(filter.item)).record.id : undefined;
        return engine.jobs.list(filter.vault, {
          status: filter.status, operation: filter.operation, itemId, from: filter.from, to: filter.to,
          limit: filter.limit,
        });
      },
      show: async ({ id }) => (await engine.jobs.find(id)).job,
      cancel: ({ id, by }) => engine.jobs.cancel(id, by ?? (engine.face === 'cli' ? 'cli' : 'ui')),
      wait: async ({ id }) => engine.jobs.runningJob(id)?.done ?? (await engine.jobs.find(id)).job,
    },
    restore: {
      disks: async (input) => ({ jobId: (await engine.restores.startDisks(input)).job.id }),
      ...restoreVmHandlers(engine),
      ...restoreReplaceHandlers(engine),
    },
  };
}
