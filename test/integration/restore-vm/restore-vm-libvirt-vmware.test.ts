/**
 * Restores as a new VM through the real CLI, for libvirt and VMware:
 * - a libvirt domain whose disk has an external snapshot layer (absolute backing path, as
 *   virsh snapshot-create-as --disk-only leaves it) restored as a new domain: name, uuid and
 *   MAC new, the source the merged qcow2 in the new folder, no backingStore; the XML parsed
 *   by libvirt itself (virsh define on the test driver, in the job and here) and
 *   registered with `virsh define` on the connection named (test:///default, in memory);
 * - a VMware VM with a two-delta VMDK chain restored flattened to one VMDK (qemu-img compare
 *   with the point's merged content), displayName new, uuid.bios/uuid.location gone, the
 *   nonpersistent disk (not in the point) detached;
 * - a saved VirtualBox VM restored with its saved state and registered through a VBoxManage
 *   stand-in (not installable here), whose `list vms` also makes a name taken.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVm } from '../../../electron/engine/discovery/discovery-service.ts';
import { createImage, removeDir, requireQemuImg } from '../discovery/vm-fixture-kit.ts';
import { writeVbox2Home } from '../discovery/virtualbox-fixtures.ts';
import { writeWin10 } from '../discovery/vmware-fixtures.ts';
import { LIBVIRT_UUID, makeLibvirtVm, makeVirtualBoxVm, takeLibvirtSnapshot } from '../vm-items/vm-fixtures.ts';
import { makeVmItemsRoot, type VmItemsRoot } from '../vm-items/vm-items-kit.ts';
import { expectedRaw, linkTools, protectAndBackup, qemuCheck, qemuCompare, qemuWrite, writeVmdkChain, type RestoredJob } from './restore-vm-kit.ts';

const hasQemu = requireQemuImg();
const hasVirsh = (() => {
  try {
    execFileSync('virsh', ['-c', 'test:///default', 'list', '--all'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasQemu)('restore vm: libvirt and VMware VMs as new VMs', () => {
  let kit: VmItemsRoot;

  beforeAll(() => {
    kit = makeVmItemsRoot('labvault-restore-lv-');
    linkTools(kit, ['qemu-img', 'virsh', 'virt-xml-validate']);
  });

  afterAll(() => removeDir(kit.root));

  it.skipIf(!hasVirsh)('a libvirt domain with an external snapshot layer becomes a new domain, defined by virsh', () => {
    const vm = makeLibvirtVm(join(kit.root, 'libvirt'), 'web');
    qemuWrite(vm.disk, 'qcow2', 0x21, 0, 3);
    const overlay = takeLibvirtSnapshot(vm, vm.disk, 'snap1');
    qemuWrite(overlay, 'qcow2', 0x22, 2, 2);
    const { pointId } = protectAndBackup(kit, vm.config);
    const to = join(kit.root, 'restored', 'web-tuesday');
    const run = kit.cli('restore', 'vm', 'web', '--point', pointId, '--to', to, '--name', 'web-tuesday',
      '--connection', 'test:///default', '--json');
    expect(run.code, run.stderr).toBe(0);
    const job = run.json<RestoredJob>();
    expect(job.plan).toMatchObject({ hypervisor: 'libvirt-qemu', registers: true, registerCommand: ['virsh', '-c', 'test:///default', 'define', join(to, 'web-tuesday.xml')] });
    const verify = job.subtasks.find((subtask) => subtask.name === 'Verify');
    expect(verify?.message).toContain('libvirt parses it');
    expect(verify?.message).toContain('Registered: virsh -c test:///default define');
    expect(readdirSync(to).sort()).toEqual(['web-tuesday.qcow2', 'web-tuesday.xml']);
    const disk = join(to, 'web-tuesday.qcow2');
    expect(qemuCompare(expectedRaw(join(kit.root, 'web.raw'), 16, [[0x21, 0, 3], [0x22, 2, 2]]), 'raw', disk, 'qcow2')).toBe(0);
    qemuCheck(disk, 'qcow2');
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', disk], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(info['backing-filename']).toBeUndefined();

    const xml = readFileSync(join(to, 'web-tuesday.xml'), 'utf8');
    expect(xml).toContain('<name>web-tuesday</name>');
    expect(xml).not.toContain(LIBVIRT_UUID);
    expect(xml).not.toContain('52:54:00:6b:3c:21');
    expect(xml).toContain(`<source file="${disk}"/>`);
    expect(xml).not.toContain('backingStore');
    expect(xml).not.toContain(vm.dir);
    expect(xml).toContain('device="cdrom"');
    const defined = execFileSync('virsh', ['-c', 'test:///default', 'define', join(to, 'web-tuesday.xml')], { encoding: 'utf8' });
    expect(defined).toContain("Domain 'web-tuesday' defined");
    return readVm(join(to, 'web-tuesday.xml'), { env: { PATH: '' } }).then((found) => {
      expect(found.name).toBe('web-tuesday');
      expect(found.id).not.toBe(LIBVIRT_UUID);
      expect(found.disks.map((d) => [d.path, d.format, d.chain.length])).toEqual([[disk, 'qcow2', 1]]);
      expect(found.hardware).toMatchObject({ cpus: 2, memoryMiB: 1024 });
    });
  });

  it('a VMware VM with a delta chain is restored flattened to one VMDK', () => {
    const fx = writeWin10(join(kit.root, 'vmware'));
    writeVmdkChain([[fx.base, [[0x51, 0, 2]]], [fx.delta1, [[0x52, 4, 1]]], [fx.delta2, [[0x53, 8, 1]]]]);
    const { item, pointId } = protectAndBackup(kit, fx.vmx, 'win10');
    const to = join(kit.root, 'restored', 'win10-copy');
    const run = kit.cli('restore', 'vm', item, '--point', pointId, '--to', to, '--name', 'win10-copy', '--json');
    expect(run.code, run.stderr).toBe(0);
    const job = run.json<RestoredJob>();
    expect(job.plan.registers).toBe(false);
    expect(job.plan.disks.map((disk) => [disk.source, disk.path, disk.format])).toEqual([
      [join(fx.folder, 'data.vmdk'), join(to, 'win10-copy.vmdk'), 'vmdk'],
      [fx.delta2, join(to, 'win10-copy-disk2.vmdk'), 'vmdk'],
    ]);
    expect(readdirSync(to).sort()).toEqual(['win10-copy-disk2.vmdk', 'win10-copy.nvram', 'win10-copy.vmdk', 'win10-copy.vmx']);
    const flat = join(to, 'win10-copy-disk2.vmdk');
    expect(qemuCompare(expectedRaw(join(kit.root, 'win10.raw'), 16, [[0x51, 0, 2], [0x52, 4, 1], [0x53, 8, 1]]), 'raw', flat, 'vmdk')).toBe(0);
    qemuCheck(flat, 'vmdk');
    const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', flat], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(info['backing-filename']).toBeUndefined();

    const vmx = readFileSync(join(to, 'win10-copy.vmx'), 'utf8');
    expect(vmx).toContain('displayName = "win10-copy"');
    expect(vmx).not.toMatch(/uuid\.(bios|location)/);
    expect(vmx).not.toContain('generatedAddress');
    expect(vmx).toContain('scsi0:0.fileName = "win10-copy-disk2.vmdk"');
    expect(vmx).toContain('nvme0:0.fileName = "win10-copy.vmdk"');
    expect(vmx).toContain('scsi0:1.present = "FALSE"');
    expect(vmx).not.toContain('scratch.vmdk');
    expect(vmx).toContain('nvram = "win10-copy.nvram"');
    expect(vmx).toContain('sata0:1.fileName = "/isos/Win10_22H2_English_x64.iso"');
    expect(vmx).not.toContain('extendedConfigFile');
    return readVm(join(to, 'win10-copy.vmx'), { env: { PATH: '' } }).then((found) => {
      expect(found.name).toBe('win10-copy');
      expect(found.disks.map((d) => [d.path, d.chain.length])).toEqual([[join(to, 'win10-copy.vmdk'), 1], [flat, 1]]);
      expect(found.hardware).toMatchObject({ cpus: 2, memoryMiB: 4096, firmware: 'efi' });
    });
  });

  it('a saved VirtualBox VM keeps its saved state and is registered with VBoxManage; a failed registration keeps the verified VM', () => {
    const vm = makeVirtualBoxVm(join(kit.root, 'vbox-saved'), 'saved-vm', 'saved');
    const { pointId, point } = protectAndBackup(kit, vm.config);
    expect(point.consistency).toBe('saved-state');
    const log = join(kit.root, 'vboxmanage.log');
    // VBoxManage is not installable here: a stand-in that answers `list vms` as VirtualBox 7 prints it and records registervm.
    kit.tool('VBoxManage', `echo "$@" >> '${log}'
case "$1" in
  list) printf '"other-vm" {0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9}\n' ;;
  registervm) case "$2" in *refused*) echo "VBoxManage: error: Machine settings file is not accessible" >&2; exit 1 ;; esac ;;
esac`);
    const taken = kit.cli('restore', 'vm', 'saved-vm', '--point', pointId, '--to', join(kit.root, 'restored', 'taken'), '--name', 'other-vm');
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain('already has a VM named "other-vm"');

    const to = join(kit.root, 'restored', 'saved-copy');
    const run = kit.cli('restore', 'vm', 'saved-vm', '--point', pointId, '--to', to, '--name', 'saved-copy', '--json');
    expect(run.code, run.stderr).toBe(0);
    const job = run.json<RestoredJob>();
    expect(job.plan).toMatchObject({ savedState: true, registers: true });
    expect(readdirSync(to).sort()).toEqual(['saved-copy.sav', 'saved-copy.vbox', 'saved-copy.vdi']);
    expect(readFileSync(join(to, 'saved-copy.sav')).equals(Buffer.alloc(64 * 1024, 0x5a))).toBe(true);
    const vbox = readFileSync(join(to, 'saved-copy.vbox'), 'utf8');
    expect(vbox).toContain('stateFile="saved-copy.sav"');
    expect(vbox).toContain('MACAddress="0800275A1B2C"');
    expect(readFileSync(log, 'utf8')).toContain(`registervm ${join(to, 'saved-copy.vbox')}`);
    expect(job.subtasks.find((subtask) => subtask.name === 'Verify')?.message).toContain(`Registered: VBoxManage registervm ${join(to, 'saved-copy.vbox')}`);

    const dropped = join(kit.root, 'restored', 'refused');
    const refused = kit.cli('restore', 'vm', 'saved-vm', '--point', pointId, '--to', dropped, '--name', 'dropped-state', '--drop-saved-state', '--json');
    expect(refused.code).toBe(1);
    const failed = refused.json<RestoredJob>();
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toContain(`restored and verified, but VBoxManage registervm ${join(dropped, 'dropped-state.vbox')} failed`);
    expect(readdirSync(dropped).sort()).toEqual(['dropped-state.vbox', 'dropped-state.vdi']);
    expect(readFileSync(join(dropped, 'dropped-state.vbox'), 'utf8')).not.toContain('stateFile');
  });

  it.skipIf(!hasVirsh)('a folder of disk images (a Hyper-V VM) is restored for libvirt with a generated domain', () => {
    const folder = join(kit.root, 'hyperv', 'Virtual Hard Disks');
    const vhdx = createImage(join(folder, 'file-server.vhdx'), 'vhdx', 16);
    qemuWrite(vhdx, 'vhdx', 0x61, 1, 2);
    const { item, pointId } = protectAndBackup(kit, join(kit.root, 'hyperv'), 'file-server');
    const to = join(kit.root, 'restored', 'file-server-kvm');
    const refused = kit.cli('restore', 'vm', item, '--point', pointId, '--to', to, '--name', 'file-server-kvm');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--hypervisor');
    const run = kit.cli('restore', 'vm', item, '--point', pointId, '--to', to, '--name', 'file-server-kvm', '--hypervisor', 'libvirt-qemu',
      '--connection', 'test:///default', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(run.json<RestoredJob>().plan).toMatchObject({ from: 'files', hypervisor: 'libvirt-qemu' });
    expect(readdirSync(to).sort()).toEqual(['file-server-kvm.qcow2', 'file-server-kvm.xml']);
    expect(qemuCompare(vhdx, 'vhdx', join(to, 'file-server-kvm.qcow2'), 'qcow2')).toBe(0);
  });

  it('a VirtualBox 2.x machine (settings 1.7, media in the global registry) gets a generated .vbox', () => {
    const home = join(kit.root, 'old-vbox', '.VirtualBox');
    const fx = writeVbox2Home(home, home);
    qemuWrite(fx.base, 'vdi', 0x71, 0, 1);
    const { item, pointId } = protectAndBackup(kit, fx.configPath, 'xp');
    const to = join(kit.root, 'restored', 'xp-copy');
    const run = kit.cli('restore', 'vm', item, '--point', pointId, '--to', to, '--name', 'xp-copy', '--json');
    expect(run.code, run.stderr).toBe(0);
    const job = run.json<RestoredJob>();
    expect(job.subtasks[0]?.message).toContain('older than settings 1.9');
    expect(readdirSync(to).sort()).toEqual(['xp-copy.vbox', 'xp-copy.vdi']);
    expect(qemuCompare(expectedRaw(join(kit.root, 'xp.raw'), 4, [[0x71, 0, 1]]), 'raw', join(to, 'xp-copy.vdi'), 'vdi')).toBe(0);
    const vbox = readFileSync(join(to, 'xp-copy.vbox'), 'utf8');
    expect(vbox).toContain('name="xp-copy"');
    expect(vbox).toContain('<Memory RAMSize="512"/>');
    expect(vbox).toContain('type="PIIX4"');
  });

  it('a point whose stored data is damaged fails the restore with exit 3 and leaves nothing behind', () => {
    const points = kit.ok('points', 'list', 'saved-vm', '--json').json<{ id: string }[]>();
    // Last test of the file: every chunk of the vault gets a flipped byte in its middle.
    const chunks = join(kit.root, 'vault', 'data', 'chunks');
    for (const prefix of readdirSync(chunks)) {
      for (const name of readdirSync(join(chunks, prefix))) {
        const path = join(chunks, prefix, name);
        const bytes = readFileSync(path);
        const middle = bytes.length >> 1;
        bytes.writeUInt8(bytes.readUInt8(middle) ^ 0x40, middle);
        writeFileSync(path, bytes);
      }
    }
    const to = join(kit.root, 'restored', 'damaged');
    const run = kit.cli('restore', 'vm', 'saved-vm', '--point', points[0]!.id, '--to', to, '--name', 'damaged', '--no-register', '--json');
    expect(run.code, run.stderr).toBe(3);
    expect(run.json<RestoredJob>()).toMatchObject({ status: 'failed', error: { code: 'CORRUPT' } });
    expect(existsSync(to)).toBe(false);
  });
});
