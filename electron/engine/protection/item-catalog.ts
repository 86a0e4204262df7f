/** Items in the catalog: rows mirror ItemRecords; item_files index file paths for "protected elsewhere". */
import { deleteItem, findItemOwningPath, listItems, upsertItem } from '../catalog/item-repository.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import type { ItemRecord } from './item-record.ts';

export function upsertItemRow(session: VaultSession, record: ItemRecord): void {
  upsertItem(session.catalog, record);
}

export function deleteItemRow(session: VaultSession, itemId: string): void {
  deleteItem(session.catalog, itemId);
}

export function listItemRecords(session: VaultSession): ItemRecord[] {
  return listItems(session.catalog);
}

export function itemOwningPath(session: VaultSession, path: string): ItemRecord | null {
  return findItemOwningPath(session.catalog, path);
}
