/**
 * The plan of a restore as a new VM, decided before anything is written: the hypervisor
 * and disk format, the new folder and file names, whether the saved state is kept, how the
 * VM is registered, and the problems per field that refuse the restore (name taken, folder
 * not empty, format the hypervisor cannot attach). Pure: the facts that need the file
 * system or a hypervisor's tools (folder state, names taken, tool paths) come in `facts`.
 */
import { join, resolve } from 'node:path';
import type { PointVm } from '../../../shared/contract/item-models.ts';
import type {
  RestoreDiskFormat, RestoreHypervisor, RestoreVmInput, RestoreVmPlan, RestoreVmProblem,
} from '../../../shared/contract/restore-vm-channels.ts';

/** Each hypervisor's own disk format (the default) and the formats it can attach. */
export interface HypervisorFormats { native: RestoreDiskFormat; usable: RestoreDiskFormat[] }

export const HYPERVISOR_FORMATS: Record<RestoreHypervisor, HypervisorFormats> = {
  virtualbox: { native: 'vdi', usable: ['vdi', 'vmdk', 'vhdx', 'raw'] },
  vmware: { native: 'vmdk', usable: ['vmdk'] },
  'libvirt-qemu': { native: 'qcow2', usable: ['qcow2', 'raw', 'vmdk', 'vdi', 'vhdx'] },
};

const EXTENSION: Record<RestoreDiskFormat, string> = { raw: 'img', qcow2: 'qcow2', vmdk: 'vmdk', vdi: 'vdi', vhdx: 'vhdx' };
const CONFIG_EXTENSION: Record<RestoreHypervisor, string> = { virtualbox: 'vbox', vmware: 'vmx', 'libvirt-qemu': 'xml' };

/** A name that is a VM name on every hypervisor and a portable file name. */
const VM_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._()+-]{0,99}$/;

export type FolderState = 'missing' | 'empty' | 'not-empty' | 'file';

export interface PlanFacts {
  folderState: FolderState;
  /** Names of the VMs the target hypervisor has now (discovery and its tool), compared case-insensitively. */
  takenNames: string[];
  /** The registration tool's path when it is on PATH. */
  registerTool: string | null;
  /** libvirt connection used for the name check and virsh define. */
  connection: string;
  /** The point's file names by role. */
  pointFiles: { name: string; role: string }[];
}

export interface PlanResult {
  plan: RestoreVmPlan | null;
  problems: RestoreVmProblem[];
}

export function restoredVmNameProblem(name: string): string | null {
  if (!VM_NAME.test(name) || /[ .]$/.test(name)) {
    return 'Use 1 to 100 letters, digits, spaces and . _ ( ) + -, starting with a letter or digit and not ending in a space or dot.';
  }
  return null;
}

export function diskFileName(name: string, index: number, format: RestoreDiskFormat): string {
  return `${name}${index === 0 ? '' : `-disk${index + 1}`}.${EXTENSION[format]}`;
}

