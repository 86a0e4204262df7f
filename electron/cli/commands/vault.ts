/** `labvault vault ...`: create, open, list, show, update, delete, stats, rebuild-catalog. */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { Vault } from '../../../shared/contract/models.ts';
import type { CliCommandGroup, CliIo, ParsedArgs } from '../cli-command.ts';
import { cliClient, cliEvents, cliPassphraseFile, confirmOnTerminal, printJson } from '../cli-context.ts';
import { cliPassphraseSource, newPassphrase, passphraseFromFile } from '../passphrase.ts';
import { formatBytes, formatTable } from '../cli-format.ts';
import { booleanFlag, expectFlags, integerFlag, positional, stringFlag } from '../parse-args.ts';

function describeVault(vault: Vault): string {
  return [
    `Name:           ${vault.name}`,
    `Id:             ${vault.id}`,
    `Location:       ${vault.path}`,
    `Created:        ${vault.createdAt}`,
    `Status:         ${vault.status}${vault.statusMessage ? ` (${vault.statusMessage})` : ''}`,
    `Soft delete:    ${vault.softDeleteEnabled ? `on, ${vault.softDeleteDays} days` : 'off'}`,
    `Immutability:   ${vault.immutability}${vault.immutabilityNote ? ` (${vault.immutabilityNote})` : ''}`,
    `Encrypted:      ${vault.encrypted ? 'yes' : 'no'}`,
    `Instant-restore clones: ${vault.instantRestoreClones === true ? 'on' : 'off'}${vault.encrypted && vault.instantRestoreClones === true ? ' (beside the VM only, never in the vault folder)' : ''}`,
    `Chunk size:     ${vault.chunkSize / 1024} KiB`,
    `Format version: ${vault.formatVersion}`,
    `Items:          ${vault.itemCount ?? 0}`,
    ...usageLines(vault),
  ].join('\n');
}

/** The vault's sizes, each saying what it counts (vaults.usage). */
function usageLines(vault: Vault): string[] {
  const usage = vault.usage;
  if (!usage) return [];
  const free = usage.freeBytes === null ? 'unknown' : `${formatBytes(usage.freeBytes)} of ${formatBytes(usage.driveBytes ?? 0)}`;
  return [
    `Logical:        ${formatBytes(usage.logicalBytes)} (the files of each item's newest point)`,
    `Stored:         ${formatBytes(usage.storedBytes)} (the vault's data folder)`,
    `Reclaimable:    ${formatBytes(usage.reclaimableBytes)} (no point uses it; "labvault gc --vault ${vault.name}" frees it)`,
    `Free space:     ${free} (the drive holding the vault)`,
  ];
}

async function create(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['name', 'path', 'soft-delete-days', 'immutability', 'encrypt']);
  const immutability = stringFlag(args, 'immutability');
  if (immutability !== undefined && immutability !== 'disabled' && immutability !== 'enabled') {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `--immutability must be "disabled" or "enabled" (lock it later with "labvault vault update"), got "${immutability}".`, { field: 'immutability' });
  }
  const softDeleteDays = integerFlag(args, 'soft-delete-days');
  const passphrase = booleanFlag(args, 'encrypt') ? await newPassphrase(io.env, cliPassphraseFile()) : undefined;
  const vault = await cliClient(io).vaults.create({
    ...(passphrase !== undefined ? { passphrase } : {}),
    name: stringFlag(args, 'name', true),
    path: stringFlag(args, 'path', true),
    ...(softDeleteDays !== undefined ? { softDeleteDays } : {}),
    ...(immutability !== undefined ? { immutability } : {}),
  });
  if (booleanFlag(args, 'json')) printJson(io, vault);
  else io.out(`Created vault "${vault.name}" at ${vault.path}.`);
  return 0;
}

async function list(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, []);
  const vaults = await cliClient(io).vaults.list({});
  if (booleanFlag(args, 'json')) {
    printJson(io, vaults);
  } else if (vaults.length === 0) {
    io.out('No vaults yet. Create one with: labvault vault create --name NAME --path DIR');
  } else {
    io.out(formatTable(['NAME', 'STATUS', 'IMMUTABILITY', 'SOFT DELETE', 'ITEMS', 'LOCATION'], vaults.map((vault) => [
      vault.name, vault.status, vault.immutability, vault.softDeleteEnabled ? `${vault.softDeleteDays} days` : 'off', String(vault.itemCount ?? 0), vault.path,
    ])));
  }
  return 0;
}

