/** `labvault restore disks ITEM --point ID --to DIR`. */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { CliCommandGroup } from '../cli-command.ts';
import { cliClient, printJson } from '../cli-context.ts';
import { describeJob, waitWithProgress } from '../job-progress.ts';
import { booleanFlag, expectFlags, positional, stringFlag } from '../parse-args.ts';

export const restoreCommand: CliCommandGroup = {
  name: 'restore',
  usage: ['restore disks ITEM --point ID --to DIR [--file NAME] [--json]   restore a point\'s files, verified, never overwriting'],
  async run(args, io) {
    const sub = args.positionals[0];
    if (sub !== 'disks') throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Unknown restore command "${sub ?? ''}": only "restore disks" exists yet.`, { field: 'command' });
    expectFlags(args, ['point', 'to', 'file']);
    const file = stringFlag(args, 'file');
    const started = await cliClient(io).restore.disks({
      item: positional(args, 1, 'item'), point: stringFlag(args, 'point', true), to: stringFlag(args, 'to', true),
      ...(file ? { files: [file] } : {}),
    });
    const job = await waitWithProgress(started.jobId, io, !booleanFlag(args, 'json'));
    if (booleanFlag(args, 'json')) printJson(io, job);
    else io.out(describeJob(job));
    if (job.status === 'completed') return 0;
    if (job.error) io.err(`labvault: error [${job.error.code}]: ${job.error.message}`);
    return job.error?.code === ErrorCodes.CORRUPT ? 3 : 1;
  },
};
