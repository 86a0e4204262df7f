/**
 * `labvault restore replace ITEM --point ID --confirm ITEM_NAME [--json]`: put a point's
 * files back in place of the item's (the VM must be off; the current state is backed up
 * first). `--resume` / `--rollback` (with --confirm) finish or undo an interrupted replace;
 * `--pending` says whether one is pending and how to finish it.
 * Exit codes: 0 done, 2 refused (confirm mismatch, VM running, pending replace), 3 the
 * point's data failed verification, 4 cancelled, 1 any other failure.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { CliIo, ParsedArgs } from '../cli-command.ts';
import { cliClient, printJson } from '../cli-context.ts';
import { EXIT_CANCELLED, describeJob, waitWithProgress } from '../job-progress.ts';
import { booleanFlag, expectFlags, positional, stringFlag } from '../parse-args.ts';

export const RESTORE_REPLACE_USAGE = 'restore replace ITEM --point ID --confirm ITEM_NAME [--json] | ITEM (--resume|--rollback) --confirm ITEM_NAME | ITEM --pending   '
  + 'put a point\'s files back in place (VM off; current state backed up first; an interrupted replace is resumed or rolled back)';

export async function restoreReplace(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['point', 'confirm', 'resume', 'rollback', 'pending']);
  const item = positional(args, 1, 'item');
  const json = booleanFlag(args, 'json');
  const client = cliClient(io);
  if (booleanFlag(args, 'pending')) {
    const status = await client.restore.replaceStatus({ item });
    if (json) printJson(io, status);
    else if (!status.pending) io.out(`No interrupted replace of "${status.item}".`);
    else {
      io.out(`An interrupted replace of "${status.item}": point ${status.pending.pointId}, started ${status.pending.startedAt}, phase ${status.pending.phase}.`);
      for (const file of status.pending.files) io.out(`  ${file.state.padEnd(8)} ${file.target}`);
      io.out(status.pending.howTo);
    }
    return 0;
  }
  const resume = booleanFlag(args, 'resume');
  const rollback = booleanFlag(args, 'rollback');
  if (resume && rollback) throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Choose one of --resume or --rollback.', { field: 'resume' });
  const point = stringFlag(args, 'point');
  if ((resume || rollback) && point !== undefined) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, '--resume and --rollback act on the interrupted replace (its point is recorded): leave out --point.', { field: 'point' });
  }
  const confirm = stringFlag(args, 'confirm');
  if (confirm === undefined) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Replacing overwrites the item's files: confirm with --confirm ${item}.`, { field: 'confirm' });
  }
  const started = await client.restore.replace({
    item, confirm, ...(point !== undefined ? { point } : {}),
    ...(resume ? { action: 'resume' as const } : rollback ? { action: 'rollback' as const } : {}),
  });
  const job = await waitWithProgress(started.jobId, io, !json);
  if (json) printJson(io, job);
  else io.out(describeJob(job));
  if (job.status === 'completed') return 0;
  if (job.status === 'cancelled') return EXIT_CANCELLED;
  if (job.error) io.err(`labvault: error [${job.error.code}]: ${job.error.message}`);
  if (job.error?.code === ErrorCodes.CORRUPT) return 3;
  return 1;
}
