/**
 * The paths a user gives to protect, tried as a new user would give them: a folder, a
 * pattern, a quoted path pasted from a shell, a lone VM configuration. A configuration (or a
 * folder holding exactly one VM's configuration) resolves to the VM, so the item gets every
 * file of it; the others are refused with what to do instead. Nothing is guessed silently.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { DiscoveredVm } from '../discovery/discovered-vm.ts';
import { detectFileRole } from './file-role.ts';
import type { VmDiscovery } from './vm-source.ts';

export type ResolvedProtectPaths =
  | { kind: 'files'; paths: string[]; notes: string[] }
  | { kind: 'vm'; configPath: string; notes: string[] };

const PATTERN = /[*?[\]{}]/;
const QUOTED = /^\s*(['"`\u2018\u2019\u201c\u201d])(.*)(['"`\u2018\u2019\u201c\u201d])\s*$/s;

function refuse(message: string, path: string): never {
  throw new LabvaultError(ErrorCodes.INVALID_INPUT, message, { field: 'files', details: { path } });
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

/** A path pasted with its quotes, or a pattern the shell did not expand: refused with the fix. */
async function checkLiteral(raw: string, cwd: string): Promise<void> {
  const absolute = resolve(cwd, raw);
  if (await exists(absolute)) return;
  const quoted = QUOTED.exec(raw);
  if (quoted) {
    const inner = (quoted[2] ?? '').trim();
    const meant = resolve(cwd, inner);
    const where = isAbsolute(inner) ? meant : `${meant} (resolved against the server's working folder ${cwd})`;
    refuse(`"${raw}" includes quote characters, which are taken as part of the name here and no such file exists. `
      + `Without them it is ${where}${await exists(meant) ? ', which exists' : ', which does not exist either'}: `
      + 'give the path without quotes.', raw);
  }
  if (PATTERN.test(raw)) {
    refuse(`"${raw}" is a pattern: Labvault takes file names, not patterns (a shell expands them only when they match). `
      + 'Name each file, or protect the whole VM from its configuration with --vm CONFIG_PATH.', raw);
  }
}

function vmLine(vm: DiscoveredVm): string {
  return `"${vm.name}" (${vm.hypervisor}): labvault protect --vault VAULT --vm "${vm.configPath}"`;
}

/** A folder: the one VM configured inside it, else refused with what it holds. */
async function folderVm(folder: string, vms: VmDiscovery): Promise<DiscoveredVm> {
  const found = await vms.discoverVms({ paths: [folder] }).catch(() => [] as DiscoveredVm[]);
  const configured = found.filter((vm) => vm.hypervisor !== 'files');
  if (configured.length === 1) return configured[0] as DiscoveredVm;
  if (configured.length > 1) {
    refuse(`${folder} is a folder holding ${configured.length} VMs; an item protects one VM. Protect each: `
      + `${configured.map(vmLine).join('; ')}.`, folder);
  }
  const images = found.flatMap((vm) => vm.disks.map((disk) => disk.path)).slice(0, 8);
  refuse(`${folder} is a folder: choose the VM files inside it${images.length > 0
    ? ` (it holds disk images but no VM configuration: ${images.join(', ')})` : ' (it holds no VM configuration)'}, `
    + 'or give the VM\'s configuration file with --vm.', folder);
}

/** Resolves what the user gave; refuses (INVALID_INPUT) what cannot be meant literally. */
export async function resolveProtectPaths(rawPaths: string[], vms: VmDiscovery,
  cwd: string = process.cwd()): Promise<ResolvedProtectPaths> {
  const notes: string[] = [];
  const paths: string[] = [];
  let vm: DiscoveredVm | null = null;
  let vmFrom = '';
  for (const raw of rawPaths) {
    await checkLiteral(raw, cwd);
    const path = resolve(cwd, raw);
    if (!isAbsolute(raw)) notes.push(`${raw} was taken as ${path} (relative to the server's working folder ${cwd}).`);
    const info = await stat(path).catch(() => null);
    let found: DiscoveredVm | null = null;
    if (info?.isDirectory()) {
      found = await folderVm(path, vms);
      notes.push(`${path} is a folder holding the VM "${found.name}": protecting that VM with all its files.`);
    } else if (info?.isFile() && (await detectFileRole(path, info.size).catch(() => null))?.role === 'config') {
      if (await vms.isVmConfig(path)) {
        found = await vms.readVm(path);
        notes.push(`${path} is the configuration of VM "${found.name}": protecting the VM with all its files `
          + '(its disks with every layer, NVRAM and saved state), followed at each backup.');
      } else {
        notes.push(`${path} looks like a VM configuration of a kind Labvault does not read as a VM: `
          + 'it is protected as a plain file with the files you named.');
      }
    }
    if (found) {
      if (vm && vm.configPath !== found.configPath) {
        refuse(`${vmFrom} and ${raw} belong to two VMs ("${vm.name}", "${found.name}"); an item protects one VM.`, raw);
      }
      vm = found;
      vmFrom = raw;
    } else {
      paths.push(path);
    }
  }
  if (!vm) return { kind: 'files', paths, notes };
  const own = new Set(vm.files.map((file) => resolve(file)));
  const foreign = paths.filter((path) => !own.has(path));
  if (foreign.length > 0) {
    refuse(`${foreign.join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not part of VM "${vm.name}" (${vm.configPath}): `
      + 'protect it as an item of its own.', foreign[0] as string);
  }
  return { kind: 'vm', configPath: vm.configPath, notes };
}
