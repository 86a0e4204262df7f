/**
 * The journal of a "replace existing" restore: one JSON file per item in the app home
 * (<home>/restore-replace/<itemId>.json), never in the vault. It exists from the moment the
 * first file is staged until the last old file is removed, so an interrupted replace (a
 * crash, kill -9, power loss) is always found again and finished or rolled back.
 *
 * Each file of the point goes through: pending -> staged (written beside the original
 * under `temp`, fsynced, re-read and checked against the point) -> swapped (the original
 * kept as a hard link `old`, then `temp` renamed over it, folder fsynced). Files whose
 * current content already is the point's are `skipped`. `phase` says whether any file may
 * have been swapped yet ('staging': none; 'swapping': some; 'committed': all, only the old
 * links remain to remove). Every write of the journal is durable (temporary file, fsync,
 * rename, fsync of the folder).
 */
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from '../../../shared/zod-jitless.ts';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { fsyncDir } from '../vault/store/durable-fs.ts';

export const REPLACE_JOURNAL_FOLDER = 'restore-replace';
const JOURNAL_VERSION = 1;
/** A journal lists at most MAX_FILES files; its size is capped before parsing. */
const MAX_FILES = 4096;
const MAX_JOURNAL_BYTES = 4 * 1024 * 1024;
const ITEM_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const ReplaceFileStateSchema = z.enum(['pending', 'staged', 'swapped', 'skipped']);
export type ReplaceFileState = z.infer<typeof ReplaceFileStateSchema>;

const JournalFileSchema = z.object({
  /** The file's name in the point. */
  name: z.string().min(1).max(255),
  /** The original file (absolute, from the item this machine confirmed). */
  target: z.string().min(1).max(4096),
  /** The point's copy, beside the original until it is renamed over it. */
  temp: z.string().min(1).max(4096),
  /** The original kept (hard link) until the replace commits or rolls back. */
  old: z.string().min(1).max(4096),
  state: ReplaceFileStateSchema,
});
export type ReplaceJournalFile = z.infer<typeof JournalFileSchema>;

export const ReplaceJournalSchema = z.object({
  version: z.literal(JOURNAL_VERSION),
  itemId: z.string().regex(ITEM_ID),
  itemName: z.string().max(200),
  vaultId: z.string().max(128),
  /** The point being put in place. */
  pointId: z.string().max(128),
  /** The point that holds the state before the replace. */
  prePointId: z.string().max(128),
  /** The job that started the replace (and the last one that worked on it). */
  jobId: z.string().max(128),
  startedAt: z.string().max(40),
  phase: z.enum(['staging', 'swapping', 'committed']),
  files: z.array(JournalFileSchema).max(MAX_FILES),
});
export type ReplaceJournal = z.infer<typeof ReplaceJournalSchema>;

export function journalFolder(appHome: string): string {
  return join(appHome, REPLACE_JOURNAL_FOLDER);
}

export function journalPath(appHome: string, itemId: string): string {
  if (!ITEM_ID.test(itemId)) throw new LabvaultError(ErrorCodes.INTERNAL, `Item id ${JSON.stringify(itemId)} cannot name a journal.`);
  return join(journalFolder(appHome), `${itemId}.json`);
}

/** The journal of an unfinished replace of the item, or null when there is none. */
export async function readReplaceJournal(appHome: string, itemId: string): Promise<ReplaceJournal | null> {
  const path = journalPath(appHome, itemId);
  const info = await stat(path).catch(() => null);
  if (info === null) return null;
  if (!info.isFile() || info.size > MAX_JOURNAL_BYTES) {
    throw new LabvaultError(ErrorCodes.CORRUPT, `The replace journal ${path} is not a journal file (or larger than ${MAX_JOURNAL_BYTES} bytes). Check it by hand: the files it names may be mid-replace.`, { details: { path } });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new LabvaultError(ErrorCodes.CORRUPT, `The replace journal ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}.`, { details: { path } });
  }
  const result = ReplaceJournalSchema.safeParse(parsed);
  if (!result.success || result.data.itemId !== itemId) {
    throw new LabvaultError(ErrorCodes.CORRUPT, `The replace journal ${path} is damaged: ${result.success ? 'it names another item' : result.error.issues[0]?.message ?? 'bad shape'}.`, { details: { path } });
  }
  return result.data;
}

async function writeDurably(path: string, text: string, exclusive: boolean): Promise<void> {
  const folder = join(path, '..');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  if (exclusive && (await stat(path).catch(() => null)) !== null) {
    throw new LabvaultError(ErrorCodes.CONFLICT, `Another replace of this item is under way or unfinished (${path}).`, { details: { path } });
  }
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  await fsyncDir(folder);
}

/** Writes a new journal; CONFLICT when one exists for the item. */
export async function createReplaceJournal(appHome: string, journal: ReplaceJournal): Promise<void> {
  await writeDurably(journalPath(appHome, journal.itemId), `${JSON.stringify(ReplaceJournalSchema.parse(journal), null, 2)}\n`, true);
}

/** Saves the journal's new state durably (before the step it records is taken as done). */
export async function saveReplaceJournal(appHome: string, journal: ReplaceJournal): Promise<void> {
  await writeDurably(journalPath(appHome, journal.itemId), `${JSON.stringify(ReplaceJournalSchema.parse(journal), null, 2)}\n`, false);
}

export async function removeReplaceJournal(appHome: string, itemId: string): Promise<void> {
  await rm(journalPath(appHome, itemId), { force: true });
  await fsyncDir(journalFolder(appHome)).catch(() => undefined);
}
