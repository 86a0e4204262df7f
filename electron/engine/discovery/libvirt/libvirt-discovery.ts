/**
 * libvirt/QEMU: domains defined in /etc/libvirt/qemu (system) or ~/.config/libvirt/qemu
 * (session). File-backed disks get their chains from the images (libvirt's backingStore, when
 * present, cross-checks them); cdrom, floppy, block, network, volume and dir disks are listed
 * as not backed up with the reason. NVRAM, managed save image, snapshots and the run-folder
 * status decide the rest.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import type { DiscoveredVm, VmHardware } from '../discovered-vm.ts';
import { parseBoundedXml, xmlChild } from '../bounded-xml.ts';
import { readConfigText } from '../config-file.ts';
import { configPathHere } from '../discovery-paths.ts';
import type { DiscoveryContext, HypervisorDiscovery, WellKnownPlace } from '../hypervisor-discovery.ts';
import { userHomes } from '../user-homes.ts';
import { VmFileSet, idFromPath, isFileHere } from '../vm-assembly.ts';
import { type LibvirtDisk, type LibvirtDomain, readLibvirtDomain } from './libvirt-domain.ts';
import { libvirtState } from './libvirt-state.ts';

const SYSTEM_FOLDER = join('etc', 'libvirt', 'qemu');
const SESSION_FOLDER = join('.config', 'libvirt', 'qemu');
const DOMAIN_HEAD = /^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*<domain[\s>]/;
const MAX_DOMAINS = 10_000;

/** Where libvirt keeps a domain's runtime files, for the connection its config belongs to. */
interface LibvirtLayout {
  connection: string;
  runFiles: (name: string) => string[];
  saveImage: (name: string) => string;
  nvramDefault: (name: string) => string;
  snapshotFolder: (name: string) => string;
}

function layoutOf(configPath: string, ctx: DiscoveryContext): LibvirtLayout {
  const folder = dirname(configPath);
  if (folder.endsWith(sep + SYSTEM_FOLDER)) {
    const prefix = folder.slice(0, folder.length - SYSTEM_FOLDER.length);
    const state = join(prefix, 'var', 'lib', 'libvirt', 'qemu');
    return {
      connection: 'qemu:///system',
      runFiles: (name) => [join(prefix, 'run', 'libvirt', 'qemu', `${name}.xml`), join(prefix, 'run', 'libvirt', 'qemu', `${name}.pid`)],
      saveImage: (name) => join(state, 'save', `${name}.save`),
      nvramDefault: (name) => join(state, 'nvram', `${name}_VARS.fd`),
      snapshotFolder: (name) => join(state, 'snapshot', name),
    };
  }
  const runtime = ctx.root === undefined && ctx.env.XDG_RUNTIME_DIR ? join(ctx.env.XDG_RUNTIME_DIR, 'libvirt', 'qemu', 'run') : null;
  return {
    connection: 'qemu:///session',
    runFiles: (name) => (runtime === null ? [] : [join(runtime, `${name}.xml`), join(runtime, `${name}.pid`)]),
    saveImage: (name) => join(folder, 'save', `${name}.save`),
    nvramDefault: (name) => join(folder, 'nvram', `${name}_VARS.fd`),
    snapshotFolder: (name) => join(folder, 'snapshot', name),
  };
}

const NOT_BACKED_UP: Record<string, string> = {
  block: 'block device: a host device, not a file; back it up on the host',
  network: 'network disk: its data lives on a storage server (rbd, iSCSI, NBD, ...)',
  volume: 'storage pool volume: name the volume\'s file to back it up',
  dir: 'directory shared as a disk (vvfat)',
  nvme: 'host NVMe device passed through',
};

async function readDisk(disk: LibvirtDisk, folder: string, set: VmFileSet, ctx: DiscoveryContext): Promise<void> {
  const label = `${disk.device} ${disk.target ?? '?'}`;
  if (disk.device === 'cdrom' || disk.device === 'floppy') {
    if (disk.source !== undefined) {
      const path = disk.type === 'file' ? configPathHere(disk.source, folder, ctx.root) : disk.source;
      set.ignoredDevices.push({ device: label, path, reason: 'removable media (ISO or floppy image) is not backed up with the VM' });
    }
    return;
  }
  if (disk.type !== 'file') {
    const entry = { device: label, reason: NOT_BACKED_UP[disk.type] ?? `${disk.type} disk: not a file` };
    set.ignoredDevices.push(disk.source !== undefined ? { ...entry, path: disk.source } : entry);
    return;
  }
  if (disk.source === undefined) return;
  const chain = [disk.source, ...disk.backingStore].map((written) => configPathHere(written, folder, ctx.root));
  const registryParents = new Map<string, string>();
  for (let i = 0; i + 1 < chain.length; i += 1) registryParents.set(chain[i] as string, chain[i + 1] as string);
  const extra = disk.bus !== undefined ? { bus: disk.bus } : {};
  await set.addDisk(chain[0] as string, { root: ctx.root, registryParents }, extra);
}

