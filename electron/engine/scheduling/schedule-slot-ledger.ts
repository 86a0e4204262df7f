/**
 * The last scheduled slot of each item: what keeps the scheduler from running a slot twice,
 * across restarts, crashes, several processes and catalog rebuilds.
 *
 * Kept in two places, both written BEFORE the backup starts:
 *  - the catalog table schedule_slots(item_id, slot, recorded_at): the authority shared by
 *    every process using the vault. recordScheduledSlot is a compare-and-set inside an
 *    IMMEDIATE SQLite transaction: it refuses a slot at or before the one already recorded,
 *    so two schedulers that both decide to run a slot start it once.
 *  - a small file per item, <vault>/data/schedule/slots/<itemId>.json
 *    ({ "itemId", "slot", "recordedAt" }, written atomically), so a catalog rebuilt from the
 *    vault's files still knows the slot. In an encrypted vault it is sealed like the vault's
 *    records (session.records.sealer()), so the folder shows no schedule times.
 * Reading takes the later of the two.
 */
import { readUntrustedFile } from '../fs/untrusted-file.ts';
import { join } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { claimScheduleSlot, findScheduleSlot } from '../catalog/schedule-slot-repository.ts';
import { writeFileAtomic } from '../fs/atomic-file.ts';
import { instantOfSlotId } from '../policy/next-runs.ts';
import { vaultDataDir } from '../vault/vault-contents.ts';
import { scheduleSlotBinding } from '../vault/store/index.ts';
import type { VaultSession } from '../vault/vault-session.ts';

export const SCHEDULE_DIR_NAME = 'schedule';
const SLOTS_DIR_NAME = 'slots';
const ITEM_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

export interface SlotEntry {
  itemId: string;
  slot: string;
  recordedAt: string;
}

export function scheduleDir(vaultDir: string): string {
  return join(vaultDataDir(vaultDir), SCHEDULE_DIR_NAME);
}

function slotFilePath(vaultDir: string, itemId: string): string {
  if (!ITEM_ID_PATTERN.test(itemId)) throw new LabvaultError(ErrorCodes.INTERNAL, `Invalid item id ${itemId} for the schedule ledger.`);
  return join(scheduleDir(vaultDir), SLOTS_DIR_NAME, `${itemId}.json`);
}

function slotInstant(slot: string | undefined): number {
  if (slot === undefined) return Number.NEGATIVE_INFINITY;
  return instantOfSlotId(slot)?.getTime() ?? Number.NEGATIVE_INFINITY;
}

async function fileSlot(session: VaultSession, itemId: string): Promise<string | undefined> {
  try {
    const path = slotFilePath(session.dir, itemId);
    const plain = await (await session.records.sealer()).open(await readUntrustedFile(path, 'schedule-slot'), path, scheduleSlotBinding(itemId));
    const entry = JSON.parse(plain.toString('utf8')) as Partial<SlotEntry>;
    return typeof entry.slot === 'string' ? entry.slot : undefined;
  } catch {
    return undefined; // absent, or half-written by a crash before its rename: the catalog has it
  }
}

/** The item's last recorded slot id (the later of catalog and file), or undefined. */
export async function readLastSlot(session: VaultSession, itemId: string): Promise<string | undefined> {
  const inCatalog = findScheduleSlot(session.catalog, itemId);
  const inFile = await fileSlot(session, itemId);
  if (inCatalog === undefined) return inFile;
  if (inFile === undefined) return inCatalog;
  return slotInstant(inFile) > slotInstant(inCatalog) ? inFile : inCatalog;
}

/**
 * Records `slot` as the item's last scheduled slot, in the catalog (compare-and-set) and
 * in its file. Throws CONFLICT when this slot, or a later one, was already recorded (by
 * another scheduler): the caller must then not start the run.
 */
export async function recordScheduledSlot(
  session: VaultSession, itemId: string, slot: string, now: Date,
): Promise<void> {
  const at = slotInstant(slot);
  const inFile = await fileSlot(session, itemId);
  const already = claimScheduleSlot(session.catalog, itemId, slot, now.toISOString(), (current) => {
    const recorded = Math.max(slotInstant(current), slotInstant(inFile));
    // A recorded slot in the future means the clock went back: it must not block runs (see due-run.ts).
    const taken = current === slot || inFile === slot || (recorded >= at && recorded <= now.getTime());
    return taken ? current ?? inFile ?? slot : null;
  });
  if (already !== null) {
    throw new LabvaultError(ErrorCodes.CONFLICT, `Slot ${slot} of item ${itemId} is already taken: slot ${already} was recorded by another scheduler.`, { field: 'slot' });
  }
  const entry: SlotEntry = { itemId, slot, recordedAt: now.toISOString() };
  const sealed = await (await session.records.sealer()).seal(Buffer.from(`${JSON.stringify(entry)}\n`), scheduleSlotBinding(itemId));
  await writeFileAtomic(slotFilePath(session.dir, itemId), sealed);
}
