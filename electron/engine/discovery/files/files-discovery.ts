/**
 * Any folder of disk images as a "files" VM (Hyper-V's .vhdx + .avhdx chains and .vmgs,
 * or images no hypervisor config names). Each top layer is a disk; a layer that is the
 * parent of another image, or an extent of a multi-file VMDK, is part of that disk's chain.
 * No hypervisor says whether the VM runs, so the state is unknown.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import type { DiscoveredVm } from '../discovered-vm.ts';
import { resolveDiskChain, type ResolvedChain } from '../disk-chain.ts';
import type { DiscoveryContext } from '../hypervisor-discovery.ts';
import { VmFileSet, idFromPath } from '../vm-assembly.ts';

export const DISK_IMAGE_EXTENSIONS = new Set(['.vhdx', '.avhdx', '.vhd', '.avhd', '.vmdk', '.qcow2', '.qcow', '.vdi', '.img', '.raw']);
const MAX_IMAGES_PER_FOLDER = 1000;

export function isDiskImageName(name: string): boolean {
  return DISK_IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
}

/** Hyper-V keeps disks in "Virtual Hard Disks" and configuration and state in "Virtual Machines". */
export const HYPERV_DISK_FOLDER = 'Virtual Hard Disks';
const HYPERV_CONFIG_FOLDER = 'Virtual Machines';
const STATE_EXTENSIONS = ['.vmgs', '.vmcx', '.vmrs'];

/** The folder a "files" VM is named after: a Hyper-V VM's folder for its "Virtual Hard Disks". */
export function filesVmFolder(imageFolder: string): string {
  return basename(imageFolder) === HYPERV_DISK_FOLDER ? dirname(imageFolder) : imageFolder;
}

async function filesIn(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  const names = entries.filter((entry) => entry.isFile()).map((entry) => entry.name).sort();
  return names.slice(0, 10 * MAX_IMAGES_PER_FOLDER).map((name) => join(folder, name));
}

async function requireFolder(folder: string): Promise<void> {
  const stats = await stat(folder).catch(() => null);
  if (!stats?.isDirectory()) {
    throw new LabvaultError(ErrorCodes.NOT_FOUND, `${folder} is not a folder of disk images.`, { field: 'path', details: { folder } });
  }
}

/** The "files" VM of `folder`, leaving out files in `claimed` (already part of a hypervisor's VM). */
export async function readFilesVm(
  folderPath: string, ctx: DiscoveryContext, claimed: ReadonlySet<string> = new Set(),
): Promise<DiscoveredVm> {
  const folder = resolve(folderPath);
  await requireFolder(folder);
  const files = [...(await filesIn(folder)), ...(await filesIn(join(folder, HYPERV_DISK_FOLDER)))];
  const images = files.filter((path) => isDiskImageName(path) && !claimed.has(path)).slice(0, MAX_IMAGES_PER_FOLDER);
  const chains = new Map<string, ResolvedChain>();
  for (const image of images) chains.set(image, await resolveDiskChain(image, { root: ctx.root }));
  const below = new Set<string>();
  for (const [image, chain] of chains) {
    for (const file of chain.files) if (file !== image) below.add(await realpath(file).catch(() => file));
  }
  const set = new VmFileSet(folder);
  for (const image of chains.keys()) {
    if (below.has(await realpath(image).catch(() => image))) continue;
    await set.addDisk(image, { root: ctx.root });
  }
  const stateFiles = [...files, ...(await filesIn(join(folder, HYPERV_CONFIG_FOLDER)))]
    .filter((path) => STATE_EXTENSIONS.includes(extname(path).toLowerCase()) && !claimed.has(path));
  const ofKind = (ext: string): string[] => stateFiles.filter((path) => extname(path).toLowerCase() === ext);
  const [vmgs, vmcx, vmrs] = [ofKind('.vmgs'), ofKind('.vmcx'), ofKind('.vmrs')];
  for (const file of [...vmgs, ...vmcx, ...vmrs]) await set.addFile(file);
  if (vmcx.length > 0) set.notes.push('Hyper-V configuration (.vmcx) kept with the files; it is not read');
  const parts = set.parts();
  const vm: DiscoveredVm = {
    name: basename(folder), id: idFromPath(folder), hypervisor: 'files', configPath: folder, state: 'unknown',
    stateEvidence: 'a folder of disk images: no hypervisor config says whether a VM runs on them',
    ...parts, files: parts.files.filter((file) => file !== folder),
    hardware: { disks: set.disks.map((disk) => ({ path: disk.path,
      ...(disk.virtualSize !== undefined ? { virtualSize: disk.virtualSize } : {}) })), nics: [] },
  };
  if (vmgs[0] !== undefined) vm.nvram = vmgs[0];
  if (vmrs.length > 0) vm.savedState = vmrs;
  return vm;
}
