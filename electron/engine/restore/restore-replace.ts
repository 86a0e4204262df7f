/**
 * Replace existing: the job body that puts a point's files back in place of the item's
 * files, following (and advancing) the replace journal (replace-journal.ts):
 *
 * 1. Restore: every file still `pending` is written from the vault beside its original
 *    (`temp`, same folder), each chunk checked as it is read and the whole file's digest at
 *    the end; then fsynced.
 * 2. Verify: the written file is read back from disk and every chunk checked against the
 *    point's index; only then is it `staged` (journal saved).
 * 3. Swap: when every file is staged, the VM is checked to be off once more, the journal
 *    moves to 'swapping', and each file is renamed over its original (replace-swap.ts),
 *    the journal saved after each. Then 'committed': the old files are removed and the
 *    journal with them.
 *
 * Resume runs the same body on an existing journal (steps already done are skipped);
 * rollback (rollbackReplace) puts every original back and removes the staged files.
 */
import { chmod, rm, stat } from 'node:fs/promises';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { JobContext } from '../jobs/job-service.ts';
import type { Manifest, ManifestFile, VaultStore } from '../vault/store/index.ts';
import { RESTORE, verifyAgainstIndex } from './restore-disks.ts';
import { reopenCreated, restoredFileMode } from './restore-target.ts';
import { removeReplaceJournal, saveReplaceJournal, type ReplaceJournal, type ReplaceJournalFile } from './replace-journal.ts';
import { dropOld, swapIn, swapOut } from './replace-swap.ts';

export const VERIFY = 'Verify';

export interface ReplaceWork {
  appHome: string;
  store: VaultStore;
  /** The manifest of the point being put in place. */
  manifest: Manifest;
  journal: ReplaceJournal;
  /** Throws (CONFLICT) when the VM is not off: checked again right before the first swap. */
  assertVmOff: () => Promise<void>;
}

function manifestFileOf(manifest: Manifest, name: string): ManifestFile {
  const file = manifest.files.find((candidate) => candidate.path === name);
  if (!file) throw new LabvaultError(ErrorCodes.CORRUPT, `Point ${manifest.pointId} has no file "${name}" any more; the replace journal names it.`, { details: { name } });
  return file;
}

/** Writes one file of the point beside its original and checks it; returns the bytes written. */
async function stageFile(context: JobContext, work: ReplaceWork, entry: ReplaceJournalFile,
  onRestored: (bytes: number) => void, onVerified: (bytes: number) => void): Promise<number> {
  const file = manifestFileOf(work.manifest, entry.name);
  // A temp left by an interrupted attempt is ours (its name is in the journal): write it again.
  await rm(entry.temp, { force: true });
  const index = await work.store.readIndex(file.indexId, file.size);
  const original = await stat(entry.target).catch(() => null);
  const mode = original ? original.mode & 0o7777 : restoredFileMode(file.mode);
  const result = await work.store.restoreFile({
    index, outPath: entry.temp, expectedDigest: file.digest, signal: context.signal,
    attributes: { mode: 0o600, mtime: new Date(file.mtimeMs) },
    onProgress: (progress) => onRestored(progress.bytesDone),
  });
  const handle = await reopenCreated(entry.temp);
  try {
    await verifyAgainstIndex(handle, entry.temp, index, work.store, onVerified);
  } finally {
    await handle.close();
  }
  // The original's permissions, now that the content is checked.
  await chmod(entry.temp, mode);
  return result.bytesWritten;
}

