/**
 * VirtualBox: the global registry (VirtualBox.xml: MachineRegistry, and the MediaRegistry of
 * versions before 4.0) in VBOX_USER_HOME or the per-OS folder, and each machine's settings
 * file. State comes from the settings file and is confirmed by VBoxManage when it is on PATH.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { DiscoveredVm, VmHardware } from '../discovered-vm.ts';
import { parseBoundedXml, xmlAttr, xmlChild, xmlChildren } from '../bounded-xml.ts';
import { readConfigText } from '../config-file.ts';
import { configPathHere } from '../discovery-paths.ts';
import type { DiscoveryContext, HypervisorDiscovery, WellKnownPlace } from '../hypervisor-discovery.ts';
import { userHomes } from '../user-homes.ts';
import { VmFileSet, isFileHere } from '../vm-assembly.ts';
import { type GlobalMedia, type VboxMachine, type VboxMedium, readVboxMachine } from './vbox-settings.ts';
import { stateFromVboxFile, confirmVboxState } from './virtualbox-state.ts';

const REGISTRY_FILE = 'VirtualBox.xml';

interface VboxRegistry {
  file: string;
  /** Machine settings files, as paths here. */
  machines: string[];
  /** The global media registry (VirtualBox before 4.0). */
  media?: GlobalMedia;
}

async function readRegistry(file: string, ctx: DiscoveryContext): Promise<VboxRegistry | null> {
  const document = parseBoundedXml(await readConfigText(file), file);
  const global = xmlChild(document, 'Global');
  if (document.name !== 'VirtualBox' || global === undefined) return null;
  const home = dirname(file);
  const machines = xmlChildren(xmlChild(global, 'MachineRegistry'), 'MachineEntry')
    .map((entry) => xmlAttr(entry, 'src'))
    .filter((src): src is string => src !== undefined && src !== '')
    .map((src) => configPathHere(src, home, ctx.root));
  const registry: VboxRegistry = { file, machines };
  const media = xmlChild(global, 'MediaRegistry');
  if (media) registry.media = { registry: media, home };
  return registry;
}

async function registryFileAt(path: string): Promise<string | null> {
  const stats = await stat(path).catch(() => null);
  if (stats?.isFile() && basename(path) === REGISTRY_FILE) return path;
  if (stats?.isDirectory() && (await isFileHere(join(path, REGISTRY_FILE)))) return join(path, REGISTRY_FILE);
  return null;
}

async function homesOf(ctx: DiscoveryContext): Promise<WellKnownPlace[]> {
  const places: WellKnownPlace[] = [];
  if (ctx.root === undefined && ctx.env.VBOX_USER_HOME) places.push({ path: resolve(ctx.env.VBOX_USER_HOME), kind: 'virtualbox-home' });
  for (const home of await userHomes(ctx)) {
    const folders = ctx.root !== undefined
      ? ['.config/VirtualBox', 'Library/VirtualBox', '.VirtualBox']
      : { linux: ['.config/VirtualBox'], darwin: ['Library/VirtualBox'], win32: [] }[process.platform as string] ?? [];
    for (const folder of [...folders, ...(ctx.root === undefined ? ['.VirtualBox'] : [])]) {
      places.push({ path: join(home, folder), kind: 'virtualbox-home' });
    }
  }
  return places;
}

/** The global media registry that lists this machine (settings older than 4.0 keep media there). */
async function globalMediaFor(configPath: string, ctx: DiscoveryContext): Promise<GlobalMedia | undefined> {
  const candidates = [join(dirname(dirname(dirname(configPath))), REGISTRY_FILE), ...(await homesOf(ctx))
    .map((place) => join(place.path, REGISTRY_FILE))];
  for (const candidate of [...new Set(candidates)]) {
    if (!(await isFileHere(candidate))) continue;
    const registry = await readRegistry(candidate, ctx).catch(() => null);
    if (registry?.media && registry.machines.includes(configPath)) return registry.media;
  }
  return undefined;
}

function needsGlobalMedia(machine: VboxMachine): boolean {
  const attached = [...machine.attachments, ...machine.snapshots.flatMap((snapshot) => snapshot.attachments)];
  return attached.some(({ mediumUuid }) => mediumUuid !== undefined && !machine.media.has(mediumUuid));
}

async function readMachine(configPath: string, ctx: DiscoveryContext): Promise<VboxMachine> {
  const document = parseBoundedXml(await readConfigText(configPath), configPath);
  let machine = readVboxMachine(document, configPath);
  if (needsGlobalMedia(machine)) {
    const media = await globalMediaFor(configPath, ctx);
    if (media) machine = readVboxMachine(document, configPath, media);
  }
  return machine;
}

