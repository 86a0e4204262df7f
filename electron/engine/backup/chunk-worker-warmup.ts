/**
 * Whether a backup is about to read disk data, guessed before its disks are cloned, so that
 * its chunk workers can start beside the snapshot and the transfer's setup (about 40 ms each
 * on 2 cores, otherwise paid when the transfer begins): an item with no point yet, or
 * one whose files were modified after its newest point was taken. A guess for speed only:
 * what is read, and whether anything is, is decided by the transfer's own evidence (clone
 * extents, change times), and a wrong guess costs the workers' start or their wait, never a
 * changed byte. An unchanged item (modification times older than its newest point) does not
 * start them: its transfer takes the previous indexes whole and hashes nothing.
 */
import { lstatSync } from 'node:fs';
import type { VaultSession } from '../vault/vault-session.ts';
import type { ItemRecord } from '../protection/item-record.ts';
import { listStoredPointRows } from './point-record.ts';

export function backupLikelyReadsData(session: VaultSession, item: Pick<ItemRecord, 'id' | 'files'>): boolean {
  const newest = listStoredPointRows(session, item.id)[0];
  if (newest === undefined) return true;
  const takenMs = Date.parse(newest.createdAt);
  if (!Number.isFinite(takenMs)) return true;
  return item.files.some((file) => {
    try {
      return lstatSync(file.path).mtimeMs >= takenMs;
    } catch {
      return false; // a missing file fails the backup before any read
    }
  });
}
