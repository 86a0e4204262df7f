/**
 * `labvault vm discover`: the VMs VirtualBox, VMware and libvirt know on this machine (or in
 * the places named with --path, or on another machine's disk mounted at --root), with their
 * state, disk chains and files. Read-only. --json prints the array of VMs; problems met on
 * the way (an unreadable config) go to stderr. Exit 2 when named places held no VM and
 * something went wrong.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { DiscoveredVmView } from '../../../shared/contract/vm-channels.ts';
import type { CliCommandGroup, CliIo, ParsedArgs } from '../cli-command.ts';
import { cliClient, printJson } from '../cli-context.ts';
import { formatBytes, formatTable } from '../cli-format.ts';
import { booleanFlag, expectFlags, stringFlag, stringFlags } from '../parse-args.ts';

function diskSummary(vm: DiscoveredVmView): string {
  const layers = vm.disks.reduce((sum, disk) => sum + disk.chain.length, 0);
  return `${vm.disks.length} (${layers} layer${layers === 1 ? '' : 's'})`;
}

function sizeOf(vm: DiscoveredVmView): string {
  return formatBytes(vm.disks.reduce((sum, disk) => sum + (disk.virtualSize ?? 0), 0));
}

function remarks(vm: DiscoveredVmView): string {
  const parts: string[] = [];
  if (vm.missingOnDisk.length > 0) parts.push(`${vm.missingOnDisk.length} missing`);
  if (vm.disks.some((disk) => !disk.backupable)) parts.push('disk not backupable');
  if (vm.ignoredDevices.length > 0) parts.push(`${vm.ignoredDevices.length} skipped device(s)`);
  if (vm.sharedWith && vm.sharedWith.length > 0) parts.push('shares files');
  if (vm.protectedBy) parts.push(`protected by ${vm.protectedBy.itemName}`);
  return parts.join(', ');
}

function describe(vms: DiscoveredVmView[]): string {
  if (vms.length === 0) return 'No VMs found.';
  const table = formatTable(['NAME', 'HYPERVISOR', 'STATE', 'DISKS', 'SIZE', 'CONFIG', 'NOTES'], vms.map((vm) => [
    vm.name, vm.hypervisor, vm.state, diskSummary(vm), sizeOf(vm), vm.configPath, remarks(vm),
  ]));
  return `${table}\n\n${vms.length} VM${vms.length === 1 ? '' : 's'}; --json shows each disk's chain, the files and why a device is skipped.`;
}

async function discover(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['path', 'root']);
  if (args.positionals.length > 1) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `vm discover takes no positional argument: use --path ${args.positionals[1] ?? ''}.`,
      { field: 'path' });
  }
  const paths = stringFlags(args, 'path');
  const root = stringFlag(args, 'root');
  const report = await cliClient(io).vms.discover({
    ...(paths.length > 0 ? { paths } : {}), ...(root !== undefined ? { root } : {}),
  });
  if (report.vms.length === 0 && paths.length > 0 && report.problems.length > 0) {
    const first = report.problems[0] as (typeof report.problems)[number];
    const more = report.problems.slice(1).map((problem) => `; ${problem.message}`).join('');
    throw new LabvaultError(first.code === ErrorCodes.NOT_FOUND ? ErrorCodes.NOT_FOUND : ErrorCodes.INVALID_INPUT,
      `No VM found: ${first.message}${more}`, { field: 'path', details: { problems: report.problems } });
  }
  for (const problem of report.problems) io.err(`warning: ${problem.message} [${problem.code}]`);
  if (booleanFlag(args, 'json')) printJson(io, report.vms);
  else io.out(describe(report.vms));
  return 0;
}

export const vmCommand: CliCommandGroup = {
  name: 'vm',
  usage: [
    'vm discover [--path P]... [--root DIR] [--json]   VMs of VirtualBox, VMware, libvirt and folders of images',
  ],
  async run(args, io) {
    const sub = args.positionals[0];
    if (sub === 'discover') return discover(args, io);
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Unknown vm command "${sub ?? ''}". Try: labvault help`, { field: 'command' });
  },
};