async function readVirtualBoxVm(configPath: string, ctx: DiscoveryContext): Promise<DiscoveredVm> {
  const machine = await readMachine(configPath, ctx);
  const folder = dirname(configPath);
  const here = (written: string): string => configPathHere(written, folder, ctx.root);
  const located = (medium: VboxMedium): string => configPathHere(medium.location, medium.baseDir ?? folder, ctx.root);
  const registryParents = new Map<string, string>();
  for (const medium of machine.media.values()) {
    const parent = medium.parent !== undefined ? machine.media.get(medium.parent) : undefined;
    if (parent) registryParents.set(located(medium), located(parent));
  }
  const chainOptions = { root: ctx.root, registryParents };
  const set = new VmFileSet(configPath);
  set.notes.push(`settings version ${machine.settingsVersion}`);
  for (const attachment of machine.attachments) {
    const medium = attachment.mediumUuid !== undefined ? machine.media.get(attachment.mediumUuid) : undefined;
    const where = `${attachment.controller} port ${attachment.port} device ${attachment.device}`;
    if (attachment.type === 'HardDisk') {
      if (medium === undefined) {
        set.ignoredDevices.push({ device: `disk on ${where}`, reason: `medium {${attachment.mediumUuid ?? '?'}} is not in any media registry` });
        continue;
      }
      const extra = medium.type === 'Immutable' ? { reason: 'immutable disk: VirtualBox resets it at every start' } : {};
      await set.addDisk(located(medium), chainOptions, { bus: attachment.bus, ...extra });
    } else if (attachment.hostDrive !== undefined) {
      set.ignoredDevices.push({ device: `${attachment.type.toLowerCase()} on ${where}`, path: attachment.hostDrive,
        reason: 'host drive passthrough: the host\'s drive is not part of the VM' });
    } else if (medium !== undefined) {
      set.ignoredDevices.push({ device: `${attachment.type.toLowerCase()} on ${where}`, path: located(medium),
        reason: 'removable media (ISO or floppy image) is not backed up with the VM' });
    }
  }
  const currentLayers = new Set(set.fileList());
  for (const snapshot of machine.snapshots) {
    for (const attachment of snapshot.attachments) {
      const medium = attachment.mediumUuid !== undefined ? machine.media.get(attachment.mediumUuid) : undefined;
      if (attachment.type !== 'HardDisk' || medium === undefined || currentLayers.has(located(medium))) continue;
      await set.addLayers(located(medium), chainOptions);
    }
    if (snapshot.stateFile !== undefined) await set.addFile(here(snapshot.stateFile));
    if (snapshot.nvram !== undefined) await set.addFile(here(snapshot.nvram));
  }
  let nvram = machine.nvram !== undefined ? here(machine.nvram) : undefined;
  if (nvram === undefined && machine.firmware === 'efi' && (await isFileHere(join(folder, `${machine.name}.nvram`)))) {
    nvram = join(folder, `${machine.name}.nvram`);
  }
  if (nvram !== undefined) await set.addFile(nvram);
  const stateFile = machine.stateFile !== undefined ? here(machine.stateFile) : undefined;
  if (stateFile !== undefined) await set.addFile(stateFile);
  const fromFile = stateFromVboxFile(machine);
  const { state, stateEvidence } = ctx.root === undefined
    ? await confirmVboxState(machine, fromFile, ctx.env)
    : { state: fromFile.state === 'poweroff-or-running' ? 'poweroff' as const : fromFile.state,
      stateEvidence: `${fromFile.evidence}; on another machine's disk (--root), so not running here` };
  const hardware: VmHardware = {
    disks: set.disks.map((disk) => ({ path: disk.path, ...(disk.bus ? { bus: disk.bus } : {}),
      ...(disk.virtualSize !== undefined ? { virtualSize: disk.virtualSize } : {}) })),
    nics: machine.nics,
  };
  if (machine.cpus !== undefined) hardware.cpus = machine.cpus;
  if (machine.memoryMiB !== undefined) hardware.memoryMiB = machine.memoryMiB;
  if (machine.firmware !== undefined) hardware.firmware = machine.firmware;
  if (machine.osType !== undefined) hardware.guestOs = machine.osType;
  const vm: DiscoveredVm = {
    name: machine.name, id: machine.uuid, hypervisor: 'virtualbox', configPath, state, stateEvidence,
    ...set.parts(), hardware,
    snapshots: machine.snapshots.map((snapshot) => ({
      name: snapshot.name, id: snapshot.uuid, current: snapshot.uuid === machine.currentSnapshot,
      ...(snapshot.parent !== undefined ? { parent: snapshot.parent } : {}),
    })),
  };
  if (nvram !== undefined) vm.nvram = nvram;
  if (stateFile !== undefined && state === 'saved') vm.savedState = [stateFile];
  return vm;
}

export const virtualBoxDiscovery: HypervisorDiscovery = {
  hypervisor: 'virtualbox',
  wellKnownPlaces: homesOf,
  async configsAt(path, ctx) {
    const file = await registryFileAt(path);
    if (file === null) return null;
    const registry = await readRegistry(file, ctx);
    return registry === null ? null : registry.machines;
  },
  isConfig(configPath, head) {
    const ext = extname(configPath).toLowerCase();
    if (ext === '.vbox') return true;
    return ext === '.xml' && /<(\w+:)?VirtualBox[\s>]/.test(head) && /<(\w+:)?Machine[\s>]/.test(head);
  },
  readConfig: readVirtualBoxVm,
};

