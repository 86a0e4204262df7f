/**
 * libvirt/QEMU discovery on domains written the way libvirtd writes them; overlays made with
 * qemu-img over a golden base. virsh is not installable here: the state confirmation uses a
 * stand-in script printing recorded `virsh domstate --reason` output.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverVms, readVm } from '../../../electron/engine/discovery/discovery-service.ts';
import { hashTree, makeTempDir, removeDir, requireQemuImg, writeStandInTool, writeText } from './vm-fixture-kit.ts';
import { WEB_UUID, type SystemFixture, writeSessionDomain, writeSystemTree } from './libvirt-fixtures.ts';

const hasTools = requireQemuImg();
const noTools = { PATH: '/nonexistent' };

describe.skipIf(!hasTools)('libvirt discovery', () => {
  let dir: string;
  let system: SystemFixture;
  beforeAll(() => {
    dir = makeTempDir('labvault-libvirt-');
    system = writeSystemTree(join(dir, 'root'));
  });
  afterAll(() => removeDir(dir));

  it('reads the system domains of another machine\'s disk (--root): chains, NVRAM, skipped disks, shared base', async () => {
    const before = hashTree(system.root);
    const vms = await discoverVms({ root: system.root, env: noTools });
    expect(hashTree(system.root)).toBe(before);
    expect(vms.map((vm) => vm.name)).toEqual(['db', 'web']);
    const [db, web] = vms as [NonNullable<(typeof vms)[0]>, NonNullable<(typeof vms)[0]>];
    expect(web).toMatchObject({ id: WEB_UUID, hypervisor: 'libvirt-qemu', configPath: system.web, nvram: system.webNvram,
      state: 'aborted', missingOnDisk: [] });
    expect(web.stateEvidence).toContain('status file');
    expect(web.disks).toEqual([{ path: system.webDisk, format: 'qcow2', bus: 'virtio', backupable: true, virtualSize: 32 * 1024 * 1024,
      chain: [{ path: system.webDisk, format: 'qcow2' }, { path: system.golden, format: 'qcow2' }] }]);
    expect(web.ignoredDevices).toEqual([
      { device: 'cdrom sda', path: join(system.root, 'var/lib/libvirt/images/debian-12.8.0-amd64-netinst.iso'),
        reason: expect.stringContaining('removable media') },
      { device: 'disk vdb', path: 'rbd:pool/web-data', reason: expect.stringContaining('network disk') },
      { device: 'disk vdc', path: '/dev/sdb', reason: expect.stringContaining('block device') },
    ]);
    expect(web.hardware).toEqual({ cpus: 2, memoryMiB: 2048, firmware: 'efi', guestOs: 'http://debian.org/debian/12',
      disks: [{ path: system.webDisk, bus: 'virtio', virtualSize: 32 * 1024 * 1024 }],
      nics: [{ model: 'virtio', mac: '52:54:00:6b:3c:58', attachment: 'network:default' },
        { model: 'e1000e', mac: '52:54:00:aa:bb:cc', attachment: 'bridge:br0' }] });
    expect(web.snapshots).toEqual([{ name: 'before-update', current: true }]);
    expect(web.sharedWith).toEqual([{ path: system.golden, vms: ['db'] }]);
    expect(db).toMatchObject({ state: 'saved', savedState: [system.dbSave], hardware: { firmware: 'bios', memoryMiB: 1024, cpus: 1 } });
    expect(db.files).toEqual([system.db, system.dbDisk, system.golden, system.dbSave]);
    expect(db.notes?.join('\n')).toContain('the registry names');
    expect(db.sharedWith).toEqual([{ path: system.golden, vms: ['web'] }]);
  });

  it('a missing base is named, and the disk is not backupable', async () => {
    const root = join(dir, 'broken');
    const fixture = writeSystemTree(root);
    removeDir(fixture.golden);
    const web = await readVm(fixture.web, { root, env: noTools });
    expect(web.disks[0]).toMatchObject({ backupable: false, reason: expect.stringContaining('not on disk') });
    expect(web.missingOnDisk).toEqual([fixture.golden]);
  });

  it('a session domain: running from the run folder, confirmed or corrected by virsh (recorded outputs)', async () => {
    const home = join(dir, 'home');
    const { config, disk } = writeSessionDomain(home, join(dir, 'images'));
    const runtime = join(dir, 'xdg');
    const env = { HOME: home, XDG_RUNTIME_DIR: runtime };
    const off = await discoverVms({ env: { ...noTools, ...env } });
    expect(off.filter((vm) => vm.hypervisor === 'libvirt-qemu' && vm.configPath === config)).toEqual([
      expect.objectContaining({ name: 'dev', state: 'poweroff', disks: [expect.objectContaining({ path: disk, backupable: true })] }),
    ]);
    writeText(join(runtime, 'libvirt', 'qemu', 'run', 'dev.pid'), '4243');
    expect((await readVm(config, { env: { ...noTools, ...env } })).state).toBe('running');
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeStandInTool(bin, 'virsh', [{ args: '-c qemu:///session domstate dev --reason', stdout: 'shut off (shutdown)\n' }]);
    const corrected = await readVm(config, { env: { ...env, PATH: bin } });
    expect(corrected.state).toBe('poweroff');
    expect(corrected.stateEvidence).toContain('virsh -c qemu:///session domstate: shut off (shutdown)');
    writeStandInTool(bin, 'virsh', [{ args: '-c qemu:///session domstate dev --reason', stdout: 'paused (user)\n' }]);
    expect((await readVm(config, { env: { ...env, PATH: bin } })).state).toBe('running');
  });
});
