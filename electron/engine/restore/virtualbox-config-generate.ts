/**
 * A VirtualBox .vbox generated for a VM restored from another hypervisor, from the point's
 * hardware summary: CPUs, memory, firmware, each restored disk on a controller of the bus
 * the summary names (SATA for buses VirtualBox has no match for), network cards on NAT with
 * their model mapped and new MAC addresses. Settings 1.19 (VirtualBox 7), the layout the
 * 7.x Manager writes.
 */
import { randomUUID } from 'node:crypto';
import type { PointVm } from '../../../shared/contract/item-models.ts';
import type { XmlElement } from '../discovery/bounded-xml.ts';
import type { RestoredDisk } from './restored-disk.ts';
import { newVboxMac } from './virtualbox-config-rewrite.ts';
import { xmlElement as el } from './xml-config-writer.ts';

const VBOX_FORMAT: Record<string, string> = { vdi: 'VDI', vmdk: 'VMDK', vhdx: 'VHDX', raw: 'RAW', qcow2: 'QCOW2' };
const CONTROLLERS: Record<string, { name: string; type: string }> = {
  sata: { name: 'SATA', type: 'AHCI' }, ide: { name: 'IDE', type: 'PIIX4' }, scsi: { name: 'SCSI', type: 'LsiLogic' },
  nvme: { name: 'NVMe', type: 'NVMe' },
};

/** A VirtualBox adapter type from any hypervisor's NIC model. */
export function vboxNicType(model: string | undefined): string {
  const named = (model ?? '').toLowerCase();
  if (named.includes('virtio')) return 'virtio';
  if (named.startsWith('pcnet') || named.startsWith('am79')) return 'Am79C973';
  return '82540EM';
}

/** A VirtualBox OSType from a guest OS name of any hypervisor (unknown: Other, 64-bit when it says so). */
export function vboxOsType(guestOs: string | undefined): string {
  const named = (guestOs ?? '').toLowerCase();
  const bits = /64/.test(named) ? '_64' : '';
  if (named.includes('ubuntu')) return `Ubuntu${bits}`;
  if (named.includes('debian')) return `Debian${bits}`;
  if (named.includes('windows') || named.startsWith('win')) return bits ? 'Windows10_64' : 'Windows10';
  if (named.includes('linux') || named.includes('rhel') || named.includes('centos') || named.includes('fedora')) return `Linux${bits}`;
  return bits ? 'Other_64' : 'Other';
}

export interface GeneratedVbox { document: XmlElement; machineUuid: string; notes: string[] }

export function generateVbox(vm: PointVm, name: string, disks: RestoredDisk[]): GeneratedVbox {
  const notes: string[] = [];
  const machineUuid = randomUUID();
  const hardware = vm.hardware;
  const byController = new Map<string, RestoredDisk[]>();
  for (const disk of disks) {
    const bus = (disk.bus ?? 'sata').toLowerCase();
    const key = CONTROLLERS[bus] ? bus : 'sata';
    if (key !== bus) notes.push(`${disk.fileName}: a ${bus} disk was put on SATA.`);
    byController.set(key, [...(byController.get(key) ?? []), disk]);
  }
  const controllers = [...byController].map(([bus, attached]) => {
    const controller = CONTROLLERS[bus] as { name: string; type: string };
    return el('StorageController', {
      name: controller.name, type: controller.type, PortCount: String(Math.max(attached.length, bus === 'ide' ? 2 : 1)),
      useHostIOCache: 'false', Bootable: 'true',
    }, attached.map((disk, index) => el('AttachedDevice', {
      type: 'HardDisk', hotpluggable: 'false', port: String(bus === 'ide' ? Math.floor(index / 2) : index),
      device: String(bus === 'ide' ? index % 2 : 0),
    }, [el('Image', { uuid: `{${disk.uuid}}` })])));
  });
  const adapters = hardware.nics.slice(0, 8).map((nic, slot) => el('Adapter', {
    slot: String(slot), enabled: 'true', MACAddress: newVboxMac(), type: vboxNicType(nic.model),
  }, [el('NAT')]));
  const document = el('VirtualBox', { xmlns: 'http://www.virtualbox.org/', version: '1.19-linux' }, [
    el('Machine', { uuid: `{${machineUuid}}`, name, OSType: vboxOsType(hardware.guestOs), snapshotFolder: 'Snapshots' }, [
      el('MediaRegistry', {}, [el('HardDisks', {}, disks.map((disk) => el('HardDisk', {
        uuid: `{${disk.uuid}}`, location: disk.fileName, format: VBOX_FORMAT[disk.format] ?? 'VDI', type: 'Normal',
      })))]),
      el('Hardware', {}, [
        el('CPU', { count: String(hardware.cpus ?? 1) }, [el('PAE', { enabled: 'true' }), el('LongMode', { enabled: 'true' })]),
        el('Memory', { RAMSize: String(hardware.memoryMiB ?? 1024) }),
        el('Firmware', { type: hardware.firmware === 'efi' ? 'EFI' : 'BIOS' }),
        el('Display', { controller: 'VMSVGA', VRAMSize: '16' }),
        el('Network', {}, adapters),
        el('StorageControllers', {}, controllers),
      ]),
    ]),
  ]);
  if (hardware.nics.length > 8) notes.push('VirtualBox has 8 network cards at most: the others were not carried over.');
  return { document, machineUuid, notes };
}
