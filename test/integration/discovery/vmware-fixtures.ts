/**
 * VMware Workstation VMs written the way Workstation writes them: .vmx keys, delta chains made
 * with qemu-img (`create -f vmdk -b`, which records parentFileNameHint), a .vmsd snapshot list,
 * the inventory (~/.vmware/inventory.vmls) and the preferences' MRU list.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createImage, writeText } from './vm-fixture-kit.ts';

export interface VmwareFixture {
  vmx: string;
  folder: string;
  base: string;
  delta1: string;
  delta2: string;
  data: string;
  scratch: string;
}

export const WIN10_UUID = '564d1234-5678-9abc-def0-123456789abc';

/** `<vmsFolder>/win10/`: EFI, scsi0:0 on a two-delta chain, an independent NVMe disk, a nonpersistent one, a CD. */
export function writeWin10(vmsFolder: string): VmwareFixture {
  const folder = join(vmsFolder, 'win10');
  const base = createImage(join(folder, 'win10.vmdk'), 'vmdk', 16);
  const delta1 = join(folder, 'win10-000001.vmdk');
  createImage(delta1, 'vmdk', 16, { path: 'win10.vmdk', format: 'vmdk' });
  const delta2 = join(folder, 'win10-000002.vmdk');
  createImage(delta2, 'vmdk', 16, { path: 'win10-000001.vmdk', format: 'vmdk' });
  const data = createImage(join(folder, 'data.vmdk'), 'vmdk', 4);
  const scratch = createImage(join(folder, 'scratch.vmdk'), 'vmdk', 4);
  writeText(join(folder, 'win10.nvram'), 'NVRAM');
  writeText(join(folder, 'win10-Snapshot1.vmsn'), 'snapshot 1 state');
  writeText(join(folder, 'win10-Snapshot2.vmsn'), 'snapshot 2 state');
  writeText(join(folder, 'vmware.log'), 'log');
  const vmx = writeText(join(folder, 'win10.vmx'), `.encoding = "UTF-8"
config.version = "8"
virtualHW.version = "21"
displayName = "Windows 10 |22lab|22"
guestOS = "windows9-64"
firmware = "efi"
numvcpus = "2"
cpuid.coresPerSocket = "2"
memsize = "4096"
nvram = "win10.nvram"
uuid.bios = "56 4d 12 34 56 78 9a bc-de f0 12 34 56 78 9a bc"
uuid.location = "56 4d 12 34 56 78 9a bc-de f0 12 34 56 78 9a bc"
scsi0.virtualDev = "lsisas1068"
scsi0.present = "TRUE"
scsi0:0.fileName = "win10-000002.vmdk"
scsi0:0.present = "TRUE"
scsi0:1.fileName = "scratch.vmdk"
scsi0:1.mode = "independent-nonpersistent"
scsi0:1.present = "TRUE"
sata0.present = "TRUE"
sata0:1.deviceType = "cdrom-image"
sata0:1.fileName = "/isos/Win10_22H2_English_x64.iso"
sata0:1.present = "TRUE"
nvme0.present = "TRUE"
nvme0:0.fileName = "data.vmdk"
nvme0:0.mode = "independent-persistent"
nvme0:0.present = "TRUE"
ide0:0.fileName = "old.vmdk"
ide0:0.present = "FALSE"
ethernet0.connectionType = "nat"
ethernet0.addressType = "generated"
ethernet0.virtualDev = "e1000e"
ethernet0.present = "TRUE"
ethernet0.generatedAddress = "00:0C:29:AA:BB:CC"
ethernet1.present = "FALSE"
checkpoint.vmState = ""
extendedConfigFile = "win10.vmxf"
`);
  writeText(join(folder, 'win10.vmxf'), '<?xml version="1.0"?><Foundry><VM/></Foundry>');
  writeText(join(folder, 'win10.vmsd'), `.encoding = "UTF-8"
snapshot.lastUID = "2"
snapshot.current = "2"
snapshot0.uid = "1"
snapshot0.filename = "win10-Snapshot1.vmsn"
snapshot0.displayName = "fresh install"
snapshot0.createTimeHigh = "398372"
snapshot0.createTimeLow = "-1046218432"
snapshot0.numDisks = "1"
snapshot0.disk0.fileName = "win10.vmdk"
snapshot0.disk0.node = "scsi0:0"
snapshot1.uid = "2"
snapshot1.filename = "win10-Snapshot2.vmsn"
snapshot1.parent = "1"
snapshot1.displayName = "patched"
snapshot1.numDisks = "1"
snapshot1.disk0.fileName = "win10-000001.vmdk"
snapshot1.disk0.node = "scsi0:0"
snapshot.numSnapshots = "2"
`);
  return { vmx, folder, base, delta1, delta2, data, scratch };
}

/** A suspended VM (checkpoint.vmState + .vmss/.vmem), optionally held open (lock folders). */
export function writeSuspended(vmsFolder: string, name: string, options: { suspended?: boolean; locked?: boolean } = {}): string {
  const folder = join(vmsFolder, name);
  createImage(join(folder, `${name}.vmdk`), 'vmdk', 4);
  if (options.suspended) {
    writeText(join(folder, `${name}-4a3b2c1d.vmss`), 'suspend image');
    writeText(join(folder, `${name}-4a3b2c1d.vmem`), 'guest memory');
  }
  if (options.locked) {
    mkdirSync(join(folder, `${name}.vmx.lck`));
    writeText(join(folder, `${name}.vmx.lck`, 'M45274.lck'), 'lock');
    mkdirSync(join(folder, `${name}.vmdk.lck`));
  }
  return writeText(join(folder, `${name}.vmx`), `.encoding = "UTF-8"
displayName = "${name}"
guestOS = "ubuntu-64"
numvcpus = "1"
memsize = "1024"
sata0.present = "TRUE"
sata0:0.fileName = "${name}.vmdk"
sata0:0.present = "TRUE"
ethernet0.present = "TRUE"
ethernet0.virtualDev = "vmxnet3"
ethernet0.connectionType = "bridged"
ethernet0.address = "00:50:56:01:02:03"
checkpoint.vmState = "${options.suspended ? `${name}-4a3b2c1d.vmss` : ''}"
`);
}

/** ~/.vmware with an inventory listing `inventory` and preferences whose MRU lists `mru`. */
export function writeVmwareHome(home: string, inventory: string[], mru: string[]): string {
  const folder = join(home, '.vmware');
  writeText(join(folder, 'inventory.vmls'), `.encoding = "UTF-8"
${inventory.map((vmx, index) => `vmlist${index + 1}.config = "${vmx}"
vmlist${index + 1}.DisplayName = "vm${index + 1}"
vmlist${index + 1}.ParentID = "0"
vmlist${index + 1}.ItemID = "${index + 1}"
vmlist${index + 1}.SeqID = "${index}"
vmlist${index + 1}.IsFavorite = "FALSE"`).join('\n')}
index0.field0.name = "guest"
index0.field0.value = "other"
index0.id = "${inventory[0] ?? ''}"
index.count = "1"
`);
  writeText(join(folder, 'preferences'), `.encoding = "UTF-8"
pref.keyboardAndMouse.vmHotKey.enabled = "FALSE"
${mru.map((vmx, index) => `pref.mruVM${index}.filename = "${vmx}"\npref.mruVM${index}.displayName = "mru${index}"`).join('\n')}
hints.hideAll = "FALSE"
`);
  return folder;
}
