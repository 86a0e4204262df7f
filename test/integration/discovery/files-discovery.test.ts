/**
 * Folders of disk images as "files" VMs (a Hyper-V VM folder: .vhdx + .avhdx chain, .vmgs,
 * .vmcx, .vmrs) and scanning any folder: configs of every hypervisor found, images a VM
 * already names left out of the "files" VM.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverVmsReport, readVm } from '../../../electron/engine/discovery/discovery-service.ts';
import { openDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { VhdxDisk } from '../../../electron/engine/disk/vhdx/vhdx-disk.ts';
import { buildTestVhdx } from '../../unit/disk/vhdx-test-images.ts';
import { createImage, hashTree, makeTempDir, qemuImg, removeDir, requireQemuImg, writeText } from './vm-fixture-kit.ts';
import { writeVbox7Machine } from './virtualbox-fixtures.ts';
import { writeSuspended } from './vmware-fixtures.ts';
import { writeSessionDomain } from './libvirt-fixtures.ts';

const hasTools = requireQemuImg();
const MIB = 1024 * 1024;
const noTools = { PATH: '/nonexistent' };

/** A differencing VHDX (.avhdx) over `parent`, located the way Hyper-V writes it (relative and absolute win32 paths). */
async function writeAvhdx(parent: string, child: string, parentName: string): Promise<void> {
  const disk = await openDiskImage(parent);
  if (!(disk instanceof VhdxDisk)) throw new Error(`${parent} did not open as VHDX`);
  const guid = `{${disk.dataWriteGuid}}`;
  await disk.close();
  writeFileSync(child, buildTestVhdx({ virtualSize: 8 * MIB, blockSize: MIB, blocks: new Map(), parent: { locator: {
    parent_linkage: guid, relative_path: `.\\${parentName}`, absolute_win32_path: `C:\\Hyper-V\\srv\\Virtual Hard Disks\\${parentName}`,
  } } }));
}

describe.skipIf(!hasTools)('folders of disk images', () => {
  let dir: string;
  let vm: string;
  let disks: string;
  beforeAll(async () => {
    dir = makeTempDir('labvault-files-');
    vm = join(dir, 'scan', 'srv');
    disks = join(vm, 'Virtual Hard Disks');
    mkdirSync(disks, { recursive: true });
    qemuImg(['create', '-q', '-f', 'vhdx', '-o', 'block_size=1M', join(disks, 'srv.vhdx'), '8M']);
    await writeAvhdx(join(disks, 'srv.vhdx'), join(disks, 'srv_6A1B2C3D-0000-4000-8000-000000000001.avhdx'), 'srv.vhdx');
    await writeAvhdx(join(disks, 'srv_6A1B2C3D-0000-4000-8000-000000000001.avhdx'),
      join(disks, 'srv_6A1B2C3D-0000-4000-8000-000000000002.avhdx'), 'srv_6A1B2C3D-0000-4000-8000-000000000001.avhdx');
    createImage(join(disks, 'data.vhdx'), 'vhdx', 4);
    const config = join(vm, 'Virtual Machines');
    writeText(join(config, '4F1E2D3C-0000-4000-8000-00000000000A.vmcx'), 'vmcx');
    writeText(join(config, '4F1E2D3C-0000-4000-8000-00000000000A.vmgs'), 'guest state');
    writeText(join(config, '4F1E2D3C-0000-4000-8000-00000000000A.VMRS'), 'runtime state');
  });
  afterAll(() => removeDir(dir));

  it('a Hyper-V VM folder is one "files" VM: each top layer a disk, parents in its chain, .vmgs as NVRAM', async () => {
    const before = hashTree(vm);
    const found = await readVm(vm, { env: noTools });
    expect(hashTree(vm)).toBe(before);
    expect(found).toMatchObject({ name: 'srv', hypervisor: 'files', configPath: vm, state: 'unknown', missingOnDisk: [] });
    const top = join(disks, 'srv_6A1B2C3D-0000-4000-8000-000000000002.avhdx');
    expect(found.disks.map((disk) => disk.path)).toEqual([join(disks, 'data.vhdx'), top]);
    expect(found.disks[1]!.chain.map((link) => link.path)).toEqual([
      top, join(disks, 'srv_6A1B2C3D-0000-4000-8000-000000000001.avhdx'), join(disks, 'srv.vhdx')]);
    expect(found.disks[1]!.format).toBe('vhdx');
    expect(found.nvram).toBe(join(vm, 'Virtual Machines', '4F1E2D3C-0000-4000-8000-00000000000A.vmgs'));
    expect(found.files).toHaveLength(7);
    expect(found.notes).toEqual([expect.stringContaining('.vmcx')]);
  });

  it('scanning any folder finds each hypervisor\'s configs and leaves their images out of "files" VMs', async () => {
    const scan = join(dir, 'scan');
    const vbox = writeVbox7Machine(join(dir, 'vbox-home'), join(scan, 'VirtualBox VMs'));
    const vmx = writeSuspended(join(scan, 'vmware'), 'tiny');
    const session = writeSessionDomain(join(scan, 'kvm-home'), join(scan, 'images'));
    createImage(join(scan, 'images', 'loose.qcow2'), 'qcow2', 2);
    const report = await discoverVmsReport({ paths: [scan], env: noTools });
    expect(report.problems).toEqual([]);
    const byConfig = Object.fromEntries(report.vms.map((found) => [found.configPath, found.hypervisor]));
    expect(byConfig).toEqual({
      [vbox.configPath]: 'virtualbox', [vmx]: 'vmware', [session.config]: 'libvirt-qemu',
      [vm]: 'files', [join(scan, 'images')]: 'files',
    });
    const images = report.vms.find((found) => found.configPath === join(scan, 'images'))!;
    expect(images.disks.map((disk) => disk.path)).toEqual([join(scan, 'images', 'loose.qcow2')]);
  });

  it('leaves out Labvault\'s own clones beside a VM (.labvault-snapshots): never offered as VMs or disks', async () => {
    const scan = join(dir, 'scan-clones');
    const vmx = writeSuspended(join(scan, 'vmware'), 'tiny');
    const clones = join(dirname(vmx), '.labvault-snapshots', '6f1c2a3b-0000-4000-8000-000000000001', '20261203T120000Z');
    const staged = join(dir, 'clone-staging');
    cpSync(dirname(vmx), staged, { recursive: true });
    mkdirSync(dirname(clones), { recursive: true });
    cpSync(staged, clones, { recursive: true });
    createImage(join(clones, 'extra.qcow2'), 'qcow2', 2);
    const report = await discoverVmsReport({ paths: [scan], env: noTools });
    expect(report.problems).toEqual([]);
    expect(report.vms.map((found) => found.configPath)).toEqual([vmx]);
  });

  it('refuses a file that is not a VM configuration, naming it', async () => {
    const text = writeText(join(dir, 'notes.txt'), 'hello');
    await expect(readVm(text, { env: noTools })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining(text) });
    await expect(readVm(join(dir, 'gone.vbox'), { env: noTools })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const evil = writeText(join(dir, 'evil.vbox'), '<!DOCTYPE x [<!ENTITY a "a">]><VirtualBox/>');
    await expect(readVm(evil, { env: noTools })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
