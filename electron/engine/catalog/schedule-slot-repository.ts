/**
 * The schedule_slots table: each item's last scheduled slot, the authority shared by every
 * process using the vault (scheduling/schedule-slot-ledger.ts also keeps it in a file).
 */
import type { CatalogDb } from './vault-catalog.ts';

/** The slot id recorded for the item, or undefined. */
export function findScheduleSlot(db: CatalogDb, itemId: string): string | undefined {
  const row = db.prepare('SELECT slot FROM schedule_slots WHERE item_id = ?')
    .get(itemId) as { slot: string } | undefined;
  return row?.slot;
}

/**
 * Compare-and-set inside one IMMEDIATE transaction (so two processes cannot both claim a
 * slot): `conflictWith` gets the slot recorded now and returns the slot that already holds
 * this run, or null; on null, `slot` is recorded (recorded_at = `recordedAt`). Returns what
 * `conflictWith` returned.
 */
export function claimScheduleSlot(db: CatalogDb, itemId: string, slot: string, recordedAt: string,
  conflictWith: (current: string | undefined) => string | null): string | null {
  const claim = db.transaction(() => {
    const conflict = conflictWith(findScheduleSlot(db, itemId));
    if (conflict !== null) return conflict;
    db.prepare(`INSERT INTO schedule_slots (item_id, slot, recorded_at) VALUES (?, ?, ?)
      ON CONFLICT(item_id) DO UPDATE SET slot = excluded.slot, recorded_at = excluded.recorded_at`)
      .run(itemId, slot, recordedAt);
    return null;
  });
  return claim.immediate();
}