async function show(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, []);
  // A vault that cannot be opened (damaged vault.json or catalog, moved folder) is an error
  // here, with its own code (CORRUPT exits 3): strict asks for the reason, not a status.
  const vault = await cliClient(io).vaults.show({ name: positional(args, 1, 'name'), strict: true });
  if (booleanFlag(args, 'json')) printJson(io, vault);
  else io.out(describeVault(vault));
  return 0;
}

async function open(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, []);
  const vault = await cliClient(io).vaults.open({ path: positional(args, 1, 'path') });
  if (booleanFlag(args, 'json')) printJson(io, vault);
  else io.out(`Opened vault "${vault.name}" at ${vault.path}.`);
  return 0;
}

async function update(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['soft-delete-days', 'soft-delete', 'immutability', 'confirm', 'instant-restore-clones', 'confirm-plaintext-clones']);
  const name = positional(args, 1, 'name');
  const softDelete = stringFlag(args, 'soft-delete');
  if (softDelete !== undefined && softDelete !== 'on' && softDelete !== 'off') {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `--soft-delete must be "on" or "off", got "${softDelete}".`, { field: 'soft-delete' });
  }
  const immutability = stringFlag(args, 'immutability');
  if (immutability !== undefined && !['disabled', 'enabled', 'locked'].includes(immutability)) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `--immutability must be disabled, enabled or locked, got "${immutability}".`, { field: 'immutability' });
  }
  const clones = stringFlag(args, 'instant-restore-clones');
  if (clones !== undefined && clones !== 'on' && clones !== 'off') {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `--instant-restore-clones must be "on" or "off", got "${clones}".`, { field: 'instant-restore-clones' });
  }
  const softDeleteDays = integerFlag(args, 'soft-delete-days');
  const confirm = stringFlag(args, 'confirm');
  const vault = await cliClient(io).vaults.update({
    name,
    ...(softDeleteDays !== undefined ? { softDeleteDays } : {}),
    ...(softDelete !== undefined ? { softDeleteEnabled: softDelete === 'on' } : {}),
    ...(immutability !== undefined ? { immutability: immutability as 'disabled' | 'enabled' | 'locked' } : {}),
    ...(confirm !== undefined ? { confirm } : {}),
    ...(clones !== undefined ? { instantRestoreClones: clones === 'on' } : {}),
    ...(booleanFlag(args, 'confirm-plaintext-clones') ? { confirmPlaintextClones: true } : {}),
  });
  if (booleanFlag(args, 'json')) printJson(io, vault);
  else io.out(describeVault(vault));
  return 0;
}

async function remove(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['yes']);
  const name = positional(args, 1, 'name');
  const client = cliClient(io);
  const check = await client.vaults.deleteCheck({ name });
  if (!check.deletable) {
    throw new LabvaultError(ErrorCodes.RULE_VIOLATION, `Vault "${name}" cannot be deleted while it holds: ${check.blockers.join('; ')}.`, { details: { blockers: check.blockers } });
  }
  if (!booleanFlag(args, 'yes')) {
    const yes = await confirmOnTerminal(`Delete vault "${name}"? Its folder's vault files are removed.`, '--yes');
    if (!yes) {
      io.err('Nothing deleted.');
      return 1;
    }
  }
  await client.vaults.delete({ name });
  if (booleanFlag(args, 'json')) printJson(io, { deleted: true, name });
  else io.out(`Deleted vault "${name}".`);
  return 0;
}

async function stats(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, []);
  const client = cliClient(io);
  const name = positional(args, 1, 'name');
  const result = await client.vaults.stats({ name });
  // usage: the vault's sizes as every face shows them (the UI's vault page, vault show/list --json).
  const usage = await client.vaults.usage({ name });
  if (booleanFlag(args, 'json')) printJson(io, { ...result, usage });
  else {
    io.out(`Vault "${result.name}": ${result.items} items, ${result.points} points (${result.softDeletedPoints} soft-deleted), ${result.chunks} chunks.`);
    io.out(`Logical ${formatBytes(result.logicalBytes)} (all points), stored ${formatBytes(result.storedBytes)}.`);
    io.out(`Reclaimable ${formatBytes(usage.reclaimableBytes)} (no point uses it; "labvault gc --vault ${result.name}" frees it).`);
    for (const item of result.perItem) io.out(`  ${item.name}: ${item.points} points, logical ${formatBytes(item.logicalBytes)}, stored ${formatBytes(item.storedBytes)}`);
  }
  return 0;
}

