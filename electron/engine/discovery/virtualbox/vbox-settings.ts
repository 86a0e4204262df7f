/**
 * A VirtualBox machine settings file (.vbox, or the .xml of VirtualBox 2.x/3.x) read into a
 * plain model, pure (no file access). Namespace-agnostic; settings versions 1.3 to 1.19:
 * - media: the machine's MediaRegistry (4.0+) or the global one in VirtualBox.xml (older),
 *   differencing disks nested inside their parent HardDisk element;
 * - attachments: AttachedDevice under StorageControllers (under Machine in 3.x, under
 *   Hardware since 4.0), or the 2.x HardDiskAttachment elements; the current state is
 *   what lies outside Snapshot elements;
 * - the snapshot tree (Snapshot / Snapshots / Snapshot ...), currentSnapshot;
 * - NVRAM in Hardware/NVRAM, Hardware/BIOS/NVRAM or Hardware/Platform/.../NVRAM;
 * - stateFile and aborted on Machine.
 * Paths stay as written; the caller maps them (relative ones are from the machine folder).
 */
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import type { VmNic } from '../discovered-vm.ts';
import { type XmlElement, xmlAttr, xmlChild, xmlChildren, xmlDescendants } from '../bounded-xml.ts';

export type VboxMediumKind = 'HardDisk' | 'DVD' | 'Floppy';

export interface VboxMedium {
  uuid: string;
  /** As written (relative to the machine folder, or absolute). */
  location: string;
  kind: VboxMediumKind;
  format?: string;
  /** UUID of the parent for a differencing disk. */
  parent?: string;
  /** Normal, Immutable, Writethrough, Shareable, Readonly, MultiAttach. */
  type?: string;
  /** Folder relative locations start from: the VirtualBox home for the global registry; absent: the machine folder. */
  baseDir?: string;
}

/** The global media registry of VirtualBox.xml and the folder it lives in. */
export interface GlobalMedia {
  registry: XmlElement;
  home: string;
}

export interface VboxAttachment {
  type: string;
  mediumUuid?: string;
  /** Host drive passthrough (`HostDrive src`). */
  hostDrive?: string;
  controller: string;
  bus: string;
  port: number;
  device: number;
}

export interface VboxSnapshot {
  uuid: string;
  name: string;
  parent?: string;
  stateFile?: string;
  attachments: VboxAttachment[];
  nvram?: string;
}

export interface VboxMachine {
  settingsVersion: string;
  uuid: string;
  name: string;
  osType?: string;
  currentSnapshot?: string;
  snapshotFolder?: string;
  stateFile?: string;
  aborted: boolean;
  media: Map<string, VboxMedium>;
  attachments: VboxAttachment[];
  snapshots: VboxSnapshot[];
  cpus?: number;
  memoryMiB?: number;
  firmware?: 'bios' | 'efi';
  nvram?: string;
  nics: VmNic[];
}

/** `{A1B2...}` or `a1b2...` as lowercase without braces. */
export function normalizeVboxUuid(value: string): string {
  return value.trim().replace(/^\{|\}$/g, '').toLowerCase();
}

const CONTROLLER_BUS: Record<string, string> = {
  AHCI: 'sata', PIIX3: 'ide', PIIX4: 'ide', ICH6: 'ide', LsiLogic: 'scsi', BusLogic: 'scsi', LsiLogicSas: 'sas',
  NVMe: 'nvme', I82078: 'floppy', USB: 'usb', VirtioSCSI: 'virtio-scsi',
};

const MEDIA_KINDS: [string, string, VboxMediumKind][] = [
  ['HardDisks', 'HardDisk', 'HardDisk'], ['DVDImages', 'Image', 'DVD'], ['FloppyImages', 'Image', 'Floppy'],
];

