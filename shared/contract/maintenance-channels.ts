/**
 * Vault maintenance a user starts by hand (the CLI's gc, prune and rebuild-catalog): each
 * runs to its end and returns the figures; gc and prune are recorded as jobs.
 */
import { z } from '../zod-jitless.ts';
import { channel } from './define.ts';

/** The longest a gc waits for running backups to finish before refusing. */
export const GC_MAX_WAIT_SECONDS = 24 * 3600;

const VaultRef = z.string().min(1).describe('vault name or id');

export const GcReportSchema = z.object({
  vault: z.string(),
  jobId: z.string(),
  chunksRemoved: z.number().int(),
  bytesFreed: z.number(),
  chunksKept: z.number().int(),
  indexesRemoved: z.number().int(),
  tmpFilesRemoved: z.number().int(),
});

export const PruneReportSchema = z.object({
  vault: z.string(),
  dryRun: z.boolean(),
  expired: z.array(z.object({
    item: z.string(),
    pointId: z.string(),
    createdAt: z.string(),
    expiredAt: z.string().nullable(),
    action: z.enum(['soft-deleted', 'deleted', 'would remove']),
  })),
  kept: z.number().int(),
  snapshotsRemoved: z.number().int(),
  purged: z.number().int(),
  /** The prune job (none for a dry run). */
  jobId: z.string().optional(),
});

export const RebuiltCatalogSchema = z.object({
  vault: z.string(),
  policies: z.number().int(),
  items: z.number().int(),
  points: z.number().int(),
  jobs: z.number().int(),
  /** Set when the old catalog could not be opened and was kept aside under this path. */
  setAside: z.object({ path: z.string(), reason: z.string() }).nullable(),
});

export const maintenanceChannels = {
  'vaults.gc': channel(
    z.object({ vault: VaultRef, waitSeconds: z.number().int().min(0).max(GC_MAX_WAIT_SECONDS).optional() }),
    GcReportSchema,
    'Remove data no recovery point references (a gc job); refused while a backup writes'
      + ' unless waitSeconds lets it end.',
  ),
  'vaults.prune': channel(
    z.object({ vault: VaultRef, dryRun: z.boolean().optional() }),
    PruneReportSchema,
    'Apply retention now: expired points go to soft delete (when on), past-date soft-deleted data is purged.',
  ),
  'vaults.rebuildCatalog': channel(
    z.object({ name: VaultRef }),
    RebuiltCatalogSchema,
    'Rebuild the catalog database from the vault\'s files (a catalog too damaged to open is set aside first).',
  ),
} as const;
