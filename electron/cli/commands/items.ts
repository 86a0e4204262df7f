/** `labvault items list`, `labvault item show|undelete|set-policy|confirm`, `labvault protection stop|resume`. */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { Item } from '../../../shared/contract/item-models.ts';
import type { CliCommandGroup, CliIo, ParsedArgs } from '../cli-command.ts';
import { cliClient, printJson } from '../cli-context.ts';
import { formatBytes, formatTable } from '../cli-format.ts';
import { booleanFlag, expectFlags, positional, stringFlag } from '../parse-args.ts';
import { scriptFlags, SCRIPT_FLAGS } from './script-flags.ts';
import { updateFilesCommand } from './item-update-files.ts';

function describeItem(item: Item): string {
  const state = item.state === 'soft-deleted' ? `soft-deleted (purged ${item.purgeAt ?? '?'})` : item.state === 'stopped' ? `stopped (points kept ${item.retainMode === 'expiry' ? 'until expiry' : 'forever'})` : 'protected';
  const lines = [`Item "${item.name}" in vault "${item.vaultName}": ${state}; policy ${item.policyName}; ${item.pointCount} point${item.pointCount === 1 ? '' : 's'}.`];
  if (item.vm) lines.push(`Follows the ${item.vm.hypervisor} VM "${item.vm.vmName}" (${item.vm.configPath}); each backup re-reads it.`);
  if (item.scripts) {
    lines.push(`Scripts on this machine (timeout ${item.scripts.timeoutSec} s): pre ${item.scripts.pre ?? '-'}, post ${item.scripts.post ?? '-'}.`);
  }
  const summary = lines.join('\n');
  if (!item.needsConfirmation) return summary;
  return `${summary}\nNeeds confirmation on this machine (not backed up here): ${item.needsConfirmation.reason}.\n`
    + (item.vm
      ? `VM configuration it follows (each backup reads the files this configuration names):\n  ${item.vm.configPath}\n`
        + `If it is right: labvault item confirm ${item.vaultName}/${item.name}`
      : `Files it names:\n${item.files.map((file) => `  ${file.path}`).join('\n')}\nIf they are right: labvault item confirm ${item.vaultName}/${item.name}`);
}

function stateColumn(item: Item): string {
  const state = item.state === 'soft-deleted' ? `soft-deleted until ${item.purgeAt?.slice(0, 10) ?? '?'}` : item.state;
  return item.needsConfirmation ? `${state}, needs confirmation` : state;
}

/** `item confirm ITEM [--vault V]`: confirms the files the item's record names, and prints them. */
async function confirmItem(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['vault']);
  const name = positional(args, 1, 'item');
  const vault = stringFlag(args, 'vault');
  const item = await cliClient(io).items.confirm({ item: vault ? `${vault}/${name}` : name });
  if (booleanFlag(args, 'json')) {
    printJson(io, item);
    return 0;
  }
  io.out(`Confirmed on this machine: item "${item.name}" in vault "${item.vaultName}" may read these files:`);
  for (const file of item.files) io.out(`  ${file.path}`);
  io.out('It is backed up here from now on (Backup now and its schedule).');
  return 0;
}

