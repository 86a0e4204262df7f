/**
 * After a backup of a VM item: the item record's file list follows the files the VM had at
 * that backup (a new snapshot layer appears, a merged one goes), so "protected elsewhere"
 * checks, discovery's protectedBy and the item page show the VM as it is. The record is
 * re-read first and only its files change. Confirmation is not touched: a VM item is
 * confirmed by its configuration path (FORMAT.md section 13, "Machine-local trust").
 */
import { findItem } from '../catalog/item-repository.ts';
import type { ItemFileRecord, ItemRecord } from '../protection/item-record.ts';
import type { ProtectionService } from '../protection/protection-service.ts';
import type { VaultSession } from '../vault/vault-session.ts';

function sameFiles(a: ItemFileRecord[], b: ItemFileRecord[]): boolean {
  return a.length === b.length && a.every((file, index) => {
    const other = b[index];
    return other !== undefined && other.path === file.path && other.role === file.role
      && other.diskFormat === file.diskFormat && other.parentOf === file.parentOf;
  });
}

export async function followVmFiles(protection: Pick<ProtectionService, 'saveItem'>, session: VaultSession,
  itemId: string, files: ItemFileRecord[], now: Date): Promise<void> {
  const current = findItem(session.catalog, itemId) as ItemRecord | null;
  if (!current?.source || sameFiles(current.files, files)) return;
  await protection.saveItem(session, { ...current, files, updatedAt: now.toISOString() });
}