export async function runReplace(context: JobContext, work: ReplaceWork): Promise<void> {
  const { journal } = work;
  const files = journal.files;
  const toStage = files.filter((entry) => entry.state === 'pending');
  const total = toStage.reduce((sum, entry) => sum + manifestFileOf(work.manifest, entry.name).size, 0);
  context.begin(RESTORE, total);
  let restored = 0;
  let verified = 0;
  let written = 0;
  try {
    for (const entry of toStage) {
      context.throwIfCancelled();
      const base = restored;
      if (context.job.subtasks.find((subtask) => subtask.name === VERIFY)?.status === 'queued') context.begin(VERIFY, total);
      written += await stageFile(context, work, entry,
        (bytes) => context.report(RESTORE, { bytesRead: base + bytes, bytesWritten: written }),
        (bytes) => {
          verified += bytes;
          context.report(VERIFY, { bytesRead: verified });
        });
      restored = base + manifestFileOf(work.manifest, entry.name).size;
      entry.state = 'staged';
      await saveReplaceJournal(work.appHome, journal);
    }
  } catch (error) {
    // Nothing was swapped yet: the originals are untouched; remove the staged files.
    if (journal.phase === 'staging') await abandonStaging(work.appHome, journal);
    throw error;
  }
  context.report(RESTORE, { bytesRead: restored, bytesWritten: written });
  const skipped = files.filter((entry) => entry.state === 'skipped').length;
  context.end(RESTORE, 'completed', `${toStage.length} file${toStage.length === 1 ? '' : 's'} written beside the originals`
    + `${skipped ? ` (${skipped} already as in the point, left alone)` : ''}; the state before is point ${journal.prePointId}.`);
  if (context.job.subtasks.find((subtask) => subtask.name === VERIFY)?.status === 'queued') context.begin(VERIFY, 0);

  if (journal.phase === 'staging') {
    try {
      await work.assertVmOff();
      context.throwIfCancelled();
    } catch (error) {
      await abandonStaging(work.appHome, journal);
      throw error;
    }
    journal.phase = 'swapping';
    await saveReplaceJournal(work.appHome, journal);
  }
  try {
    for (const entry of files) {
      if (entry.state !== 'staged') continue;
      await swapIn(entry);
      entry.state = 'swapped';
      await saveReplaceJournal(work.appHome, journal);
    }
    journal.phase = 'committed';
    await saveReplaceJournal(work.appHome, journal);
    for (const entry of files) await dropOld(entry);
    await removeReplaceJournal(work.appHome, journal.itemId);
  } catch (error) {
    throw unfinished(journal, error);
  }
  const swapped = files.filter((entry) => entry.state === 'swapped').length;
  context.end(VERIFY, 'completed', `${swapped} file${swapped === 1 ? '' : 's'} verified against point ${journal.pointId} and put in place; `
    + `the state before the replace is point ${journal.prePointId}.`);
}

/** A failure once files are being swapped: the journal stays; say how to finish or undo it. */
function unfinished(journal: ReplaceJournal, error: unknown): LabvaultError {
  const name = journal.itemName;
  const code = error instanceof LabvaultError ? error.code : ErrorCodes.IO_ERROR;
  return new LabvaultError(code, `${error instanceof Error ? error.message : String(error)}. The replace of "${name}" is unfinished `
    + `(every file is either the old or the new one): run "labvault restore replace ${name} --resume --confirm ${name}" to finish it `
    + `or "--rollback" instead of "--resume" to put the old files back.`, { cause: error, details: { phase: journal.phase } });
}

/** Before any swap: remove the staged files and the journal (the originals were never touched). */
async function abandonStaging(appHome: string, journal: ReplaceJournal): Promise<void> {
  for (const entry of journal.files) await rm(entry.temp, { force: true }).catch(() => undefined);
  await removeReplaceJournal(appHome, journal.itemId).catch(() => undefined);
}

/** Puts every original back, removes every staged file and the journal. */
export async function rollbackReplace(context: JobContext, appHome: string, journal: ReplaceJournal): Promise<number> {
  if (journal.phase === 'committed') {
    throw new LabvaultError(ErrorCodes.CONFLICT, `The replace of "${journal.itemName}" had put every file in place already; `
      + `finish it with --resume, then restore point ${journal.prePointId} (the state before it) if you want that back.`, { field: 'rollback' });
  }
  context.begin(RESTORE, 0);
  let restoredOriginals = 0;
  for (const entry of journal.files) {
    if (entry.state === 'skipped') continue;
    await swapOut(entry);
    if (entry.state === 'swapped') restoredOriginals += 1;
    entry.state = 'pending';
  }
  await removeReplaceJournal(appHome, journal.itemId);
  context.end(RESTORE, 'completed', `Rolled back: the originals are in place again (${restoredOriginals} put back), the staged files removed. `
    + `Point ${journal.prePointId} holds the same state.`);
  if (context.job.subtasks.some((subtask) => subtask.name === VERIFY)) context.end(VERIFY, 'skipped', 'Nothing to verify after a rollback.');
  return restoredOriginals;
}