async function readSnapshots(folder: string): Promise<NonNullable<DiscoveredVm['snapshots']>> {
  const names = await readdir(folder).catch(() => [] as string[]);
  const snapshots: NonNullable<DiscoveredVm['snapshots']> = [];
  for (const name of names.filter((entry) => entry.endsWith('.xml')).sort().slice(0, 1000)) {
    const path = join(folder, name);
    try {
      const document = parseBoundedXml(await readConfigText(path), path);
      const snapshotName = xmlChild(document, 'name')?.text;
      if (document.name !== 'domainsnapshot' || snapshotName === undefined) continue;
      const snapshot: (typeof snapshots)[number] = { name: snapshotName, current: xmlChild(document, 'active')?.text === '1' };
      const parent = xmlChild(xmlChild(document, 'parent'), 'name')?.text;
      if (parent !== undefined) snapshot.parent = parent;
      snapshots.push(snapshot);
    } catch {
      // an unreadable snapshot description does not hide the domain
    }
  }
  return snapshots;
}

function hardwareOf(domain: LibvirtDomain, set: VmFileSet): VmHardware {
  const hardware: VmHardware = {
    firmware: domain.firmware,
    disks: set.disks.map((disk) => ({ path: disk.path, ...(disk.bus ? { bus: disk.bus } : {}),
      ...(disk.virtualSize !== undefined ? { virtualSize: disk.virtualSize } : {}) })),
    nics: domain.nics,
  };
  if (domain.vcpus !== undefined) hardware.cpus = domain.vcpus;
  if (domain.memoryMiB !== undefined) hardware.memoryMiB = domain.memoryMiB;
  if (domain.osType !== undefined) hardware.guestOs = domain.osType;
  return hardware;
}

async function readLibvirtVm(configPath: string, ctx: DiscoveryContext): Promise<DiscoveredVm> {
  const domain = readLibvirtDomain(parseBoundedXml(await readConfigText(configPath), configPath), configPath);
  const folder = dirname(configPath);
  const layout = layoutOf(configPath, ctx);
  const set = new VmFileSet(configPath);
  for (const disk of domain.disks) await readDisk(disk, folder, set, ctx);
  let nvram = domain.nvram !== undefined ? configPathHere(domain.nvram, folder, ctx.root) : undefined;
  if (nvram === undefined && domain.firmware === 'efi' && (await isFileHere(layout.nvramDefault(domain.name)))) {
    nvram = layout.nvramDefault(domain.name);
  }
  if (nvram !== undefined) await set.addFile(nvram);
  const { state, stateEvidence } = await libvirtState({
    name: domain.name, connection: layout.connection, runFiles: layout.runFiles(domain.name),
    saveImage: layout.saveImage(domain.name), root: ctx.root, env: ctx.env,
  });
  const vm: DiscoveredVm = {
    name: domain.name, id: domain.uuid ?? idFromPath(configPath), hypervisor: 'libvirt-qemu', configPath, state,
    stateEvidence, ...set.parts(), hardware: hardwareOf(domain, set),
  };
  if (await isFileHere(layout.saveImage(domain.name))) {
    vm.savedState = [layout.saveImage(domain.name)];
    vm.files.push(layout.saveImage(domain.name));
  }
  if (nvram !== undefined) vm.nvram = nvram;
  const snapshots = await readSnapshots(layout.snapshotFolder(domain.name));
  if (snapshots.length > 0) vm.snapshots = snapshots;
  return vm;
}

async function libvirtPlaces(ctx: DiscoveryContext): Promise<WellKnownPlace[]> {
  const system = ctx.root === undefined ? resolve(sep, SYSTEM_FOLDER) : join(ctx.root, SYSTEM_FOLDER);
  const places: WellKnownPlace[] = [{ path: system, kind: 'libvirt-domains' }];
  for (const home of await userHomes(ctx)) places.push({ path: join(home, SESSION_FOLDER), kind: 'libvirt-domains' });
  return places;
}

/** The domain XML files of a libvirt qemu folder (…/libvirt/qemu); null for any other path. */
async function domainFilesAt(path: string): Promise<string[] | null> {
  const stats = await stat(path).catch(() => null);
  if (!stats?.isDirectory() || !path.endsWith(join('libvirt', 'qemu'))) return null;
  const names = await readdir(path).catch(() => [] as string[]);
  return names.filter((name) => extname(name) === '.xml').sort().slice(0, MAX_DOMAINS).map((name) => join(path, name));
}

export const libvirtDiscovery: HypervisorDiscovery = {
  hypervisor: 'libvirt-qemu',
  wellKnownPlaces: libvirtPlaces,
  configsAt: domainFilesAt,
  isConfig: (configPath, head) => extname(configPath).toLowerCase() === '.xml' && DOMAIN_HEAD.test(head),
  readConfig: readLibvirtVm,
};