async function passphrase(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['new-passphrase-file']);
  const name = positional(args, 1, 'name');
  const client = cliClient(io);
  const vault = await client.vaults.show({ name, strict: true });
  const oldPassphrase = await cliPassphraseSource(io.env, cliPassphraseFile())(vault.name, vault.id);
  const newFile = stringFlag(args, 'new-passphrase-file');
  const next = newFile ? passphraseFromFile(newFile) : await newPassphrase({ ...io.env, LABVAULT_PASSPHRASE: io.env.LABVAULT_NEW_PASSPHRASE ?? '' }, undefined);
  await client.vaults.changePassphrase({ name, oldPassphrase: oldPassphrase ?? '', newPassphrase: next });
  if (booleanFlag(args, 'json')) printJson(io, { changed: true, name: vault.name });
  else {
    io.out(`Changed the passphrase of "${vault.name}". No data was rewritten.`);
    io.out('The vault keeps its master key: anyone who knew the old passphrase and kept a copy of the old vault.json '
      + `can still read it. To replace the key itself, run "labvault vault rekey ${vault.name}".`);
  }
  return 0;
}

async function rekey(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, []);
  const name = positional(args, 1, 'name');
  const client = cliClient(io);
  const vault = await client.vaults.show({ name });
  const passphrase = await cliPassphraseSource(io.env, cliPassphraseFile())(vault.name, vault.id);
  if (!passphrase) throw new LabvaultError(ErrorCodes.BAD_PASSPHRASE, `Vault "${vault.name}" needs its passphrase to be rekeyed.`, { field: 'passphrase' });
  const json = booleanFlag(args, 'json');
  const stopProgress = cliEvents(io).on('rekeyProgress', (progress) => {
    if (progress.vaultId !== vault.id) return;
    io.err(`rekey: ${progress.phase === 'points' ? 'rewrote' : 'checked'} point ${progress.done} of ${progress.total}`);
  });
  const result = await client.vaults.rekey({ name, passphrase }).finally(stopProgress);
  if (json) printJson(io, { rekeyed: true, name: vault.name, ...result });
  else {
    io.out(`Rekeyed "${vault.name}": a new master key, ${result.points} points and every record rewritten under it`
      + `${result.resumed ? ' (continued an unfinished rekey)' : ''}. The old key opens nothing in the vault any more.`);
  }
  return 0;
}

async function rebuild(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, []);
  // A catalog too damaged to open is what this command is for: the engine sets it aside
  // and rebuilds a fresh one from the vault's files.
  const rebuilt = await cliClient(io).vaults.rebuildCatalog({ name: positional(args, 1, 'name') });
  if (rebuilt.setAside) io.err(`The catalog could not be opened (${rebuilt.setAside.reason}); it was kept as ${rebuilt.setAside.path}.`);
  const { policies, items, points, jobs } = rebuilt;
  if (booleanFlag(args, 'json')) printJson(io, { rebuilt: true, policies, items, points, jobs });
  else io.out(`Rebuilt the catalog of "${rebuilt.vault}" from its files: ${policies} policies, ${items} items, ${points} points, ${jobs} jobs.`);
  return 0;
}

export const vaultCommand: CliCommandGroup = {
  name: 'vault',
  usage: [
    'vault create --name NAME --path DIR [--soft-delete-days N] [--immutability disabled|enabled] [--encrypt] [--json]',
    'vault open DIR [--json]                 add an existing vault folder to the known list',
    'vault list [--json]',
    'vault show NAME [--json]',
    'vault update NAME [--soft-delete-days N] [--soft-delete on|off] [--immutability disabled|enabled|locked] [--confirm NAME]',
    '    [--instant-restore-clones on|off]   on by default; an encrypted vault keeps them beside the VM only',
    'vault delete NAME [--yes]               only when it protects no items and holds no data',
    'vault stats NAME [--json]               storage used by the vault and each item',
    'vault passphrase NAME [--new-passphrase-file F]   change an encrypted vault\'s passphrase (keeps its master key)',
    'vault rebuild-catalog NAME [--json]     rebuild the catalog database from the vault\'s files',
    'vault rekey NAME [--json]               new master key for an encrypted vault, every blob rewritten (resumable)',
  ],
  async run(args, io) {
    const sub = args.positionals[0];
    switch (sub) {
      case 'create': return create(args, io);
      case 'open': return open(args, io);
      case 'list': return list(args, io);
      case 'show': return show(args, io);
      case 'update': return update(args, io);
      case 'delete': return remove(args, io);
      case 'stats': return stats(args, io);
      case 'passphrase': return passphrase(args, io);
      case 'rebuild-catalog': return rebuild(args, io);
      case 'rekey': return rekey(args, io);
      case 'rename':
        throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Vaults cannot be renamed: a vault keeps the name it was created with.', { field: 'command' });
      default:
        throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Unknown vault command "${sub ?? ''}". Try: labvault help`, { field: 'command' });
    }
  },
};
