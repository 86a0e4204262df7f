/** `labvault item update-files ITEM (FILE... | --vm CONFIG_PATH) [--dry-run]`: shows the change before saving. */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { CliIo, ParsedArgs } from '../cli-command.ts';
import { cliClient, printJson } from '../cli-context.ts';
import { booleanFlag, expectFlags, positional, stringFlag } from '../parse-args.ts';

export async function updateFilesCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['vm', 'dry-run']);
  const item = positional(args, 1, 'item');
  const files = args.positionals.slice(2);
  const vm = stringFlag(args, 'vm');
  if ((files.length === 0) === (vm === undefined)) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Give the new files, or the VM\'s configuration with --vm CONFIG_PATH (one of the two).', { field: 'files' });
  }
  const dryRun = booleanFlag(args, 'dry-run');
  const result = await cliClient(io).items.updateFiles({
    item, ...(vm !== undefined ? { vm: { configPath: vm } } : { files }), ...(dryRun ? { dryRun } : {}),
  });
  if (booleanFlag(args, 'json')) {
    printJson(io, result);
    return 0;
  }
  const { change } = result;
  for (const note of change.notes) io.out(`Note: ${note}`);
  if (change.vmBefore !== change.vmAfter) io.out(`VM configuration: ${change.vmBefore ?? '(none)'} -> ${change.vmAfter ?? '(none)'}`);
  for (const path of change.added) io.out(`  + ${path}`);
  for (const path of change.removed) io.out(`  - ${path}`);
  if (change.added.length === 0 && change.removed.length === 0 && change.vmBefore === change.vmAfter) io.out('No change in the files.');
  io.out(change.saved
    ? `Saved: item "${result.item.name}" now has ${result.item.files.length} file${result.item.files.length === 1 ? '' : 's'}; protection continues.`
    : `Dry run: nothing saved. Run again without --dry-run to save.`);
  return 0;
}
