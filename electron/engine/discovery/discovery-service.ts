/**
 * The discovery entry points: every VM in the well-known places of this OS (or in the
 * places a user names), and one VM from its config file. Discovery only reads.
 *
 * - discoverVms({ paths?, root? }): the VMs, each with `sharedWith` filled across the list;
 * - discoverVmsReport(...): the same with the problems met on the way (an unreadable config
 *   does not hide the other VMs);
 * - readVm(configPath): one VM (a .vbox, .vmx, libvirt domain .xml, or a folder of images
 *   as a "files" VM), as it is now: what a VM item re-reads at every backup.
 */
import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCodes, LabvaultError, isLabvaultError } from '../../../shared/errors.ts';
import type { DiscoveredVm } from './discovered-vm.ts';
import { filesVmFolder, readFilesVm } from './files/files-discovery.ts';
import { configModuleOf, scanFolder } from './folder-scan.ts';
import type { DiscoveryContext, HypervisorDiscovery } from './hypervisor-discovery.ts';
import { hypervisorModules } from './hypervisor-modules.ts';

export interface DiscoverOptions {
  /** Places to look (a registry home, an inventory, a domain folder, any folder); default: the well-known places. */
  paths?: string[];
  /** Another machine's disk mounted at this folder: look in its well-known places and map config paths under it. */
  root?: string;
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface DiscoveryProblem {
  path: string;
  code: string;
  message: string;
}

export interface DiscoveryReport {
  vms: DiscoveredVm[];
  problems: DiscoveryProblem[];
}

function contextOf(options: DiscoverOptions): DiscoveryContext {
  const ctx: DiscoveryContext = { env: options.env ?? process.env };
  if (options.root !== undefined) ctx.root = resolve(options.root);
  return ctx;
}

function problemOf(path: string, error: unknown): DiscoveryProblem {
  if (isLabvaultError(error)) return { path, code: error.code, message: error.message };
  return { path, code: ErrorCodes.INTERNAL, message: error instanceof Error ? error.message : String(error) };
}

interface Found {
  configs: { path: string; module: HypervisorDiscovery }[];
  imageFolders: string[];
}

function configsOf(module: HypervisorDiscovery, paths: string[]): Found['configs'] {
  return paths.map((path) => ({ path, module }));
}

/** What one named place holds: a config file, a hypervisor's list, or a folder to scan. */
async function findAt(path: string, ctx: DiscoveryContext, found: Found, problems: DiscoveryProblem[]): Promise<void> {
  const stats = await stat(path).catch(() => null);
  if (stats === null) {
    problems.push({ path, code: ErrorCodes.NOT_FOUND, message: `${path} does not exist.` });
    return;
  }
  const modules = hypervisorModules();
  if (stats.isFile()) {
    const module = await configModuleOf(path, modules);
    if (module) { found.configs.push({ path, module }); return; }
  }
  for (const module of modules) {
    try {
      const configs = await module.configsAt(path, ctx);
      if (configs !== null) { found.configs.push(...configsOf(module, configs)); return; }
    } catch (error) {
      problems.push(problemOf(path, error));
      return;
    }
  }
  if (!stats.isDirectory()) {
    problems.push({ path, code: ErrorCodes.INVALID_INPUT,
      message: `${path} is not a VM configuration (.vbox, .vmx, libvirt domain .xml), a VirtualBox.xml, an inventory.vmls or a folder.` });
    return;
  }
  const scan = await scanFolder(path, modules);
  found.configs.push(...scan.configs);
  found.imageFolders.push(...scan.imageFolders);
  if (scan.truncated) {
    problems.push({ path, code: ErrorCodes.INVALID_INPUT, message: `${path}: the scan stopped at its depth or entry limit; name a deeper folder.` });
  }
}

async function wellKnown(ctx: DiscoveryContext, found: Found, problems: DiscoveryProblem[]): Promise<void> {
  for (const module of hypervisorModules()) {
    for (const place of await module.wellKnownPlaces(ctx)) {
      if ((await stat(place.path).catch(() => null)) === null) continue;
      try {
        const configs = await module.configsAt(place.path, ctx);
        if (configs !== null) found.configs.push(...configsOf(module, configs));
      } catch (error) {
        problems.push(problemOf(place.path, error));
      }
    }
  }
}

/** Files that appear in the chains of several VMs (a golden base image), per VM. */
export function markSharedFiles(vms: DiscoveredVm[]): void {
  const owners = new Map<string, string[]>();
  for (const vm of vms) {
    for (const file of new Set(vm.files)) owners.set(file, [...(owners.get(file) ?? []), vm.name]);
  }
  for (const vm of vms) {
    const shared = vm.files.filter((file) => (owners.get(file)?.length ?? 0) > 1)
      .map((file) => ({ path: file, vms: (owners.get(file) ?? []).filter((name) => name !== vm.name) }));
    if (shared.length > 0) vm.sharedWith = shared;
    else delete vm.sharedWith;
  }
}

export async function discoverVmsReport(options: DiscoverOptions = {}): Promise<DiscoveryReport> {
  const ctx = contextOf(options);
  const found: Found = { configs: [], imageFolders: [] };
  const problems: DiscoveryProblem[] = [];
  if (options.paths !== undefined && options.paths.length > 0) {
    for (const path of options.paths) await findAt(resolve(path), ctx, found, problems);
  } else {
    await wellKnown(ctx, found, problems);
  }
  const vms: DiscoveredVm[] = [];
  const seen = new Set<string>();
  for (const { path, module } of found.configs) {
    const real = await realpath(path).catch(() => path);
    if (seen.has(real)) continue;
    seen.add(real);
    try {
      vms.push(await module.readConfig(path, ctx));
    } catch (error) {
      problems.push(problemOf(path, error));
    }
  }
  const claimed = new Set(vms.flatMap((vm) => vm.files));
  for (const folder of [...new Set(found.imageFolders.map(filesVmFolder))]) {
    try {
      const vm = await readFilesVm(folder, ctx, claimed);
      if (vm.disks.length > 0) vms.push(vm);
    } catch (error) {
      problems.push(problemOf(folder, error));
    }
  }
  markSharedFiles(vms);
  return { vms, problems };
}

export async function discoverVms(options: DiscoverOptions = {}): Promise<DiscoveredVm[]> {
  return (await discoverVmsReport(options)).vms;
}

/** One VM from its config file (or a folder of images). NOT_FOUND / INVALID_INPUT naming the file. */
export async function readVm(configPath: string, options: Omit<DiscoverOptions, 'paths'> = {}): Promise<DiscoveredVm> {
  const ctx = contextOf(options);
  const path = resolve(configPath);
  const stats = await stat(path).catch(() => null);
  if (stats === null) {
    throw new LabvaultError(ErrorCodes.NOT_FOUND, `${path}: no such VM configuration file or folder.`, { field: 'config', details: { file: path } });
  }
  if (stats.isDirectory()) return readFilesVm(path, ctx);
  const module = await configModuleOf(path, hypervisorModules());
  if (module === null) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT,
      `${path} is not a VM configuration this app reads (.vbox, .vmx, libvirt domain .xml); name a folder to take its disk images as a "files" VM.`,
      { field: 'config', details: { file: path } });
  }
  return module.readConfig(path, ctx);
}
