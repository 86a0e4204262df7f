/**
 * VMware Workstation / Player / Fusion: VMs listed by the inventory and the preferences' MRU
 * list, each read from its .vmx: disks on scsi/sata/nvme/ide (present, device type,
 * independent modes) with their delta chains from the VMDK reader (parentFileNameHint), the
 * snapshot list (.vmsd), NVRAM, the suspend image (.vmss + .vmem) and lock folders.
 */
import { basename, dirname, extname, join } from 'node:path';
import type { DiscoveredVm, VmHardware, VmNic } from '../discovered-vm.ts';
import { readConfigText } from '../config-file.ts';
import { configPathHere } from '../discovery-paths.ts';
import type { DiscoveryContext, HypervisorDiscovery } from '../hypervisor-discovery.ts';
import { VmFileSet, idFromPath, isFileHere } from '../vm-assembly.ts';
import { vmwarePlaces, vmxPathsAt } from './vmware-places.ts';
import { vmwareState } from './vmware-state.ts';
import { parseVmxText, vmxBoolean, vmxInteger, vmwareUuid } from './vmx-file.ts';

const DISK_KEY = /^(scsi|sata|nvme|ide)(\d+):(\d+)\.filename$/;
const CDROM_TYPES = /^(cdrom-image|cdrom-raw|atapi-cdrom)$/i;
const RAW_TYPES = /^(rawdisk|plaindisk|scsi-passthru)$/i;

interface VmxContext {
  entries: Map<string, string>;
  folder: string;
  here: (written: string) => string;
}

async function readDevices(vmx: VmxContext, set: VmFileSet, ctx: DiscoveryContext): Promise<void> {
  const keys = [...vmx.entries.keys()].filter((key) => DISK_KEY.test(key)).sort();
  for (const key of keys) {
    const [, bus, controller, unit] = DISK_KEY.exec(key) as RegExpExecArray;
    const device = `${bus}${controller}:${unit}`;
    if (vmxBoolean(vmx.entries, `${bus}${controller}.present`) === false) continue;
    if (vmxBoolean(vmx.entries, `${device}.present`) === false) continue;
    const written = vmx.entries.get(key) ?? '';
    const deviceType = vmx.entries.get(`${device}.devicetype`) ?? '';
    if (CDROM_TYPES.test(deviceType) || written.toLowerCase().endsWith('.iso')) {
      if (written !== '' && written.toLowerCase() !== 'auto detect') {
        set.ignoredDevices.push({ device: `cdrom ${device}`, path: deviceType === 'cdrom-raw' ? written : vmx.here(written),
          reason: 'removable media (ISO or host drive) is not backed up with the VM' });
      }
      continue;
    }
    if (RAW_TYPES.test(deviceType)) {
      set.ignoredDevices.push({ device: `disk ${device}`, path: written, reason: `${deviceType}: a host device, not a file` });
      continue;
    }
    const mode = (vmx.entries.get(`${device}.mode`) ?? '').toLowerCase();
    const extra = mode === 'independent-nonpersistent'
      ? { backupable: false, reason: 'independent-nonpersistent: VMware discards its changes at power off' }
      : {};
    const disk = await set.addDisk(vmx.here(written), { root: ctx.root }, { bus, ...extra });
    if (mode === 'independent-nonpersistent') disk.backupable = false;
    if (mode === 'independent-persistent') set.notes.push(`${device} is independent-persistent: VMware snapshots do not cover it`);
  }
  for (const floppy of ['floppy0', 'floppy1']) {
    const written = vmx.entries.get(`${floppy}.filename`);
    if (written === undefined || vmxBoolean(vmx.entries, `${floppy}.present`) === false) continue;
    set.ignoredDevices.push({ device: floppy, path: vmx.here(written), reason: 'floppy image is not backed up with the VM' });
  }
}

function nicsOf(entries: Map<string, string>): VmNic[] {
  const nics: VmNic[] = [];
  for (let index = 0; index < 10; index += 1) {
    const prefix = `ethernet${index}`;
    if (vmxBoolean(entries, `${prefix}.present`) !== true) continue;
    const nic: VmNic = {};
    const model = entries.get(`${prefix}.virtualdev`);
    const mac = entries.get(`${prefix}.address`) ?? entries.get(`${prefix}.generatedaddress`);
    const attachment = entries.get(`${prefix}.connectiontype`);
    if (model !== undefined) nic.model = model;
    if (mac !== undefined) nic.mac = mac.toLowerCase();
    nic.attachment = attachment ?? 'bridged';
    nics.push(nic);
  }
  return nics;
}

