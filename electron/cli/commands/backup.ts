/** `labvault protect`, `labvault backup`: make items of VM files and back them up. */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { CliCommandGroup } from '../cli-command.ts';
import { cliClient, cliPassphraseFile, printJson } from '../cli-context.ts';
import { formatBytes } from '../cli-format.ts';
import { describeJob, EXIT_CANCELLED, waitWithProgress } from '../job-progress.ts';
import { booleanFlag, expectFlags, positional, stringFlag } from '../parse-args.ts';
import { scriptFlags, SCRIPT_FLAGS } from './script-flags.ts';

export const protectCommand: CliCommandGroup = {
  name: 'protect',
  usage: [
    'protect --vault V --vm CONFIG_PATH [--name NAME] [--policy P]   protect a VM: each backup re-reads its config',
    'protect --vault V --name NAME [--policy P] FILE...   protect a VM\'s files (a config among them protects its VM)',
    '        [--pre-script PATH] [--post-script PATH] [--script-timeout SEC]   scripts run around each backup here',
  ],
  async run(args, io) {
    expectFlags(args, ['vault', 'name', 'policy', 'vm', ...SCRIPT_FLAGS]);
    const files = args.positionals;
    const vm = stringFlag(args, 'vm');
    if (files.length === 0 && vm === undefined) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Name the VM with --vm CONFIG_PATH, or at least one file to protect.', { field: 'files' });
    }
    if (files.length > 0 && vm !== undefined) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Give either --vm CONFIG_PATH or files, not both: --vm protects every file of the VM.', { field: 'files' });
    }
    const policy = stringFlag(args, 'policy');
    const name = vm === undefined ? stringFlag(args, 'name', true) : stringFlag(args, 'name');
    const item = await cliClient(io).items.protect({
      vault: stringFlag(args, 'vault', true), ...(name !== undefined ? { name } : {}),
      ...(vm !== undefined ? { vm: { configPath: vm } } : { files }), ...(policy ? { policy } : {}),
      ...scriptFlags(args),
    });
    if (booleanFlag(args, 'json')) printJson(io, item);
    else {
      for (const note of item.notes ?? []) io.out(`Note: ${note}`);
      const follows = item.vm ? ` (${item.vm.hypervisor} VM "${item.vm.vmName}", followed from ${item.vm.configPath})` : '';
      io.out(`Protected "${item.name}"${follows} in vault "${item.vaultName}" with policy ${item.policyName}:`);
      for (const file of item.files) io.out(`  ${file.role.padEnd(6)} ${file.diskFormat ? `${file.diskFormat.padEnd(6)} ` : '       '}${formatBytes(file.size).padStart(10)}  ${file.path}`);
      io.out(`Back it up now with: labvault backup ${item.name}`);
    }
    return 0;
  },
};

export const backupCommand: CliCommandGroup = {
  name: 'backup',
  usage: ['backup ITEM [--retain-until YYYY-MM-DD] [--no-wait] [--json]   Backup now (default: kept 30 days)'],
  async run(args, io) {
    expectFlags(args, ['retain-until', 'wait', 'job-id']);
    const item = positional(args, 0, 'item');
    const retainUntil = stringFlag(args, 'retain-until');
    const client = cliClient(io);
    if (args.flags.wait === false) {
      // Validate in this process so mistakes exit 2 at once, then run the job detached.
      await client.backup.check({ item, ...(retainUntil !== undefined ? { retainUntil } : {}) });
      const jobId = randomUUID();
      const childArgs = [...process.execArgv, process.argv[1] as string, 'backup', item, '--job-id', jobId, ...(retainUntil ? ['--retain-until', retainUntil] : [])];
      const passphraseFile = cliPassphraseFile();
      if (passphraseFile) childArgs.push('--passphrase-file', passphraseFile);
      const child = spawn(process.execPath, childArgs, { detached: true, stdio: 'ignore', env: io.env });
      child.unref();
      for (let i = 0; i < 200; i += 1) {
        if (await client.jobs.show({ id: jobId }).then(() => true, () => false)) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (booleanFlag(args, 'json')) printJson(io, { jobId });
      else io.out(jobId);
      return 0;
    }
    const jobId = stringFlag(args, 'job-id');
    const started = await client.backup.now({
      item, ...(retainUntil !== undefined ? { retainUntil } : {}), ...(jobId ? { jobId } : {}),
    });
    if (!booleanFlag(args, 'json') && io.isTty) io.err(`Backup of ${item} started (job ${started.jobId}). Ctrl+C cancels it.`);
    const job = await waitWithProgress(started.jobId, io, true);
    if (booleanFlag(args, 'json')) printJson(io, job);
    else io.out(describeJob(job));
    if (job.status === 'completed') return 0;
    // Cancelled is not a failure: exit 4, as jobs wait does.
    if (job.status === 'cancelled') return EXIT_CANCELLED;
    if (job.error) io.err(`labvault: error [${job.error.code}]: ${job.error.message}`);
    return 1;
  },
};
