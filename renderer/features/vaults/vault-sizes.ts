/**
 * The vault's sizes as the UI shows them, each labelled with what it counts. They come from
 * the engine's one source (Vault.usage, the vaults.usage channel: the same figures as
 * `labvault vault show/list --json` and `vault stats --json`'s usage); all are null while the
 * vault reports no usage (missing folder, encrypted and locked).
 */
import type { VaultUsage } from '../../../shared/contract/models.ts';

export interface VaultSizes {
  /** What the items protect: the files of each item's newest point, before dedup and compression. */
  logicalBytes: number | null;
  /** What the vault's data folder takes on its drive. */
  storedBytes: number | null;
  /** Stored data no recovery point uses (left by a cancelled or failed job): freed by Reclaim space. */
  reclaimableBytes: number | null;
  /** Free space on the drive that holds the vault. */
  freeBytes: number | null;
}

export function vaultSizes(usage: VaultUsage | undefined): VaultSizes {
  return {
    logicalBytes: usage?.logicalBytes ?? null,
    storedBytes: usage?.storedBytes ?? null,
    reclaimableBytes: usage?.reclaimableBytes ?? null,
    freeBytes: usage?.freeBytes ?? null,
  };
}

/** What each figure counts, in one line (shown beside it). */
export const SIZE_MEANING = {
  logical: "what the items protect: the files of each item's newest point, before deduplication and compression",
  stored: "what the vault's data folder takes on its drive",
  reclaimable: 'stored data no recovery point uses; Reclaim space frees it',
  free: 'free space on the drive that holds the vault',
} as const;