/** Snapshots of the .vmsd and the files they keep (.vmsn, disks of other branches). */
async function readSnapshots(vmx: VmxContext, vmxPath: string, set: VmFileSet, ctx: DiscoveryContext): Promise<DiscoveredVm['snapshots']> {
  const vmsd = join(vmx.folder, `${basename(vmxPath, extname(vmxPath))}.vmsd`);
  if (!(await isFileHere(vmsd))) return undefined;
  await set.addFile(vmsd);
  const entries = parseVmxText(await readConfigText(vmsd));
  const current = entries.get('snapshot.current');
  const snapshots: NonNullable<DiscoveredVm['snapshots']> = [];
  const byUid = new Map<string, string>();
  const keys = [...entries.keys()].filter((key) => /^snapshot\d+\.uid$/.test(key));
  for (const key of keys) byUid.set(entries.get(key) ?? '', key.slice(0, key.indexOf('.')));
  const currentChains = new Set(set.fileList());
  for (const key of keys) {
    const prefix = key.slice(0, key.indexOf('.'));
    const uid = entries.get(key) ?? '';
    const snapshot: NonNullable<DiscoveredVm['snapshots']>[number] = {
      name: entries.get(`${prefix}.displayname`) ?? prefix, id: uid, current: uid === current,
    };
    const parent = entries.get(`${prefix}.parent`);
    if (parent !== undefined && byUid.has(parent)) snapshot.parent = parent;
    snapshots.push(snapshot);
    const state = entries.get(`${prefix}.filename`);
    if (state !== undefined && state !== '') await set.addFile(vmx.here(state));
    for (let disk = 0; disk < (vmxInteger(entries, `${prefix}.numdisks`) ?? 0) && disk < 64; disk += 1) {
      const written = entries.get(`${prefix}.disk${disk}.filename`);
      if (written === undefined || currentChains.has(vmx.here(written))) continue;
      await set.addLayers(vmx.here(written), { root: ctx.root });
    }
  }
  return snapshots;
}

async function readVmwareVm(vmxPath: string, ctx: DiscoveryContext): Promise<DiscoveredVm> {
  const entries = parseVmxText(await readConfigText(vmxPath));
  const folder = dirname(vmxPath);
  const vmx: VmxContext = { entries, folder, here: (written) => configPathHere(written, folder, ctx.root) };
  const set = new VmFileSet(vmxPath);
  await readDevices(vmx, set, ctx);
  const snapshots = await readSnapshots(vmx, vmxPath, set, ctx);
  const nvramWritten = entries.get('nvram') ?? `${basename(vmxPath, extname(vmxPath))}.nvram`;
  const nvram = (await isFileHere(vmx.here(nvramWritten))) || entries.has('nvram') ? vmx.here(nvramWritten) : undefined;
  if (nvram !== undefined) await set.addFile(nvram);
  const vmxf = entries.get('extendedconfigfile');
  if (vmxf !== undefined && (await isFileHere(vmx.here(vmxf)))) await set.addFile(vmx.here(vmxf));
  const vmssWritten = entries.get('checkpoint.vmstate') ?? '';
  const vmss = vmssWritten !== '' ? vmx.here(vmssWritten) : undefined;
  const suspended = vmss !== undefined && (await isFileHere(vmss));
  const savedState: string[] = [];
  if (vmss !== undefined) {
    if (await set.addFile(vmss)) savedState.push(vmss);
    const vmem = join(dirname(vmss), `${basename(vmss, extname(vmss))}.vmem`);
    if (suspended && (await set.addFile(vmem))) savedState.push(vmem);
  }
  const { state, stateEvidence } = await vmwareState({ vmxPath, folder, suspended, root: ctx.root, env: ctx.env });
  const hardware: VmHardware = {
    cpus: vmxInteger(entries, 'numvcpus') ?? 1,
    firmware: (entries.get('firmware') ?? '').toLowerCase() === 'efi' ? 'efi' : 'bios',
    disks: set.disks.map((disk) => ({ path: disk.path, ...(disk.bus ? { bus: disk.bus } : {}),
      ...(disk.virtualSize !== undefined ? { virtualSize: disk.virtualSize } : {}) })),
    nics: nicsOf(entries),
  };
  const memory = vmxInteger(entries, 'memsize');
  if (memory !== undefined) hardware.memoryMiB = memory;
  const guestOs = entries.get('guestos');
  if (guestOs !== undefined) hardware.guestOs = guestOs;
  const vm: DiscoveredVm = {
    name: entries.get('displayname') ?? basename(vmxPath, extname(vmxPath)),
    id: vmwareUuid(entries.get('uuid.bios')) ?? idFromPath(vmxPath),
    hypervisor: 'vmware', configPath: vmxPath, state, stateEvidence, ...set.parts(), hardware,
  };
  if (nvram !== undefined) vm.nvram = nvram;
  if (suspended) vm.savedState = savedState;
  if (snapshots !== undefined) vm.snapshots = snapshots;
  return vm;
}

export const vmwareDiscovery: HypervisorDiscovery = {
  hypervisor: 'vmware',
  wellKnownPlaces: vmwarePlaces,
  configsAt: vmxPathsAt,
  isConfig: (configPath) => extname(configPath).toLowerCase() === '.vmx',
  readConfig: readVmwareVm,
};
