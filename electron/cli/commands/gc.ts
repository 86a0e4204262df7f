/**
 * `labvault gc --vault V [--max-wait SECONDS] [--json]`: remove chunks no point references,
 * as a 'gc' job. Refused (exit 1, VAULT_LOCKED) while a backup writes to the vault,
 * unless --max-wait gives it time to finish.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { CliCommandGroup } from '../cli-command.ts';
import { GC_MAX_WAIT_SECONDS as MAX_WAIT_SECONDS } from '../../../shared/contract/maintenance-channels.ts';
import { cliClient, printJson } from '../cli-context.ts';
import { booleanFlag, expectFlags, integerFlag, stringFlag } from '../parse-args.ts';

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
}

export const gcCommand: CliCommandGroup = {
  name: 'gc',
  usage: ['gc --vault V [--max-wait SECONDS] [--json]         remove unreferenced data and report the bytes freed'],
  async run(args, io) {
    expectFlags(args, ['vault', 'max-wait']);
    const wait = integerFlag(args, 'max-wait') ?? 0;
    if (wait < 0 || wait > MAX_WAIT_SECONDS) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `--max-wait must be between 0 and ${MAX_WAIT_SECONDS} seconds.`, { field: 'max-wait' });
    const result = await cliClient(io).vaults.gc({ vault: stringFlag(args, 'vault', true), waitSeconds: wait });
    if (booleanFlag(args, 'json')) printJson(io, result);
    else io.out(`Freed ${mib(result.bytesFreed)} (${result.bytesFreed} bytes): ${result.chunksRemoved} chunk(s) and ${result.indexesRemoved} index(es) removed, ${result.chunksKept} chunk(s) in use.`);
    return 0;
  },
};