/** Adds the media of a MediaRegistry element (machine or global) to `media`, nested disks linked to their parents. */
export function collectMedia(registry: XmlElement | undefined, media: Map<string, VboxMedium>, baseDir?: string): void {
  for (const [groupName, elementName, kind] of MEDIA_KINDS) {
    const pending: { element: XmlElement; parent?: string }[] = xmlChildren(xmlChild(registry, groupName), elementName)
      .map((element) => ({ element }));
    for (let guard = 0; pending.length > 0 && guard < 1_000_000; guard += 1) {
      const { element, parent } = pending.pop() as { element: XmlElement; parent?: string };
      const uuid = xmlAttr(element, 'uuid');
      const location = xmlAttr(element, 'location') ?? xmlAttr(element, 'src');
      if (uuid === undefined || location === undefined) continue;
      const medium: VboxMedium = { uuid: normalizeVboxUuid(uuid), location, kind };
      const format = xmlAttr(element, 'format');
      const type = xmlAttr(element, 'type');
      if (format !== undefined) medium.format = format;
      if (type !== undefined) medium.type = type;
      if (parent !== undefined) medium.parent = parent;
      if (baseDir !== undefined) medium.baseDir = baseDir;
      media.set(medium.uuid, medium);
      for (const child of xmlChildren(element, elementName)) pending.push({ element: child, parent: medium.uuid });
    }
  }
}

function integerAttr(element: XmlElement | undefined, name: string): number | undefined {
  const value = xmlAttr(element, name);
  if (value === undefined || !/^\d{1,9}$/.test(value)) return undefined;
  return Number(value);
}

/** Attachments below `scope`, not descending into elements named in `stopAt`. */
function attachmentsIn(scope: XmlElement, stopAt: readonly string[]): VboxAttachment[] {
  const found: VboxAttachment[] = [];
  for (const controller of xmlDescendants(scope, 'StorageController', stopAt)) {
    const controllerType = xmlAttr(controller, 'type') ?? '';
    const bus = CONTROLLER_BUS[controllerType] ?? (xmlAttr(controller, 'name') ?? controllerType).toLowerCase();
    for (const device of xmlChildren(controller, 'AttachedDevice')) {
      const attachment: VboxAttachment = {
        type: xmlAttr(device, 'type') ?? 'HardDisk', controller: xmlAttr(controller, 'name') ?? controllerType, bus,
        port: integerAttr(device, 'port') ?? 0, device: integerAttr(device, 'device') ?? 0,
      };
      const image = xmlAttr(xmlChild(device, 'Image'), 'uuid');
      const hostDrive = xmlAttr(xmlChild(device, 'HostDrive'), 'src');
      if (image !== undefined) attachment.mediumUuid = normalizeVboxUuid(image);
      if (hostDrive !== undefined) attachment.hostDrive = hostDrive;
      found.push(attachment);
    }
  }
  for (const old of xmlDescendants(scope, 'HardDiskAttachment', stopAt)) {
    const uuid = xmlAttr(old, 'hardDisk');
    if (uuid === undefined) continue;
    found.push({
      type: 'HardDisk', mediumUuid: normalizeVboxUuid(uuid), controller: xmlAttr(old, 'bus') ?? 'IDE',
      bus: (xmlAttr(old, 'bus') ?? 'IDE').toLowerCase(), port: integerAttr(old, 'channel') ?? 0,
      device: integerAttr(old, 'device') ?? 0,
    });
  }
  return found;
}

function nvramIn(scope: XmlElement | undefined, stopAt: readonly string[]): string | undefined {
  for (const element of xmlDescendants(scope, 'NVRAM', stopAt)) {
    const path = xmlAttr(element, 'path');
    if (path !== undefined && path !== '') return path;
  }
  return undefined;
}

function macAddress(raw: string | undefined): string | undefined {
  if (raw === undefined || !/^[0-9A-Fa-f]{12}$/.test(raw)) return raw;
  return raw.toLowerCase().match(/../g)?.join(':');
}

const ATTACHMENTS: Record<string, string> = {
  NAT: 'nat', BridgedInterface: 'bridged', HostOnlyInterface: 'hostonly', InternalNetwork: 'internal',
  NATNetwork: 'natnetwork', GenericInterface: 'generic', HostOnlyNetwork: 'hostonly-network', CloudNetwork: 'cloud',
};

