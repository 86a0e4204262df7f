/**
 * VirtualBox discovery on machines written the way VirtualBox writes them (settings 1.19 and
 * 1.7), disk chains made of real differencing VDIs. VBoxManage is not installable here: the
 * state confirmation runs against a stand-in script that prints recorded VBoxManage output.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverVms, readVm } from '../../../electron/engine/discovery/discovery-service.ts';
import {
  createImage, hashTree, makeTempDir, removeDir, requireQemuImg, writeStandInTool, writeText,
} from './vm-fixture-kit.ts';
import { UBUNTU_UUID, writeLinkedClone, writeVbox2Home, writeVbox7Machine } from './virtualbox-fixtures.ts';

const hasTools = requireQemuImg();
const noTools = { PATH: '/nonexistent' };

describe.skipIf(!hasTools)('VirtualBox discovery', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeTempDir('labvault-vbox-');
  });
  afterAll(() => removeDir(dir));

  it('reads a 7.x machine from VBOX_USER_HOME: current chain, snapshots, NVRAM, devices, hardware', async () => {
    const home = join(dir, 'vbox7', 'home');
    const fixture = writeVbox7Machine(home, join(dir, 'vbox7', 'VirtualBox VMs'));
    const before = hashTree(join(dir, 'vbox7'));
    // Only VirtualBox's VMs: this machine's own /etc/libvirt/qemu may hold domains.
    const vms = (await discoverVms({ env: { ...noTools, VBOX_USER_HOME: home, HOME: join(dir, 'nohome') } }))
      .filter((found) => found.hypervisor === 'virtualbox');
    expect(hashTree(join(dir, 'vbox7'))).toBe(before);
    expect(vms).toHaveLength(1);
    const vm = vms[0]!;
    expect(vm).toMatchObject({ name: 'ubuntu-efi', id: UBUNTU_UUID, hypervisor: 'virtualbox', configPath: fixture.configPath });
    expect(vm.disks).toHaveLength(1);
    expect(vm.disks[0]).toMatchObject({ path: fixture.diff2, format: 'vdi', backupable: true, bus: 'sata', virtualSize: 8 * 1024 * 1024 });
    expect(vm.disks[0]!.chain.map((link) => link.path)).toEqual([fixture.diff2, fixture.diff1, fixture.base]);
    const folder = join(dir, 'vbox7', 'VirtualBox VMs', 'ubuntu-efi');
    expect(vm.nvram).toBe(join(folder, 'ubuntu-efi.nvram'));
    expect(new Set(vm.files)).toEqual(new Set([
      fixture.configPath, fixture.diff2, fixture.diff1, fixture.base, vm.nvram,
      join(folder, 'Snapshots', '2026-11-29T09-00-00-000000000Z.sav'),
    ]));
    expect(vm.missingOnDisk).toEqual([]);
    expect(vm.ignoredDevices).toEqual([{ device: 'dvd on SATA port 1 device 0', path: '/isos/ubuntu-24.04-desktop-amd64.iso',
      reason: expect.stringContaining('removable media') }]);
    expect(vm.snapshots).toEqual([
      { name: 'clean install', id: '11111111-2222-4333-8444-555555555555', current: false },
      { name: 'before upgrade', id: '66666666-7777-4888-9999-aaaaaaaaaaaa', current: true, parent: '11111111-2222-4333-8444-555555555555' },
    ]);
    expect(vm.hardware).toEqual({
      cpus: 4, memoryMiB: 4096, firmware: 'efi', guestOs: 'Ubuntu_64',
      disks: [{ path: fixture.diff2, bus: 'sata', virtualSize: 8 * 1024 * 1024 }],
      nics: [{ model: '82540EM', mac: '08:00:27:1a:2b:3c', attachment: 'nat' }, { model: 'virtio', mac: '08:00:27:4d:5e:6f', attachment: 'bridged:eth0' }],
    });
    expect(vm.state).toBe('poweroff');
    expect(vm.stateEvidence).toContain('VBoxManage is not on PATH; no VirtualBox VM process runs it');
  });

  it('without VBoxManage, a VBoxHeadless process for the machine in /proc means running', async () => {
    const fixture = writeVbox7Machine(join(dir, 'proc', 'home'), join(dir, 'proc', 'vms'));
    // A stand-in VBoxHeadless (VirtualBox is not installable here): a script that sleeps, started
    // the way VirtualBox starts a headless VM, so its command line is what /proc shows for one.
    const headless = writeText(join(dir, 'proc', 'bin', 'VBoxHeadless'), '#!/bin/sh\ntrap \'kill $! 2>/dev/null; exit 0\' TERM\nsleep 60 &\nwait\n');
    chmodSync(headless, 0o755);
    const child = spawn(headless, ['--comment', 'ubuntu-efi', '--startvm', UBUNTU_UUID, '--vrde', 'config'], { stdio: 'ignore' });
    try {
      await new Promise((resolveSpawn) => child.once('spawn', resolveSpawn));
      const vm = await readVm(fixture.configPath, { env: noTools });
      expect(vm.state).toBe('running');
      expect(vm.stateEvidence).toContain(`VM process ${child.pid} runs it`);
    } finally {
      child.kill();
    }
  });

  it('states from the file: saved, aborted, aborted with a saved state', async () => {
    const cases: { options: { stateFile?: boolean; aborted?: boolean }; state: string }[] = [
      { options: { stateFile: true }, state: 'saved' },
      { options: { aborted: true }, state: 'aborted' },
      { options: { stateFile: true, aborted: true }, state: 'saved' },
    ];
    for (const [index, { options, state }] of cases.entries()) {
      const fixture = writeVbox7Machine(join(dir, `state${index}`, 'home'), join(dir, `state${index}`, 'vms'), options);
      const vm = await readVm(fixture.configPath, { env: noTools });
      expect(vm.state, JSON.stringify(options)).toBe(state);
      if (options.stateFile) {
        expect(vm.savedState).toEqual([fixture.savedState]);
        expect(vm.files).toContain(fixture.savedState);
      }
    }
  });

  it('confirms the state with VBoxManage when it is on PATH (recorded outputs)', async () => {
    const fixture = writeVbox7Machine(join(dir, 'cli', 'home'), join(dir, 'cli', 'vms'));
    const bin = join(dir, 'cli', 'bin');
    mkdirSync(bin, { recursive: true });
    writeStandInTool(bin, 'VBoxManage', [{
      args: `showvminfo {${UBUNTU_UUID}} --machinereadable`,
      stdout: `name="ubuntu-efi"\ngroups="/"\nostype="Ubuntu (64-bit)"\nUUID="${UBUNTU_UUID}"\nCfgFile="${fixture.configPath}"\nmemory=4096\nfirmware="EFI"\ncpus=4\nVMState="running"\nVMStateChangeTime="2026-12-02T17:01:12.000000000"`,
    }]);
    const running = await readVm(fixture.configPath, { env: { PATH: bin } });
    expect(running.state).toBe('running');
    expect(running.stateEvidence).toContain('VMState="running"');
    writeStandInTool(bin, 'VBoxManage', [
      { args: 'showvminfo*', stdout: 'VBoxManage: error: Could not find a registered machine', exit: 1 },
      { args: 'list runningvms', stdout: '"other" {0a0a0a0a-0000-4000-8000-000000000000}' },
    ]);
    const off = await readVm(fixture.configPath, { env: { PATH: bin } });
    expect(off.state).toBe('poweroff');
    expect(off.stateEvidence).toContain('not in VBoxManage list runningvms');
  });

  it('reads a 2.x home (settings 1.7): global media registry, HardDiskAttachment, absolute paths under --root', async () => {
    const root = join(dir, 'mounted');
    const home = join(root, 'home', 'ann', '.VirtualBox');
    const fixture = writeVbox2Home(home, '/home/ann/.VirtualBox', { aborted: true });
    const before = hashTree(root);
    const vms = await discoverVms({ root, env: noTools });
    expect(hashTree(root)).toBe(before);
    expect(vms.map((vm) => vm.name)).toEqual(['xp']);
    const vm = vms[0]!;
    expect(vm.configPath).toBe(fixture.configPath);
    expect(vm.state).toBe('aborted');
    expect(vm.disks[0]!.chain.map((link) => link.path)).toEqual([fixture.diff1, fixture.base]);
    expect(vm.disks[0]!.bus).toBe('ide');
    expect(vm.hardware).toMatchObject({ cpus: 1, memoryMiB: 512, firmware: 'bios', guestOs: 'WindowsXP' });
    expect(vm.notes).toContain('settings version 1.7-linux');
  });

  it('names the layers that are missing and keeps the other VMs', async () => {
    const home = join(dir, 'missing', 'home');
    const fixture = writeVbox7Machine(home, join(dir, 'missing', 'vms'));
    removeDir(fixture.diff1);
    const vm = await readVm(fixture.configPath, { env: noTools });
    expect(vm.disks[0]!.backupable).toBe(false);
    expect(vm.disks[0]!.reason).toContain('not on disk');
    expect(vm.missingOnDisk).toContain(fixture.diff1);
  });

  it('linked clones: the shared base is found through the media registry (checked by UUID) and listed as shared', async () => {
    const golden = createImage(join(dir, 'golden', 'debian-base.vdi'), 'vdi', 8);
    const vms = join(dir, 'clones');
    const a = writeLinkedClone(vms, 'clone-a', 'aaaaaaaa-0000-4000-8000-00000000000a', golden);
    const b = writeLinkedClone(vms, 'clone-b', 'bbbbbbbb-0000-4000-8000-00000000000b', golden);
    const found = await discoverVms({ paths: [vms], env: noTools });
    expect(found.map((vm) => vm.name)).toEqual(['clone-a', 'clone-b']);
    expect(found[0]!.disks[0]!.chain.map((link) => link.path)).toEqual([a.child, golden]);
    expect(found[1]!.disks[0]!.chain.map((link) => link.path)).toEqual([b.child, golden]);
    expect(found[0]!.sharedWith).toEqual([{ path: golden, vms: ['clone-b'] }]);
    expect(found[0]!.notes).toEqual(['settings version 1.18-linux']);
  });

  it('a registry parent that is another image is a note, and the image is followed', async () => {
    const golden = createImage(join(dir, 'mixed', 'm', 'base.vdi'), 'vdi', 8);
    const impostor = createImage(join(dir, 'elsewhere', 'impostor.vdi'), 'vdi', 8);
    const clone = writeLinkedClone(join(dir, 'mixed'), 'm', 'cccccccc-0000-4000-8000-00000000000c', golden);
    writeFileSync(clone.configPath, readFileSync(clone.configPath, 'utf8').replace(`location="${golden}"`, `location="${impostor}"`));
    const vm = await readVm(clone.configPath, { env: noTools });
    expect(vm.disks[0]!.chain.map((link) => link.path)).toEqual([clone.child, golden]);
    expect(vm.notes?.join('\n')).toContain(`the registry's parent ${impostor} is another image`);
  });
});
