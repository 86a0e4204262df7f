/**
 * The items and item_files tables. An items row mirrors an ItemRecord (its body is the
 * record's JSON); item_files indexes each item's file paths, for "protected elsewhere".
 */
import type { ItemState } from '../../../shared/contract/item-models.ts';
import type { ItemRecord } from '../protection/item-record.ts';
import type { CatalogDb } from './vault-catalog.ts';

function decodeItem(body: string): ItemRecord {
  return JSON.parse(body) as ItemRecord;
}

/** Inserts or replaces the item's row and its file paths, in one transaction. */
export function upsertItem(db: CatalogDb, record: ItemRecord): void {
  db.transaction(() => {
    db.prepare(`INSERT INTO items (id, name, state, policy_id, body, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET name = excluded.name, state = excluded.state, policy_id = excluded.policy_id,
      body = excluded.body, updated_at = excluded.updated_at`)
      .run(record.id, record.name, record.state, record.policyId, JSON.stringify(record), record.createdAt,
        record.updatedAt);
    db.prepare('DELETE FROM item_files WHERE item_id = ?').run(record.id);
    const insert = db.prepare('INSERT OR IGNORE INTO item_files (item_id, path) VALUES (?, ?)');
    for (const file of record.files) insert.run(record.id, file.path);
  })();
}

/** Removes the item's row and its file paths, in one transaction. */
export function deleteItem(db: CatalogDb, itemId: string): void {
  db.transaction(() => {
    db.prepare('DELETE FROM items WHERE id = ?').run(itemId);
    db.prepare('DELETE FROM item_files WHERE item_id = ?').run(itemId);
  })();
}

/** Every item, by name (case-insensitive). */
export function listItems(db: CatalogDb): ItemRecord[] {
  const rows = db.prepare('SELECT body FROM items ORDER BY name COLLATE NOCASE').all() as { body: string }[];
  return rows.map((row) => decodeItem(row.body));
}

export function findItem(db: CatalogDb, itemId: string): ItemRecord | null {
  const row = db.prepare('SELECT body FROM items WHERE id = ?').get(itemId) as { body: string } | undefined;
  return row ? decodeItem(row.body) : null;
}

/** The item whose files include `path` (exact path), or null. */
export function findItemOwningPath(db: CatalogDb, path: string): ItemRecord | null {
  const row = db.prepare(`SELECT items.body AS body FROM item_files JOIN items ON items.id = item_files.item_id
    WHERE item_files.path = ?`).get(path) as { body: string } | undefined;
  return row ? decodeItem(row.body) : null;
}

export function countItems(db: CatalogDb): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM items').get() as { n: number }).n;
}

/** How many items are in one of `states` (0 for an empty list). */
export function countItemsInStates(db: CatalogDb, states: readonly ItemState[]): number {
  if (states.length === 0) return 0;
  const marks = states.map(() => '?').join(', ');
  return (db.prepare(`SELECT COUNT(*) AS n FROM items WHERE state IN (${marks})`).get(...states) as { n: number }).n;
}
