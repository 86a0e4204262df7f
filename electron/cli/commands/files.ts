/**
 * `labvault files parts|ls|get|history`: files inside a point's disks, read from the vault
 * without restoring the disks (partitions, LVM2, ext2/3/4; see electron/engine/guest).
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { CliCommandGroup, CliIo, ParsedArgs } from '../cli-command.ts';
import { cliClient, printJson } from '../cli-context.ts';
import { formatBytes, formatTable } from '../cli-format.ts';
import { booleanFlag, expectFlags, integerFlag, positional, stringFlag } from '../parse-args.ts';

function volumeFlags(args: ParsedArgs): { disk?: number; partition?: string } {
  const disk = integerFlag(args, 'disk');
  const partition = stringFlag(args, 'partition');
  return { ...(disk === undefined ? {} : { disk }), ...(partition === undefined ? {} : { partition }) };
}

function modeText(type: string, mode: number): string {
  const kind = type === 'dir' ? 'd' : type === 'symlink' ? 'l' : type === 'file' ? '-' : '?';
  const bits = 'rwxrwxrwx'.split('').map((letter, i) => ((mode >> (8 - i)) & 1 ? letter : '-')).join('');
  return kind + bits;
}

async function parts(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['point']);
  const result = await cliClient(io).files.parts({ item: positional(args, 1, 'item'), point: stringFlag(args, 'point', true) });
  if (booleanFlag(args, 'json')) {
    printJson(io, result);
    return 0;
  }
  const rows: string[][] = [];
  for (const disk of result.disks) {
    // The image the disk is read from: its format, and how many point files (a chain's layers, extents) make it.
    const image = disk.image ? `${disk.image.format}${disk.image.files.length > 1 ? ` (${disk.image.files.length} files)` : ''}` : '-';
    if (disk.error) rows.push([`${disk.disk}`, image, '-', disk.table, '', '', '', disk.error.message]);
    for (const volume of disk.volumes) {
      rows.push([`${disk.disk}`, image, volume.id, disk.table, volume.filesystem, volume.label ?? '', formatBytes(volume.size),
        volume.readable ? 'readable' : volume.reason ?? 'not readable']);
    }
  }
  for (const volume of result.logicalVolumes) {
    rows.push(['lvm', '', volume.id, volume.typeCode ?? '', volume.filesystem, volume.label ?? '', formatBytes(volume.size),
      volume.readable ? 'readable' : volume.reason ?? 'not readable']);
  }
  io.out(formatTable(['DISK', 'IMAGE', 'PARTITION', 'TABLE', 'FILESYSTEM', 'LABEL', 'SIZE', 'STATE'], rows));
  for (const warning of [...result.disks.flatMap((disk) => disk.warnings), ...result.warnings]) io.err(`warning: ${warning}`);
  return 0;
}

async function list(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['point', 'disk', 'partition']);
  const result = await cliClient(io).files.list({
    item: positional(args, 1, 'item'), point: stringFlag(args, 'point', true), path: positional(args, 2, 'path'), ...volumeFlags(args),
  });
  if (booleanFlag(args, 'json')) {
    printJson(io, result.entries);
    return 0;
  }
  io.out(formatTable(['MODE', 'SIZE', 'MODIFIED', 'NAME'], result.entries.map((entry) => [
    modeText(entry.type, entry.mode), entry.type === 'dir' ? '-' : formatBytes(entry.size), entry.mtime.replace('T', ' ').slice(0, 19),
    entry.target === undefined ? entry.name : `${entry.name} -> ${entry.target}`,
  ])));
  io.err(`${result.entries.length} entries in ${result.path} of ${result.volume.kind === 'logical-volume' ? 'volume' : `disk ${result.volume.disk} partition`} `
    + `${result.volume.id} (${result.volume.filesystem}); ${result.chunksRead} chunks read from the vault in ${result.elapsedMs} ms.`);
  return 0;
}

async function get(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['point', 'disk', 'partition', 'to']);
  const paths = args.positionals.slice(2);
  if (paths.length === 0) throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Name at least one path inside the disk to get.', { field: 'paths' });
  const result = await cliClient(io).files.get({
    item: positional(args, 1, 'item'), point: stringFlag(args, 'point', true), paths, to: stringFlag(args, 'to', true),
    ...volumeFlags(args),
  });
  if (booleanFlag(args, 'json')) {
    printJson(io, result);
    return 0;
  }
  const files = result.items.filter((item) => item.type === 'file' || item.type === 'hardlink');
  const bytes = files.reduce((sum, item) => sum + item.size, 0);
  io.out(`Wrote ${files.length} file(s) (${formatBytes(bytes)}), ${result.items.filter((item) => item.type === 'dir').length} folder(s) and `
    + `${result.items.filter((item) => item.type === 'symlink').length} symlink(s) into ${result.to}.`);
  for (const item of result.items.filter((entry) => entry.type === 'skipped')) io.err(`skipped ${item.path}: ${item.reason ?? ''}`);
  return 0;
}

async function history(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['disk', 'partition']);
  const result = await cliClient(io).files.history({ item: positional(args, 1, 'item'), path: positional(args, 2, 'path'), ...volumeFlags(args) });
  if (booleanFlag(args, 'json')) {
    printJson(io, result);
    return 0;
  }
  io.out(formatTable(['POINT', 'CREATED', 'SIZE', 'MODIFIED', 'SHA256', ''], result.versions.map((version) => [
    version.point, version.createdAt.replace('T', ' ').slice(0, 19), formatBytes(version.size), version.mtime.replace('T', ' ').slice(0, 19),
    version.sha256?.slice(0, 16) ?? version.type, version.changed ? 'changed' : '',
  ])));
  for (const skip of result.skipped) io.err(`${skip.point}: ${skip.reason}`);
  return 0;
}

export const filesCommand: CliCommandGroup = {
  name: 'files',
  usage: [
    'files parts ITEM --point ID [--json]                                   partitions, volumes and filesystems of a point\'s disks',
    'files ls ITEM --point ID [--disk N] [--partition P] PATH [--json]       a folder inside a point\'s disk',
    'files get ITEM --point ID [--disk N] [--partition P] PATH... --to DIR   write files and folders out, never overwriting',
    'files history ITEM PATH [--disk N] [--partition P] [--json]            every point holding PATH, with its digest',
  ],
  async run(args, io) {
    const sub = args.positionals[0];
    switch (sub) {
      case 'parts': return parts(args, io);
      case 'ls': return list(args, io);
      case 'get': return get(args, io);
      case 'history': return history(args, io);
      default:
        throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Unknown files command "${sub ?? ''}": use files parts, ls, get or history.`, { field: 'command' });
    }
  },
};
