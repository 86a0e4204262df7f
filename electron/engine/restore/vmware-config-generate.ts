/**
 * A VMware .vmx generated for a VM restored from another hypervisor, from the point's
 * hardware summary: CPUs, memory, firmware, each restored VMDK on the bus the summary names
 * (SATA for buses VMware has no match for), network cards on NAT with their model mapped
 * and generated MAC addresses (VMware assigns them when it opens the VM).
 */
import type { PointVm } from '../../../shared/contract/item-models.ts';
import type { RestoredDisk } from './restored-disk.ts';
import { vmxLine } from './vmware-config-rewrite.ts';

const BUSES = new Set(['sata', 'scsi', 'ide', 'nvme']);

/** A VMware virtualDev from any hypervisor's NIC model. */
export function vmwareNicModel(model: string | undefined): string {
  const named = (model ?? '').toLowerCase();
  if (named === 'vmxnet3' || named.includes('virtio')) return 'vmxnet3';
  if (named === 'e1000') return 'e1000';
  return 'e1000e';
}

/** A VMware guestOS from a guest OS name of any hypervisor. */
export function vmwareGuestOs(guestOs: string | undefined): string {
  const named = (guestOs ?? '').toLowerCase();
  const bits = /64/.test(named) ? '-64' : '';
  if (named.includes('ubuntu')) return `ubuntu${bits}`;
  if (named.includes('debian')) return `debian12${bits}`;
  if (named.includes('windows') || named.startsWith('win')) return bits ? 'windows9-64' : 'windows9';
  if (named.includes('linux')) return `other5xlinux${bits}`;
  return bits ? 'other-64' : 'other';
}

export function generateVmx(vm: PointVm, name: string, disks: RestoredDisk[],
  nvramFile?: string): { text: string; notes: string[] } {
  const notes: string[] = [];
  const hardware = vm.hardware;
  const lines = [
    vmxLine('.encoding', 'UTF-8'), vmxLine('config.version', '8'), vmxLine('virtualHW.version', '19'),
    vmxLine('displayName', name), vmxLine('guestOS', vmwareGuestOs(hardware.guestOs)),
    vmxLine('memsize', String(hardware.memoryMiB ?? 1024)), vmxLine('numvcpus', String(hardware.cpus ?? 1)),
  ];
  if (hardware.firmware === 'efi') lines.push(vmxLine('firmware', 'efi'));
  if (nvramFile) lines.push(vmxLine('nvram', nvramFile));
  const units = new Map<string, number>();
  for (const disk of disks) {
    const named = (disk.bus ?? 'sata').toLowerCase();
    const bus = BUSES.has(named) ? named : 'sata';
    if (bus !== named) notes.push(`${disk.fileName}: a ${named} disk was put on SATA.`);
    const unit = units.get(bus) ?? 0;
    if (unit === 0) {
      lines.push(vmxLine(`${bus}0.present`, 'TRUE'));
      if (bus === 'scsi') lines.push(vmxLine('scsi0.virtualDev', 'lsisas1068'));
    }
    units.set(bus, unit + 1);
    const device = bus === 'ide' ? `ide${Math.floor(unit / 2)}:${unit % 2}` : `${bus}0:${unit}`;
    lines.push(vmxLine(`${device}.present`, 'TRUE'), vmxLine(`${device}.fileName`, disk.fileName));
  }
  hardware.nics.slice(0, 10).forEach((nic, index) => {
    lines.push(vmxLine(`ethernet${index}.present`, 'TRUE'), vmxLine(`ethernet${index}.connectionType`, 'nat'),
      vmxLine(`ethernet${index}.virtualDev`, vmwareNicModel(nic.model)), vmxLine(`ethernet${index}.addressType`, 'generated'));
  });
  return { text: `${lines.join('\n')}\n`, notes };
}
