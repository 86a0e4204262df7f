/**
 * A libvirt domain XML generated for a VM restored from another hypervisor, from the point's
 * hardware summary: CPUs, memory, firmware (BIOS, or EFI through libvirt's firmware
 * auto-selection), each restored disk on the bus the summary names (IDE, which q35 has not,
 * on SATA), network cards with their model mapped and new MAC addresses on the "default"
 * network.
 */
import { randomUUID } from 'node:crypto';
import type { PointVm } from '../../../shared/contract/item-models.ts';
import type { XmlElement } from '../discovery/bounded-xml.ts';
import { newQemuMac } from './libvirt-config-rewrite.ts';
import type { RestoredDisk } from './restored-disk.ts';
import { xmlElement as el } from './xml-config-writer.ts';

const DEFAULT_MEMORY_MIB = 1024;

function busOf(bus: string | undefined): { bus: string; prefix: string; note?: string } {
  const named = (bus ?? '').toLowerCase();
  if (named === 'virtio') return { bus: 'virtio', prefix: 'vd' };
  if (named === 'scsi') return { bus: 'scsi', prefix: 'sd' };
  if (named === 'usb') return { bus: 'usb', prefix: 'sd' };
  if (named === 'sata' || named === '') return { bus: 'sata', prefix: 'sd' };
  return { bus: 'sata', prefix: 'sd', note: `a ${named} disk was put on SATA` };
}

/** A NIC model as QEMU names it, from any hypervisor's name. */
export function qemuNicModel(model: string | undefined): string {
  const named = (model ?? '').toLowerCase();
  if (named.includes('virtio')) return 'virtio';
  if (named === 'e1000e') return 'e1000e';
  if (named === 'vmxnet3') return 'vmxnet3';
  if (named.startsWith('rtl8139')) return 'rtl8139';
  return 'e1000';
}

function deviceName(prefix: string, index: number): string {
  return `${prefix}${String.fromCharCode(97 + (index % 26))}`;
}

export interface GeneratedDomain { document: XmlElement; uuid: string; notes: string[] }

export function generateDomain(vm: PointVm, name: string, disks: RestoredDisk[]): GeneratedDomain {
  const notes: string[] = [];
  const uuid = randomUUID();
  const hardware = vm.hardware;
  const efi = hardware.firmware === 'efi';
  const counters = new Map<string, number>();
  const diskElements = disks.map((disk) => {
    const bus = busOf(disk.bus);
    if (bus.note) notes.push(`${disk.fileName}: ${bus.note}.`);
    const index = counters.get(bus.prefix) ?? 0;
    counters.set(bus.prefix, index + 1);
    return el('disk', { type: 'file', device: 'disk' }, [
      el('driver', { name: 'qemu', type: disk.format }),
      el('source', { file: disk.path }),
      el('target', { dev: deviceName(bus.prefix, index), bus: bus.bus }),
    ]);
  });
  const controllers = disks.some((disk) => busOf(disk.bus).bus === 'scsi') ? [el('controller', { type: 'scsi', model: 'virtio-scsi' })] : [];
  const nics = hardware.nics.map((nic) => el('interface', { type: 'network' }, [
    el('mac', { address: newQemuMac() }), el('source', { network: 'default' }), el('model', { type: qemuNicModel(nic.model) }),
  ]));
  if (hardware.memoryMiB === undefined) notes.push(`The point records no memory size: ${DEFAULT_MEMORY_MIB} MiB was set.`);
  const document = el('domain', { type: 'kvm' }, [
    el('name', {}, [], name),
    el('uuid', {}, [], uuid),
    el('memory', { unit: 'MiB' }, [], String(hardware.memoryMiB ?? DEFAULT_MEMORY_MIB)),
    el('vcpu', { placement: 'static' }, [], String(hardware.cpus ?? 1)),
    el('os', efi ? { firmware: 'efi' } : {}, [el('type', { arch: 'x86_64', machine: 'q35' }, [], 'hvm'), el('boot', { dev: 'hd' })]),
    el('features', {}, [el('acpi'), el('apic')]),
    el('clock', { offset: /win/i.test(hardware.guestOs ?? '') ? 'localtime' : 'utc' }),
    el('devices', {}, [
      ...diskElements, ...controllers, ...nics,
      el('input', { type: 'tablet', bus: 'usb' }),
      el('graphics', { type: 'vnc', port: '-1', autoport: 'yes' }),
      el('video', {}, [el('model', { type: 'vga' })]),
    ]),
  ]);
  return { document, uuid, notes };
}