export const itemsCommand: CliCommandGroup = {
  name: 'items',
  usage: ['items list [--vault V] [--json]          protected items with state (protected | stopped | soft-deleted) and purgeAt'],
  async run(args, io) {
    if (args.positionals[0] !== 'list') throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Unknown items command "${args.positionals[0] ?? ''}". Try: labvault items list`, { field: 'command' });
    expectFlags(args, ['vault']);
    const vault = stringFlag(args, 'vault');
    const items = await cliClient(io).items.list(vault ? { vault } : {});
    if (booleanFlag(args, 'json')) printJson(io, items);
    else if (items.length === 0) io.out('No protected items. Add one with: labvault protect --vault V --name NAME FILE...');
    else io.out(formatTable(['NAME', 'VAULT', 'STATE', 'POLICY', 'POINTS', 'STORED', 'LAST BACKUP'], items.map((item) => [
      item.name, item.vaultName, stateColumn(item), item.policyName,
      String(item.pointCount), formatBytes(item.storedBytes), item.lastBackupAt ? `${item.lastBackupAt.slice(0, 19).replace('T', ' ')} ${item.lastBackupStatus ?? ''}` : 'never',
    ])));
    return 0;
  },
};

export const itemCommand: CliCommandGroup = {
  name: 'item',
  usage: [
    'item show ITEM [--json]',
    'item undelete ITEM [--json]               bring back a soft-deleted item and its points',
    'item set-policy ITEM --policy P',
    'item confirm ITEM [--vault V] [--json]    let this machine back up the files the item names (prints them)',
    'item update-files ITEM (FILE... | --vm CONFIG_PATH) [--dry-run]   change its files; shows the change first',
    'item update ITEM [--pre-script PATH] [--post-script PATH] [--script-timeout SEC]   scripts on this machine (\'\' removes)',
  ],
  async run(args, io) {
    const sub = args.positionals[0];
    if (sub === 'confirm') return confirmItem(args, io);
    if (sub === 'update-files') return updateFilesCommand(args, io);
    const client = cliClient(io);
    let item: Item;
    if (sub === 'show') {
      expectFlags(args, []);
      item = await client.items.show({ item: positional(args, 1, 'item') });
    } else if (sub === 'undelete') {
      expectFlags(args, []);
      item = await client.items.undelete({ item: positional(args, 1, 'item') });
    } else if (sub === 'update') {
      expectFlags(args, SCRIPT_FLAGS);
      const change = scriptFlags(args);
      if (Object.keys(change).length === 0) {
        throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Name what to change: --pre-script, --post-script or --script-timeout.', { field: 'command' });
      }
      item = await client.items.setScripts({ item: positional(args, 1, 'item'), ...change });
    } else if (sub === 'set-policy') {
      expectFlags(args, ['policy']);
      item = await client.items.setPolicy({ item: positional(args, 1, 'item'), policy: stringFlag(args, 'policy', true) });
    } else {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Unknown item command "${sub ?? ''}". Try: labvault help`, { field: 'command' });
    }
    if (booleanFlag(args, 'json')) printJson(io, item);
    else io.out(describeItem(item));
    return 0;
  },
};

export const protectionCommand: CliCommandGroup = {
  name: 'protection',
  usage: [
    'protection stop ITEM --keep-data [--retain forever|expiry]',
    'protection stop ITEM --delete-data --confirm ITEM_NAME   data goes to soft delete (when on)',
    'protection resume ITEM [--policy P]',
  ],
  async run(args, io) {
    const client = cliClient(io);
    const sub = args.positionals[0];
    let item: Item;
    if (sub === 'stop') {
      expectFlags(args, ['keep-data', 'delete-data', 'retain', 'confirm']);
      const keep = booleanFlag(args, 'keep-data');
      const remove = booleanFlag(args, 'delete-data');
      if (keep === remove) throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Choose exactly one of --keep-data or --delete-data.', { field: 'keep-data' });
      const retain = stringFlag(args, 'retain');
      if (retain !== undefined && retain !== 'forever' && retain !== 'expiry') throw new LabvaultError(ErrorCodes.INVALID_INPUT, '--retain must be "forever" or "expiry".', { field: 'retain' });
      if (retain !== undefined && remove) throw new LabvaultError(ErrorCodes.INVALID_INPUT, '--retain goes with --keep-data only.', { field: 'retain' });
      const confirm = stringFlag(args, 'confirm');
      item = await client.items.stopProtection({
        item: positional(args, 1, 'item'), mode: keep ? 'keep-data' : 'delete-data',
        ...(retain ? { retain: retain as 'forever' | 'expiry' } : {}), ...(confirm !== undefined ? { confirm } : {}),
      });
    } else if (sub === 'resume') {
      expectFlags(args, ['policy']);
      const policy = stringFlag(args, 'policy');
      item = await client.items.resumeProtection({ item: positional(args, 1, 'item'), ...(policy ? { policy } : {}) });
    } else {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Unknown protection command "${sub ?? ''}". Try: labvault help`, { field: 'command' });
    }
    if (booleanFlag(args, 'json')) printJson(io, item);
    else io.out(describeItem(item));
    return 0;
  },
};
