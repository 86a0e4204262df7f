/**
 * The vault's sizes as the UI shows them, each labelled with what it counts. They come from
 * the engine's one source (vaults.stats); fields the engine does not report are null.
 */
import type { VaultStats } from '../../../shared/contract/item-models.ts';

export interface VaultSizes {
  /** What the recovery points hold, as the files were (before dedup and compression). */
  logicalBytes: number;
  /** What the vault's data takes on its drive. */
  storedBytes: number;
  /** Stored data no recovery point uses (left by a cancelled or failed job): freed by Reclaim space. */
  reclaimableBytes: number | null;
  /** Free space on the drive that holds the vault. */
  freeBytes: number | null;
}

function optionalNumber(source: object, key: string): number | null {
  const value = (source as Record<string, unknown>)[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function vaultSizes(stats: VaultStats): VaultSizes {
  return {
    logicalBytes: stats.logicalBytes,
    storedBytes: stats.storedBytes,
    reclaimableBytes: optionalNumber(stats, 'reclaimableBytes'),
    freeBytes: optionalNumber(stats, 'freeBytes'),
  };
}

/** What each figure counts, in one line (shown beside it). */
export const SIZE_MEANING = {
  logical: 'what the recovery points hold, before deduplication and compression',
  stored: 'what the vault takes on its drive',
  reclaimable: 'stored data no recovery point uses; Reclaim space frees it',
  free: 'free space on the drive that holds the vault',
} as const;