function quoteArg(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

export function shellCommand(args: string[]): string {
  return args.map(quoteArg).join(' ');
}

function registerCommandFor(hypervisor: RestoreHypervisor, configPath: string, connection: string): string[] {
  if (hypervisor === 'virtualbox') return ['VBoxManage', 'registervm', configPath];
  if (hypervisor === 'libvirt-qemu') return ['virsh', '-c', connection, 'define', configPath];
  return ['vmware', configPath];
}

function cliEquivalent(input: RestoreVmInput, folder: string, hypervisor: RestoreHypervisor, format: RestoreDiskFormat,
  register: boolean, keepSaved: boolean, savedInPoint: boolean): string {
  const args = ['labvault', 'restore', 'vm', input.item, '--point', input.point, '--to', folder, '--name', input.name];
  if (input.hypervisor) args.push('--hypervisor', hypervisor);
  if (input.format) args.push('--format', format);
  if (!register) args.push('--no-register');
  if (savedInPoint && !keepSaved) args.push('--drop-saved-state');
  if (input.connection) args.push('--connection', input.connection);
  return shellCommand(args);
}

/** What could not be carried over from `from` to `to`, in words. */
function crossNotes(vm: PointVm, to: RestoreHypervisor): string[] {
  const notes = [`The configuration was generated for ${to} from the point's hardware summary (${vm.hypervisor} settings beyond CPUs, memory, firmware, disks and network cards are not carried over).`];
  if (vm.hypervisor === 'virtualbox') notes.push('VirtualBox shared folders, USB filters, clipboard and drag-and-drop settings, and guest additions settings were not carried over.');
  if (vm.hypervisor === 'vmware') notes.push('VMware shared folders, tools settings and the .vmsd snapshot tree were not carried over.');
  if (vm.hypervisor === 'libvirt-qemu') notes.push('libvirt devices other than disks and network cards (graphics, channels, host devices, filesystems) were not carried over.');
  if (vm.hypervisor === 'files') notes.push('A folder of disk images records no hardware: CPUs, memory and network cards are defaults (1 CPU, 1024 MiB unless the point says otherwise); set them before the first start.');
  if (vm.hardware.firmware === 'efi') notes.push('The UEFI variables (NVRAM) of another hypervisor cannot be used: the firmware starts with empty variables; boot entries may need to be re-created (most OSes boot from the removable-media path).');
  if (vm.hardware.nics.length > 0) notes.push(`Network cards were attached to ${to === 'libvirt-qemu' ? 'the "default" network' : 'NAT'}; check the attachment.`);
  return notes;
}

export function planRestoreVm(input: Partial<RestoreVmInput> & Pick<RestoreVmInput, 'item' | 'point'>, vm: PointVm | undefined,
  facts: PlanFacts): PlanResult {
  const problems: RestoreVmProblem[] = [];
  if (!vm || (vm.hypervisor === 'files' && input.hypervisor === undefined)) {
    problems.push({ field: vm ? 'hypervisor' : 'point', code: 'INVALID_INPUT', message: vm
      ? 'This point is of a folder of disk images (Hyper-V or other), which has no configuration: choose the hypervisor to restore it for (--hypervisor), or restore its disks (labvault restore disks).'
      : 'This point records no VM (a files item, or a point made before VM items): restore its disks instead (labvault restore disks).' });
    return { plan: null, problems };
  }
  const hypervisor: RestoreHypervisor = input.hypervisor ?? (vm.hypervisor as RestoreHypervisor);
  const cross = hypervisor !== vm.hypervisor;
  const formats = HYPERVISOR_FORMATS[hypervisor];
  const format = input.format ?? formats.native;
  if (!formats.usable.includes(format)) {
    problems.push({ field: 'format', code: 'INVALID_INPUT',
      message: `${hypervisor} cannot attach ${format} disks here; use ${formats.usable.join(', ')}.` });
  }
  if (!cross && !facts.pointFiles.some((file) => file.role === 'config')) {
    problems.push({ field: 'point', code: 'NOT_FOUND', message: 'The point has no configuration file to restore the VM from; restore it for a hypervisor (--hypervisor) to generate one, or restore its disks.' });
  }
  const name = input.name?.trim() ?? '';
  if (input.name !== undefined) {
    const nameProblem = restoredVmNameProblem(name);
    if (nameProblem) problems.push({ field: 'name', code: 'INVALID_INPUT', message: nameProblem });
    else if (facts.takenNames.some((taken) => taken.toLowerCase() === name.toLowerCase())) {
      problems.push({ field: 'name', code: 'CONFLICT', message: `${hypervisor} already has a VM named "${name}"; choose another name.` });
    }
  }
  if (input.to !== undefined) {
    const folder = resolve(input.to);
    if (facts.folderState === 'file') problems.push({ field: 'to', code: 'INVALID_INPUT', message: `${folder} is a file; choose a new folder for the VM.` });
    if (facts.folderState === 'not-empty') problems.push({ field: 'to', code: 'CONFLICT', message: `${folder} is not empty; a restore never writes over anything: choose a new or empty folder.` });
  }
  const savedInPoint = vm.state === 'saved';
  const keepSaved = savedInPoint && !cross && hypervisor !== 'libvirt-qemu' && input.keepSavedState !== false;
  if (input.keepSavedState === true && !keepSaved) {
    problems.push({ field: 'keepSavedState', code: 'INVALID_INPUT', message: !savedInPoint
      ? 'The point has no saved state to keep (the VM was not saved or suspended).'
      : 'The saved state can only be kept when restoring for the point\'s own hypervisor (VirtualBox, VMware); it is dropped otherwise.' });
  }
  if (input.to === undefined || input.name === undefined || problems.some((problem) => problem.field === 'name')) {
    return { plan: null, problems };
  }
  const folder = resolve(input.to);
  const skipped = new Set((vm.skippedDisks ?? []).map((disk) => disk.path));
  const disks = vm.hardware.disks.filter((disk) => !skipped.has(disk.path)).map((disk, index) => ({
    source: disk.path, path: join(folder, diskFileName(name, index, format)), format,
    ...(disk.bus ? { bus: disk.bus } : {}),
    ...(disk.virtualSize !== undefined ? { virtualSize: disk.virtualSize } : {}),
  }));
  const configPath = join(folder, `${name}.${CONFIG_EXTENSION[hypervisor]}`);
  const hasNvram = facts.pointFiles.some((file) => file.role === 'nvram');
  const register = input.register !== false;
  const notes: string[] = [];
  if (cross) notes.push(...crossNotes(vm, hypervisor));
  notes.push('Disk chains (snapshot layers) are merged into one image per disk; the new VM has no snapshots.');
  if (savedInPoint && !keepSaved) notes.push('The saved state is dropped: the VM boots from its disks (as after a power cut).');
  if ((vm.skippedDisks ?? []).length > 0) notes.push(`Not in the point, so not restored: ${(vm.skippedDisks ?? []).map((disk) => `${disk.path} (${disk.reason})`).join('; ')}.`);
  const registerCommand = registerCommandFor(hypervisor, configPath, facts.connection);
  const registers = register && hypervisor !== 'vmware' && facts.registerTool !== null;
  if (hypervisor === 'vmware') notes.push(`VMware registers a VM when it opens its .vmx: open ${configPath} in VMware Workstation (File > Open) or run: ${shellCommand(registerCommand)}.`);
  else if (!registers) notes.push(`Not registered${register ? ` (${registerCommand[0]} is not on PATH)` : ''}: run ${shellCommand(registerCommand)}.`);
  const plan: RestoreVmPlan = {
    from: vm.hypervisor, hypervisor, name, folder, configPath, disks,
    ...(hasNvram && !cross ? { nvram: join(folder, `${name}.nvram`) } : {}),
    savedState: keepSaved, registers, registerCommand, notes,
    cliEquivalent: cliEquivalent({ ...input, name, to: folder } as RestoreVmInput, folder, hypervisor, format,
      register, keepSaved, savedInPoint),
  };
  return { plan, problems };
}
