/**
 * The domain XML of a VM restored as a new libvirt domain, rewritten from the point's own:
 * a new name and uuid, new MAC addresses on every interface, each file disk's source the
 * restored (flattened) image with its driver type and no backingStore, a file disk that is
 * not in the point removed, the NVRAM pointed at the restored copy (or left for libvirt to
 * create from its template), and the live-only parts (id, status) dropped.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { xmlAttr, xmlChild, xmlChildren, type XmlElement } from '../discovery/bounded-xml.ts';
import { configPathHere } from '../discovery/discovery-paths.ts';
import type { RestoredDisk } from './restored-disk.ts';
import { xmlElement } from './xml-config-writer.ts';

export interface DomainRewriteInput {
  document: XmlElement;
  stagedConfig: string;
  staging: string;
  name: string;
  disks: RestoredDisk[];
  /** Absolute path of the restored NVRAM, when there is one. */
  nvramPath?: string | undefined;
}

/** A MAC address in QEMU's range (52:54:00), as libvirt writes it. */
export function newQemuMac(): string {
  return `52:54:00:${[...randomBytes(3)].map((byte) => byte.toString(16).padStart(2, '0')).join(':')}`;
}

function setText(parent: XmlElement, name: string, text: string): void {
  const element = xmlChild(parent, name);
  if (element) {
    element.text = text;
    element.children = [];
  } else {
    parent.children.unshift(xmlElement(name, {}, [], text));
  }
}

export function rewriteDomain(input: DomainRewriteInput): { document: XmlElement; uuid: string; notes: string[] } {
  const domain = input.document;
  if (domain.name !== 'domain') {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `${input.stagedConfig} is not a libvirt domain XML (its root is <${domain.name}>).`, { field: 'point' });
  }
  const notes: string[] = [];
  const uuid = randomUUID();
  const configDir = dirname(input.stagedConfig);
  const byStaged = new Map(input.disks.map((disk) => [disk.staged, disk]));
  domain.attributes.delete('id');
  setText(domain, 'uuid', uuid);
  setText(domain, 'name', input.name);
  const devices = xmlChild(domain, 'devices');
  if (devices) {
    devices.children = devices.children.filter((device) => {
      if (device.name !== 'disk' || xmlAttr(device, 'type') !== 'file' || (xmlAttr(device, 'device') ?? 'disk') !== 'disk') return true;
      const source = xmlChild(device, 'source');
      const file = xmlAttr(source, 'file');
      const disk = file ? byStaged.get(configPathHere(file, configDir, input.staging)) : undefined;
      if (!disk || !source) {
        notes.push(`Disk ${xmlAttr(xmlChild(device, 'target'), 'dev') ?? file ?? '?'} is not in the point: it was removed.`);
        return false;
      }
      source.attributes = new Map([['file', disk.path]]);
      const driver = xmlChild(device, 'driver');
      if (driver) driver.attributes.set('type', disk.format);
      else device.children.unshift(xmlElement('driver', { name: 'qemu', type: disk.format }));
      device.children = device.children.filter((child) => child.name !== 'backingStore');
      return true;
    });
    for (const nic of xmlChildren(devices, 'interface')) {
      const mac = xmlChild(nic, 'mac');
      if (mac) mac.attributes.set('address', newQemuMac());
    }
  }
  const nvram = xmlChild(xmlChild(domain, 'os'), 'nvram');
  if (nvram) {
    if (input.nvramPath) {
      nvram.text = input.nvramPath;
      nvram.children = [];
    } else {
      const os = xmlChild(domain, 'os') as XmlElement;
      os.children = os.children.filter((child) => child !== nvram);
      notes.push('The NVRAM was not in the point: libvirt creates fresh UEFI variables from its template.');
    }
  }
  notes.push('The domain got a new uuid and new MAC addresses.');
  return { document: domain, uuid, notes };
}
