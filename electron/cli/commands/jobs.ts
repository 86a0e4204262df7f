/**
 * `labvault jobs list|show|wait|cancel`. `jobs wait ID` waits for a job of any Labvault process
 * to end and exits like the job: 0 completed, 1 failed, 4 cancelled (see labvault.ts).
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { JobOperationSchema, JobStatusSchema, type Job } from '../../../shared/contract/item-models.ts';
import type { CliCommandGroup } from '../cli-command.ts';
import { cliClient, printJson } from '../cli-context.ts';
import { formatBytes, formatTable } from '../cli-format.ts';
import { describeJob, jobExitCode } from '../job-progress.ts';
import { booleanFlag, expectFlags, integerFlag, positional, stringFlag } from '../parse-args.ts';

const DEFAULT_WAIT_SECONDS = 24 * 3600;
const WAIT_POLL_MS = 250;

/** Polls the job (it may run in another process) until it ends or `timeoutSeconds` pass. */
async function waitForEnd(client: ReturnType<typeof cliClient>, id: string, timeoutSeconds: number): Promise<Job> {
  let job = await client.jobs.show({ id });
  const polls = Math.ceil((timeoutSeconds * 1000) / WAIT_POLL_MS);
  for (let poll = 0; poll < polls && (job.status === 'queued' || job.status === 'in-progress'); poll += 1) {
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
    job = await client.jobs.show({ id });
  }
  return job;
}

export const jobsCommand: CliCommandGroup = {
  name: 'jobs',
  usage: [
    'jobs list [--vault V] [--status S] [--operation O] [--item ITEM] [--from ISO] [--to ISO] [--limit N] [--json]',
    'jobs show ID [--json]',
    'jobs wait ID [--timeout SECONDS] [--json]   wait for a job to end; exit 0 completed, 1 failed, 4 cancelled',
    'jobs cancel ID [--json]                    the job ends "cancelled", recorded as cancelled from the command line',
  ],
  async run(args, io) {
    const client = cliClient(io);
    const sub = args.positionals[0];
    if (sub === 'list') {
      expectFlags(args, ['vault', 'status', 'operation', 'item', 'from', 'to', 'limit']);
      const status = stringFlag(args, 'status');
      if (status !== undefined && !JobStatusSchema.safeParse(status).success) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `--status must be one of ${JobStatusSchema.options.join(', ')}.`, { field: 'status' });
      const operation = stringFlag(args, 'operation');
      if (operation !== undefined && !JobOperationSchema.safeParse(operation).success) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `--operation must be one of ${JobOperationSchema.options.join(', ')}.`, { field: 'operation' });
      for (const field of ['from', 'to']) {
        const value = stringFlag(args, field);
        if (value !== undefined && Number.isNaN(Date.parse(value))) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `--${field} must be a date or ISO instant.`, { field });
      }
      const vault = stringFlag(args, 'vault');
      const item = stringFlag(args, 'item');
      const from = stringFlag(args, 'from');
      const to = stringFlag(args, 'to');
      const limit = integerFlag(args, 'limit');
      const jobs = await client.jobs.list({
        ...(vault ? { vault } : {}), ...(status ? { status: status as never } : {}),
        ...(operation ? { operation: operation as never } : {}), ...(item ? { item } : {}),
        ...(from ? { from: new Date(from).toISOString() } : {}), ...(to ? { to: new Date(to).toISOString() } : {}),
        ...(limit ? { limit } : {}),
      });
      if (booleanFlag(args, 'json')) printJson(io, jobs);
      else if (jobs.length === 0) io.out('No jobs.');
      else io.out(formatTable(['STARTED', 'OPERATION', 'ITEM', 'STATUS', 'READ', 'WRITTEN', 'ID'], jobs.map((job) => {
        const transfer = job.subtasks.find((subtask) => subtask.name === 'Transfer data to vault' || subtask.name === 'Restore');
        return [job.startedAt.replace('T', ' ').slice(0, 19), job.operation, job.item ?? '-', job.status, formatBytes(transfer?.bytesRead ?? 0), formatBytes(transfer?.bytesWritten ?? 0), job.id];
      })));
      return 0;
    }
    if (sub === 'show') {
      expectFlags(args, []);
      const job = await client.jobs.show({ id: positional(args, 1, 'id') });
      if (booleanFlag(args, 'json')) printJson(io, job);
      else io.out(describeJob(job));
      return 0;
    }
    if (sub === 'wait') {
      expectFlags(args, ['timeout']);
      const timeout = integerFlag(args, 'timeout') ?? DEFAULT_WAIT_SECONDS;
      if (timeout < 1 || timeout > DEFAULT_WAIT_SECONDS) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `--timeout must be between 1 and ${DEFAULT_WAIT_SECONDS} seconds.`, { field: 'timeout' });
      const job = await waitForEnd(client, positional(args, 1, 'id'), timeout);
      if (booleanFlag(args, 'json')) printJson(io, job);
      else io.out(describeJob(job));
      if (job.status === 'queued' || job.status === 'in-progress') io.err(`labvault: job ${job.id} is still ${job.status} after ${timeout} s.`);
      return jobExitCode(job);
    }
    if (sub === 'cancel') {
      expectFlags(args, []);
      const job = await client.jobs.cancel({ id: positional(args, 1, 'id'), by: 'cli' });
      if (booleanFlag(args, 'json')) printJson(io, job);
      else io.out(describeJob(job));
      return 0;
    }
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Unknown jobs command "${sub ?? ''}". Try: labvault help`, { field: 'command' });
  },
};
