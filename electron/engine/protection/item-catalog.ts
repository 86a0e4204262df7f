/** Items in the catalog: rows mirror ItemRecords; item_files index file paths for "protected elsewhere". */
import type { VaultSession } from '../vault/vault-session.ts';
import type { ItemRecord } from './item-record.ts';

export function upsertItemRow(session: VaultSession, record: ItemRecord): void {
  const db = session.catalog;
  db.transaction(() => {
    db.prepare(`INSERT INTO items (id, name, state, policy_id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET name = excluded.name, state = excluded.state, policy_id = excluded.policy_id, body = excluded.body, updated_at = excluded.updated_at`)
      .run(record.id, record.name, record.state, record.policyId, JSON.stringify(record), record.createdAt, record.updatedAt);
    db.prepare('DELETE FROM item_files WHERE item_id = ?').run(record.id);
    const insert = db.prepare('INSERT OR IGNORE INTO item_files (item_id, path) VALUES (?, ?)');
    for (const file of record.files) insert.run(record.id, file.path);
  })();
}

export function deleteItemRow(session: VaultSession, itemId: string): void {
  session.catalog.transaction(() => {
    session.catalog.prepare('DELETE FROM items WHERE id = ?').run(itemId);
    session.catalog.prepare('DELETE FROM item_files WHERE item_id = ?').run(itemId);
  })();
}

export function listItemRecords(session: VaultSession): ItemRecord[] {
  const rows = session.catalog.prepare('SELECT body FROM items ORDER BY name COLLATE NOCASE').all() as { body: string }[];
  return rows.map((row) => JSON.parse(row.body) as ItemRecord);
}

export function itemOwningPath(session: VaultSession, path: string): ItemRecord | null {
  const row = session.catalog.prepare('SELECT items.body AS body FROM item_files JOIN items ON items.id = item_files.item_id WHERE item_files.path = ?').get(path) as { body: string } | undefined;
  return row ? (JSON.parse(row.body) as ItemRecord) : null;
}