function nicsIn(hardware: XmlElement | undefined): VmNic[] {
  const nics: VmNic[] = [];
  for (const adapter of xmlDescendants(hardware, 'Adapter')) {
    if (xmlAttr(adapter, 'enabled') !== 'true') continue;
    const nic: VmNic = {};
    const model = xmlAttr(adapter, 'type');
    const mac = macAddress(xmlAttr(adapter, 'MACAddress'));
    if (model !== undefined) nic.model = model;
    if (mac !== undefined) nic.mac = mac;
    const attached = adapter.children.find((child) => ATTACHMENTS[child.name] !== undefined);
    if (attached) {
      const name = xmlAttr(attached, 'name');
      nic.attachment = `${ATTACHMENTS[attached.name] as string}${name !== undefined ? `:${name}` : ''}`;
    }
    nics.push(nic);
  }
  return nics;
}

function snapshotTree(machine: XmlElement): VboxSnapshot[] {
  const snapshots: VboxSnapshot[] = [];
  const pending: { element: XmlElement; parent?: string }[] = xmlChildren(machine, 'Snapshot').map((element) => ({ element }));
  for (let guard = 0; pending.length > 0 && guard < 100_000; guard += 1) {
    const { element, parent } = pending.shift() as { element: XmlElement; parent?: string };
    const uuid = normalizeVboxUuid(xmlAttr(element, 'uuid') ?? '');
    const snapshot: VboxSnapshot = {
      uuid, name: xmlAttr(element, 'name') ?? uuid, attachments: attachmentsIn(element, ['Snapshots']),
    };
    const stateFile = xmlAttr(element, 'stateFile');
    const nvram = nvramIn(element, ['Snapshots']);
    if (parent !== undefined) snapshot.parent = parent;
    if (stateFile !== undefined && stateFile !== '') snapshot.stateFile = stateFile;
    if (nvram !== undefined) snapshot.nvram = nvram;
    snapshots.push(snapshot);
    for (const child of xmlChildren(xmlChild(element, 'Snapshots'), 'Snapshot')) pending.push({ element: child, parent: uuid });
  }
  return snapshots;
}

/** The machine in a parsed settings file; INVALID_INPUT when it has no Machine element. */
export function readVboxMachine(document: XmlElement, file: string, globalMedia?: GlobalMedia): VboxMachine {
  const machine = xmlChild(document, 'Machine');
  if (document.name !== 'VirtualBox' || machine === undefined) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `${file} is not a VirtualBox machine settings file (no VirtualBox/Machine element).`,
      { field: 'config', details: { file } });
  }
  const media = new Map<string, VboxMedium>();
  collectMedia(globalMedia?.registry, media, globalMedia?.home);
  collectMedia(xmlChild(machine, 'MediaRegistry'), media);
  const outsideSnapshots = ['Snapshot', 'MediaRegistry'];
  const hardware = xmlChild(machine, 'Hardware');
  const uuid = xmlAttr(machine, 'uuid');
  const result: VboxMachine = {
    settingsVersion: xmlAttr(document, 'version') ?? 'unknown',
    uuid: uuid !== undefined ? normalizeVboxUuid(uuid) : '',
    name: xmlAttr(machine, 'name') ?? file,
    aborted: xmlAttr(machine, 'aborted') === 'true',
    media,
    attachments: attachmentsIn(machine, outsideSnapshots),
    snapshots: snapshotTree(machine),
    nics: nicsIn(hardware),
  };
  const optional: [keyof VboxMachine, string | undefined][] = [
    ['osType', xmlAttr(machine, 'OSType')], ['snapshotFolder', xmlAttr(machine, 'snapshotFolder')],
    ['stateFile', xmlAttr(machine, 'stateFile')], ['nvram', nvramIn(hardware, [])],
  ];
  for (const [key, value] of optional) if (value !== undefined && value !== '') Object.assign(result, { [key]: value });
  const current = xmlAttr(machine, 'currentSnapshot');
  if (current !== undefined) result.currentSnapshot = normalizeVboxUuid(current);
  const cpus = integerAttr(xmlChild(hardware, 'CPU'), 'count');
  const memory = integerAttr(xmlChild(hardware, 'Memory'), 'RAMSize');
  if (hardware) result.cpus = cpus ?? 1;
  if (memory !== undefined) result.memoryMiB = memory;
  const firmware = xmlAttr(xmlDescendants(hardware, 'Firmware')[0], 'type');
  if (hardware) result.firmware = firmware !== undefined && firmware.toUpperCase().startsWith('EFI') ? 'efi' : 'bios';
  return result;
}
