/**
 * A libvirt domain XML (/etc/libvirt/qemu/NAME.xml, or the session's) read into a plain
 * model, pure: name, uuid, memory, vcpus, firmware (os firmware='efi' or a pflash loader),
 * NVRAM, disks with their type/device/source/target/driver and the backingStore chain libvirt
 * recorded, and network interfaces.
 */
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import type { VmNic } from '../discovered-vm.ts';
import { type XmlElement, xmlAttr, xmlChild, xmlChildren } from '../bounded-xml.ts';

export interface LibvirtDisk {
  type: string;
  device: string;
  /** file= for type file; dev= for block; protocol/name for network; pool/volume for volume. */
  source?: string;
  target?: string;
  bus?: string;
  driverType?: string;
  readonly: boolean;
  /** The chain libvirt recorded below the source (backingStore), top first. */
  backingStore: string[];
}

export interface LibvirtDomain {
  name: string;
  uuid?: string;
  memoryMiB?: number;
  vcpus?: number;
  firmware: 'bios' | 'efi';
  nvram?: string;
  osType?: string;
  disks: LibvirtDisk[];
  nics: VmNic[];
}

const UNIT_BYTES: Record<string, number> = {
  b: 1, bytes: 1, k: 1024, kib: 1024, kb: 1000, m: 1024 ** 2, mib: 1024 ** 2, mb: 1e6, g: 1024 ** 3, gib: 1024 ** 3,
  gb: 1e9, t: 1024 ** 4, tib: 1024 ** 4, tb: 1e12,
};

function memoryMiB(element: XmlElement | undefined): number | undefined {
  if (element === undefined || !/^\d{1,15}$/.test(element.text)) return undefined;
  const unit = UNIT_BYTES[(xmlAttr(element, 'unit') ?? 'KiB').toLowerCase()];
  return unit === undefined ? undefined : Math.round((Number(element.text) * unit) / 1024 ** 2);
}

function sourceOf(disk: XmlElement, type: string): string | undefined {
  const source = xmlChild(disk, 'source');
  if (type === 'file') return xmlAttr(source, 'file');
  if (type === 'block') return xmlAttr(source, 'dev');
  if (type === 'dir') return xmlAttr(source, 'dir');
  if (type === 'volume') {
    const pool = xmlAttr(source, 'pool');
    const volume = xmlAttr(source, 'volume');
    return pool !== undefined && volume !== undefined ? `${pool}/${volume}` : undefined;
  }
  if (type === 'network') {
    const protocol = xmlAttr(source, 'protocol');
    const name = xmlAttr(source, 'name');
    return protocol !== undefined ? `${protocol}:${name ?? ''}` : name;
  }
  return undefined;
}

function backingChain(disk: XmlElement): string[] {
  const chain: string[] = [];
  let store = xmlChild(disk, 'backingStore');
  for (let depth = 0; store !== undefined && depth < 256; depth += 1) {
    const file = xmlAttr(xmlChild(store, 'source'), 'file');
    if (file === undefined) break;
    chain.push(file);
    store = xmlChild(store, 'backingStore');
  }
  return chain;
}

function readDisk(disk: XmlElement): LibvirtDisk {
  const type = xmlAttr(disk, 'type') ?? 'file';
  const result: LibvirtDisk = {
    type, device: xmlAttr(disk, 'device') ?? 'disk', readonly: xmlChild(disk, 'readonly') !== undefined,
    backingStore: backingChain(disk),
  };
  const source = sourceOf(disk, type);
  const target = xmlChild(disk, 'target');
  const driverType = xmlAttr(xmlChild(disk, 'driver'), 'type');
  if (source !== undefined) result.source = source;
  if (xmlAttr(target, 'dev') !== undefined) result.target = xmlAttr(target, 'dev') as string;
  if (xmlAttr(target, 'bus') !== undefined) result.bus = xmlAttr(target, 'bus') as string;
  if (driverType !== undefined) result.driverType = driverType;
  return result;
}

function readInterface(element: XmlElement): VmNic {
  const nic: VmNic = {};
  const type = xmlAttr(element, 'type') ?? 'network';
  const source = xmlChild(element, 'source');
  const model = xmlAttr(xmlChild(element, 'model'), 'type');
  const mac = xmlAttr(xmlChild(element, 'mac'), 'address');
  const named = xmlAttr(source, 'network') ?? xmlAttr(source, 'bridge') ?? xmlAttr(source, 'dev');
  if (model !== undefined) nic.model = model;
  if (mac !== undefined) nic.mac = mac.toLowerCase();
  nic.attachment = named !== undefined ? `${type}:${named}` : type;
  return nic;
}

export function readLibvirtDomain(document: XmlElement, file: string): LibvirtDomain {
  const name = xmlChild(document, 'name')?.text;
  if (document.name !== 'domain' || name === undefined || name === '') {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `${file} is not a libvirt domain definition (no domain/name element).`,
      { field: 'config', details: { file } });
  }
  const os = xmlChild(document, 'os');
  const loader = xmlChild(os, 'loader');
  const efi = xmlAttr(os, 'firmware') === 'efi' || xmlAttr(loader, 'type') === 'pflash';
  const devices = xmlChild(document, 'devices');
  const domain: LibvirtDomain = {
    name, firmware: efi ? 'efi' : 'bios',
    disks: xmlChildren(devices, 'disk').map(readDisk),
    nics: xmlChildren(devices, 'interface').map(readInterface),
  };
  const uuid = xmlChild(document, 'uuid')?.text;
  const memory = memoryMiB(xmlChild(document, 'memory'));
  const vcpu = xmlChild(document, 'vcpu')?.text;
  const nvram = xmlChild(os, 'nvram')?.text;
  const osType = xmlChild(document, 'metadata')?.children.flatMap((child) => child.children)
    .find((child) => child.name === 'os');
  if (uuid !== undefined && uuid !== '') domain.uuid = uuid.toLowerCase();
  if (memory !== undefined) domain.memoryMiB = memory;
  if (vcpu !== undefined && /^\d{1,6}$/.test(vcpu)) domain.vcpus = Number(vcpu);
  if (nvram !== undefined && nvram !== '') domain.nvram = nvram;
  const osId = xmlAttr(osType, 'id');
  if (osId !== undefined) domain.osType = osId;
  return domain;
}
