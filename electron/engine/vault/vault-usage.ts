/**
 * Every size of a vault from one place (the Vaults list, the vault page, the protect wizard's
 * vault card and `vault show/list --json` all show these figures):
 * - logicalBytes: what the items protect (the files of each item's newest point, as backed up);
 * - storedBytes: bytes in the vault's data folder (chunks, indexes, manifests, records; not the
 *   locks and half-written files of the processes using it);
 * - reclaimableBytes: stored bytes no recovery point references, which garbage collection frees
 *   (the chunks of a cancelled or failed backup, of purged points);
 * - freeBytes / driveBytes: free and total space of the drive holding the vault (statfs).
 * Cost: free space is one statfs; stored and reclaimable need a scan that reads every manifest
 * and index and stats every chunk (store-reclaimable.ts). The scan runs only when the catalog's
 * data fingerprint changed (a job started or ended, a point came, went or changed state) since
 * the last one in this process; otherwise its figures come from memory. The records and
 * manifests part of storedBytes (a policy saved, an item protected: no job) is counted on every
 * call, so every process reports the same stored size for the same folder.
 */
import { statfs } from 'node:fs/promises';
import type { VaultUsage } from '../../../shared/contract/models.ts';
import { dataFingerprint, newestPointsLogicalBytes } from '../catalog/usage-queries.ts';
import type { StoreSource } from './store-source.ts';
import { recordBytes, scanReclaimable, type ReclaimableScan } from './store/store-reclaimable.ts';
import type { VaultSession } from './vault-session.ts';

interface CachedScan {
  fingerprint: string;
  scan: ReclaimableScan;
  at: string;
}

const scans = new WeakMap<VaultSession, CachedScan>();

async function driveSpace(dir: string): Promise<{ freeBytes: number | null; driveBytes: number | null }> {
  try {
    const info = await statfs(dir);
    return { freeBytes: info.bavail * info.bsize, driveBytes: info.blocks * info.bsize };
  } catch {
    return { freeBytes: null, driveBytes: null };
  }
}

/** The vault's usage; `refresh` forces the scan even when nothing changed. */
export async function vaultUsage(services: StoreSource, session: VaultSession, refresh = false): Promise<VaultUsage> {
  const fingerprint = dataFingerprint(session.catalog);
  let cached = scans.get(session);
  const scanned = refresh || cached?.fingerprint !== fingerprint;
  const store = await services.keyring.store(session);
  if (scanned || cached === undefined) {
    cached = { fingerprint, scan: await scanReclaimable(store), at: new Date().toISOString() };
    scans.set(session, cached);
  }
  const { scan } = cached;
  return {
    logicalBytes: newestPointsLogicalBytes(session.catalog),
    storedBytes: scanned ? scan.storedBytes : scan.bulkBytes + await recordBytes(store),
    referencedBytes: scan.referencedBytes,
    reclaimableBytes: scan.reclaimableBytes,
    reclaimableChunks: scan.reclaimableChunks,
    reclaimableComplete: scan.complete,
    ...(await driveSpace(session.dir)),
    scannedAt: cached.at,
  };
}
