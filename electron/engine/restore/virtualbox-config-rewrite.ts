/**
 * The .vbox of a VM restored as a new VirtualBox VM, rewritten from the point's own: a new
 * machine UUID and name; the media registry holding only the restored (flattened) disks
 * under their own UUIDs, attachments pointed at them; the snapshot tree and current
 * snapshot dropped (the chains were merged); NVRAM and saved state pointed at the restored
 * files or dropped; network cards given new MAC addresses unless the saved state is kept.
 * DVD and floppy images keep their paths (they are not part of a point).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { xmlAttr, xmlChild, xmlChildren, xmlDescendants, type XmlElement } from '../discovery/bounded-xml.ts';
import { configPathHere } from '../discovery/discovery-paths.ts';
import type { RestoredDisk } from './restored-disk.ts';
import { xmlElement } from './xml-config-writer.ts';

const VBOX_FORMAT: Record<string, string> = { vdi: 'VDI', vmdk: 'VMDK', vhdx: 'VHDX', raw: 'RAW', qcow2: 'QCOW2' };

export interface VboxRewriteInput {
  document: XmlElement;
  /** The staged .vbox (paths inside it resolve from its folder) and the staging root. */
  stagedConfig: string;
  staging: string;
  name: string;
  disks: RestoredDisk[];
  nvramFile?: string | undefined;
  savedStateFile?: string | undefined;
}

export interface VboxRewriteResult {
  document: XmlElement;
  machineUuid: string;
  notes: string[];
}

function braced(uuid: string): string {
  return `{${uuid}}`;
}

function plainUuid(value: string | undefined): string {
  return (value ?? '').replace(/[{}]/g, '').toLowerCase();
}

/** A MAC address in VirtualBox's range (08:00:27), as the .vbox writes it. */
export function newVboxMac(): string {
  return `080027${randomBytes(3).toString('hex').toUpperCase()}`;
}

/** uuid -> location of every hard disk in a media registry (nested differencing disks included). */
function hardDiskLocations(registry: XmlElement | undefined): Map<string, string> {
  const locations = new Map<string, string>();
  for (const disk of xmlDescendants(xmlChild(registry, 'HardDisks'), 'HardDisk')) {
    const location = xmlAttr(disk, 'location');
    if (location) locations.set(plainUuid(xmlAttr(disk, 'uuid')), location);
  }
  return locations;
}

export function rewriteVbox(input: VboxRewriteInput): VboxRewriteResult {
  const root = input.document;
  const machine = xmlChild(root, 'Machine');
  if (!machine || xmlChild(machine, 'HardDiskAttachments')) {
    throw new LabvaultError(ErrorCodes.UNSUPPORTED,
      'This VirtualBox configuration is older than settings 1.9 (media in the global registry): restore it with --hypervisor virtualbox to generate a new one.',
      { field: 'point' });
  }
  const notes: string[] = [];
  const machineUuid = randomUUID();
  const configDir = dirname(input.stagedConfig);
  const registry = xmlChild(machine, 'MediaRegistry');
  const locations = hardDiskLocations(registry);
  const byStaged = new Map(input.disks.map((disk) => [disk.staged, disk]));

  machine.attributes.set('uuid', braced(machineUuid));
  machine.attributes.set('name', input.name);
  for (const dropped of ['currentSnapshot', 'aborted', 'stateFile']) machine.attributes.delete(dropped);
  if (input.savedStateFile) machine.attributes.set('stateFile', input.savedStateFile);
  const snapshots = xmlChildren(machine, 'Snapshot').length;
  machine.children = machine.children.filter((child) => child.name !== 'Snapshot');
  if (snapshots > 0) notes.push('The snapshot tree was dropped: each disk\'s chain was merged into one image.');

  const attachments = xmlDescendants(machine, 'AttachedDevice').filter((device) => xmlAttr(device, 'type') === 'HardDisk');
  const used = new Set<RestoredDisk>();
  for (const controller of xmlDescendants(machine, 'StorageController')) {
    controller.children = controller.children.filter((device) => {
      if (!attachments.includes(device)) return true;
      const image = xmlChild(device, 'Image');
      const location = locations.get(plainUuid(xmlAttr(image, 'uuid')));
      const disk = location ? byStaged.get(configPathHere(location, configDir, input.staging)) : undefined;
      if (!disk || !image) {
        notes.push(`A hard disk attachment on controller "${xmlAttr(controller, 'name') ?? '?'}" was removed: its disk is not in the point.`);
        return false;
      }
      image.attributes.set('uuid', braced(disk.uuid));
      used.add(disk);
      return true;
    });
  }
  const hardDisks = input.disks.filter((disk) => used.has(disk)).map((disk) => xmlElement('HardDisk', {
    uuid: braced(disk.uuid), location: disk.fileName, format: VBOX_FORMAT[disk.format] ?? 'VDI', type: 'Normal',
  }));
  const mediaRegistry = registry ?? xmlElement('MediaRegistry');
  if (!registry) machine.children.unshift(mediaRegistry);
  const diskList = xmlChild(mediaRegistry, 'HardDisks');
  if (diskList) diskList.children = hardDisks;
  else mediaRegistry.children.unshift(xmlElement('HardDisks', {}, hardDisks));

  for (const nvram of xmlDescendants(machine, 'NVRAM')) {
    if (input.nvramFile) nvram.attributes.set('path', input.nvramFile);
    else nvram.attributes.delete('path');
  }
  if (!input.savedStateFile) {
    for (const adapter of xmlDescendants(machine, 'Adapter')) {
      if (adapter.attributes.has('MACAddress')) adapter.attributes.set('MACAddress', newVboxMac());
    }
    notes.push('Network cards got new MAC addresses.');
  }
  const version = /^1\.(\d+)/.exec(xmlAttr(root, 'version') ?? '');
  const namespace = version && Number(version[1]) < 9 ? 'http://www.innotek.de/VirtualBox-settings' : 'http://www.virtualbox.org/';
  root.attributes = new Map([['xmlns', namespace], ...[...root.attributes].filter(([key]) => key !== 'xmlns')]);
  return { document: root, machineUuid, notes };
}
