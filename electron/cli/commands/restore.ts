/**
 * `labvault restore disks ITEM --point ID --to DIR`, `labvault restore vm ITEM --point ID --to DIR --name NEW`
 * and `labvault restore replace ITEM --point ID --confirm ITEM_NAME` (restore-replace.ts).
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { RestoreDiskFormatSchema, RestoreHypervisorSchema } from '../../../shared/contract/restore-vm-channels.ts';
import type { Job } from '../../../shared/contract/item-models.ts';
import type { CliCommandGroup, CliIo, ParsedArgs } from '../cli-command.ts';
import { cliClient, printJson } from '../cli-context.ts';
import { EXIT_CANCELLED, describeJob, waitWithProgress } from '../job-progress.ts';
import { booleanFlag, expectFlags, positional, stringFlag } from '../parse-args.ts';
import { RESTORE_REPLACE_USAGE, restoreReplace } from './restore-replace.ts';

function enumFlag<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[]): T | undefined {
  const value = stringFlag(args, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `--${name} must be one of ${allowed.join(', ')}.`, { field: name });
  }
  return value as T;
}

/** 0 completed, 3 verification failed (damage), 4 cancelled, 1 any other failure. */
function restoreExitCode(job: Job, io: CliIo): number {
  if (job.status === 'completed') return 0;
  if (job.status === 'cancelled') return EXIT_CANCELLED;
  if (job.error) io.err(`labvault: error [${job.error.code}]: ${job.error.message}`);
  return job.error?.code === ErrorCodes.CORRUPT ? 3 : 1;
}

async function restoreDisks(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['point', 'to', 'file', 'format', 'flatten']);
  const file = stringFlag(args, 'file');
  const format = enumFlag(args, 'format', RestoreDiskFormatSchema.options);
  const started = await cliClient(io).restore.disks({
    item: positional(args, 1, 'item'), point: stringFlag(args, 'point', true), to: stringFlag(args, 'to', true),
    ...(file ? { files: [file] } : {}),
    ...(format ? { format } : {}),
    ...(booleanFlag(args, 'flatten') ? { flatten: true } : {}),
  });
  const job = await waitWithProgress(started.jobId, io, !booleanFlag(args, 'json'));
  if (booleanFlag(args, 'json')) printJson(io, job);
  else io.out(describeJob(job));
  return restoreExitCode(job, io);
}

async function restoreVm(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['point', 'to', 'name', 'hypervisor', 'format', 'register', 'drop-saved-state', 'connection']);
  const hypervisor = enumFlag(args, 'hypervisor', RestoreHypervisorSchema.options);
  const format = enumFlag(args, 'format', RestoreDiskFormatSchema.options);
  const connection = stringFlag(args, 'connection');
  const started = await cliClient(io).restore.vm({
    item: positional(args, 1, 'item'), point: stringFlag(args, 'point', true), to: stringFlag(args, 'to', true),
    name: stringFlag(args, 'name', true),
    ...(hypervisor ? { hypervisor } : {}),
    ...(format ? { format } : {}),
    ...(connection ? { connection } : {}),
    ...(args.flags.register === false ? { register: false } : {}),
    ...(booleanFlag(args, 'drop-saved-state') ? { keepSavedState: false } : {}),
  });
  const json = booleanFlag(args, 'json');
  const job = await waitWithProgress(started.jobId, io, !json);
  const { plan } = started;
  if (json) printJson(io, { ...job, plan });
  else {
    io.out(describeJob(job));
    if (job.status === 'completed') {
      io.out(`New VM "${plan.name}" (${plan.hypervisor}) in ${plan.folder}: ${plan.configPath}`);
      for (const disk of plan.disks) io.out(`  disk ${disk.path} (${disk.format}) from ${disk.source}`);
      for (const note of plan.notes) io.out(`  note: ${note}`);
    }
  }
  return restoreExitCode(job, io);
}

export const restoreCommand: CliCommandGroup = {
  name: 'restore',
  usage: [
    'restore disks ITEM --point ID --to DIR [--file NAME] [--format raw|qcow2|vmdk|vdi|vhdx] [--flatten] [--json]   restore a point\'s files, verified, never overwriting',
    'restore vm ITEM --point ID --to DIR --name NEW [--hypervisor virtualbox|vmware|libvirt-qemu] [--format F] [--no-register] [--drop-saved-state] [--connection URI] [--json]   restore a VM item\'s point as a new VM',
    RESTORE_REPLACE_USAGE,
  ],
  async run(args, io) {
    const sub = args.positionals[0];
    if (sub === 'disks') return restoreDisks(args, io);
    if (sub === 'vm') return restoreVm(args, io);
    if (sub === 'replace') return restoreReplace(args, io);
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Unknown restore command "${sub ?? ''}": use "restore disks", "restore vm" or "restore replace".`, { field: 'command' });
  },
};
