/**
 * VMware discovery on VMs written the way Workstation writes them; delta chains made with
 * qemu-img. vmrun is not installable here: the running-state confirmation uses a stand-in
 * script printing recorded `vmrun list` output.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverVms, readVm } from '../../../electron/engine/discovery/discovery-service.ts';
import { hashTree, makeTempDir, removeDir, requireQemuImg, writeStandInTool } from './vm-fixture-kit.ts';
import { WIN10_UUID, writeSuspended, writeVmwareHome, writeWin10, type VmwareFixture } from './vmware-fixtures.ts';

const hasTools = requireQemuImg();
const noTools = { PATH: '/nonexistent' };

describe.skipIf(!hasTools)('VMware discovery', () => {
  let dir: string;
  let win10: VmwareFixture;
  let suspended: string;
  let locked: string;
  beforeAll(() => {
    dir = makeTempDir('labvault-vmware-');
    const vms = join(dir, 'vmware');
    win10 = writeWin10(vms);
    suspended = writeSuspended(vms, 'suspended', { suspended: true });
    locked = writeSuspended(vms, 'busy', { locked: true });
    writeVmwareHome(join(dir, 'home'), [win10.vmx, locked], [suspended, win10.vmx]);
  });
  afterAll(() => removeDir(dir));

  it('lists the inventory and the MRU VMs from ~/.vmware and reads each .vmx', async () => {
    const before = hashTree(join(dir, 'vmware'));
    // Only VMware's VMs: this machine's /etc/libvirt/qemu may hold domains (the live libvirt test defines one).
    const vms = (await discoverVms({ env: { ...noTools, HOME: join(dir, 'home') } }))
      .filter((found) => found.hypervisor === 'vmware');
    expect(hashTree(join(dir, 'vmware'))).toBe(before);
    expect(vms.map((vm) => vm.configPath)).toEqual([win10.vmx, locked, suspended]);
    const vm = vms[0]!;
    expect(vm).toMatchObject({ name: 'Windows 10 "lab"', id: WIN10_UUID, hypervisor: 'vmware', state: 'poweroff',
      nvram: join(win10.folder, 'win10.nvram'), missingOnDisk: [] });
    const disks = Object.fromEntries(vm.disks.map((disk) => [disk.path, disk]));
    expect(disks[win10.delta2]!.chain.map((link) => link.path)).toEqual([win10.delta2, win10.delta1, win10.base]);
    expect(disks[win10.delta2]).toMatchObject({ bus: 'scsi', backupable: true, format: 'vmdk', virtualSize: 16 * 1024 * 1024 });
    expect(disks[win10.scratch]).toMatchObject({ backupable: false, reason: expect.stringContaining('independent-nonpersistent') });
    expect(disks[win10.data]).toMatchObject({ bus: 'nvme', backupable: true });
    expect(vm.notes).toContain('nvme0:0 is independent-persistent: VMware snapshots do not cover it');
    expect(vm.disks.map((disk) => disk.path)).not.toContain(join(win10.folder, 'old.vmdk'));
    expect(vm.ignoredDevices).toEqual([{ device: 'cdrom sata0:1', path: '/isos/Win10_22H2_English_x64.iso',
      reason: expect.stringContaining('removable media') }]);
    expect(vm.snapshots).toEqual([
      { name: 'fresh install', id: '1', current: false },
      { name: 'patched', id: '2', current: true, parent: '1' },
    ]);
    for (const name of ['win10.vmsd', 'win10-Snapshot1.vmsn', 'win10-Snapshot2.vmsn', 'win10.vmxf', 'win10.nvram']) {
      expect(vm.files).toContain(join(win10.folder, name));
    }
    expect(vm.files).not.toContain(join(win10.folder, 'vmware.log'));
    expect(vm.hardware).toEqual({ cpus: 2, memoryMiB: 4096, firmware: 'efi', guestOs: 'windows9-64',
      disks: expect.arrayContaining([{ path: win10.delta2, bus: 'scsi', virtualSize: 16 * 1024 * 1024 }]),
      nics: [{ model: 'e1000e', mac: '00:0c:29:aa:bb:cc', attachment: 'nat' }] });
  });

  it('a suspended VM is saved with its .vmss and .vmem', async () => {
    const vm = await readVm(suspended, { env: noTools });
    const folder = join(dir, 'vmware', 'suspended');
    expect(vm.state).toBe('saved');
    expect(vm.savedState).toEqual([join(folder, 'suspended-4a3b2c1d.vmss'), join(folder, 'suspended-4a3b2c1d.vmem')]);
    expect(vm.files).toEqual(expect.arrayContaining(vm.savedState!));
  });

  it('lock folders mean running, confirmed or refuted by vmrun list (recorded outputs)', async () => {
    const alone = await readVm(locked, { env: noTools });
    expect(alone.state).toBe('running');
    expect(alone.stateEvidence).toContain('busy.vmdk.lck, busy.vmx.lck');
    expect(alone.stateEvidence).toContain('vmrun is not on PATH');
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeStandInTool(bin, 'vmrun', [{ args: 'list', stdout: `Total running VMs: 1\n${locked}` }]);
    expect((await readVm(locked, { env: { PATH: bin } })).state).toBe('running');
    writeStandInTool(bin, 'vmrun', [{ args: 'list', stdout: 'Total running VMs: 0' }]);
    const stale = await readVm(locked, { env: { PATH: bin } });
    expect(stale.state).toBe('poweroff');
    expect(stale.stateEvidence).toContain('stale');
  });

  it('with --root, inventory paths map under the root and a held lock means crash-consistent', async () => {
    const root = join(dir, 'root');
    const vms = join(root, 'srv', 'vms');
    const held = writeSuspended(vms, 'held', { locked: true });
    writeVmwareHome(join(root, 'home', 'eve'), ['/srv/vms/held/held.vmx'], []);
    const found = await discoverVms({ root, env: noTools });
    expect(found.map((vm) => [vm.configPath, vm.state])).toEqual([[held, 'aborted']]);
  });
});
