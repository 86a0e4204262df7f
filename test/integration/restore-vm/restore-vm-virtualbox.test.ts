/**
 * A VirtualBox VM with a two-snapshot VDI chain (each layer holding its own data) protected,
 * backed up and restored as a new VM through the real CLI: the new .vbox read by our
 * discovery has a new machine UUID, a media registry naming only the merged VDI under its
 * own UUID, no snapshot tree, paths inside the new folder; the disk equals the point's
 * merged content by `qemu-img compare`; the restore refuses a taken name and a used folder.
 * The same point restored for libvirt (qcow2 disk, domain XML generated from the hardware
 * summary with the right memory, CPUs, firmware and disk, parsed by libvirt) and its disks
 * restored with --format qcow2.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVm } from '../../../electron/engine/discovery/discovery-service.ts';
import { Engine } from '../../../electron/engine/index.ts';
import { createDirectClient } from '../../../shared/contract/direct-client.ts';
import type { RestoreVmInput } from '../../../shared/contract/restore-vm-channels.ts';
import { runLabvault } from '../../support/run-cli.ts';
import { removeDir, requireQemuImg, vdiUuid } from '../discovery/vm-fixture-kit.ts';
import { UBUNTU_UUID, writeVbox7Machine, type VboxFixture } from '../discovery/virtualbox-fixtures.ts';
import { makeVmItemsRoot, type VmItemsRoot } from '../vm-items/vm-items-kit.ts';
import {
  expectedRaw, linkTools, protectAndBackup, qemuCheck, qemuCompare, qemuWrite, writeIntoDiffVdi, type RestoredJob,
} from './restore-vm-kit.ts';

const hasQemu = requireQemuImg();
const hasVirsh = (() => {
  try {
    execFileSync('virsh', ['-c', 'test:///default', 'list', '--all'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasQemu)('restore vm: VirtualBox VM with a two-snapshot VDI chain, as a new VM', () => {
  let kit: VmItemsRoot;
  let fx: VboxFixture;
  let pointId: string;
  const writes: [number, number, number][] = [[0x42, 0, 2], [0x43, 1, 1], [0x44, 3, 1]];

  beforeAll(() => {
    kit = makeVmItemsRoot('labvault-restore-vbox-');
    linkTools(kit, ['qemu-img', 'virsh', 'virt-xml-validate']);
    fx = writeVbox7Machine(join(kit.root, 'vbox-home'), join(kit.root, 'VirtualBox VMs'));
    qemuWrite(fx.base, 'vdi', 0x42, 0, 2);
    writeIntoDiffVdi(fx.diff1, [[0x43, 1, 1]]);
    writeIntoDiffVdi(fx.diff2, [[0x44, 3, 1]]);
    pointId = protectAndBackup(kit, fx.configPath).pointId;
  });

  afterAll(() => removeDir(kit.root));

  it('writes a new VM with new identities, rewritten paths and the merged disk', () => {
    const to = join(kit.root, 'restored', 'tuesday');
    const run = kit.cli('restore', 'vm', 'ubuntu-efi', '--point', pointId, '--to', to, '--name', 'ubuntu-efi-tuesday', '--json');
    expect(run.code, run.stderr).toBe(0);
    const job = run.json<RestoredJob>();
    expect(job.status).toBe('completed');
    expect(job.subtasks.map((subtask) => [subtask.name, subtask.status])).toEqual([['Restore', 'completed'], ['Verify', 'completed']]);
    const { plan } = job;
    expect(plan).toMatchObject({ from: 'virtualbox', hypervisor: 'virtualbox', name: 'ubuntu-efi-tuesday', registers: false });
    expect(plan.registerCommand).toEqual(['VBoxManage', 'registervm', join(to, 'ubuntu-efi-tuesday.vbox')]);
    expect(plan.disks).toHaveLength(1);
    const disk = plan.disks[0]!;
    expect(disk).toMatchObject({ source: fx.diff2, path: join(to, 'ubuntu-efi-tuesday.vdi'), format: 'vdi' });
    expect(readdirSync(to).sort()).toEqual(['ubuntu-efi-tuesday.nvram', 'ubuntu-efi-tuesday.vbox', 'ubuntu-efi-tuesday.vdi']);

    const expected = expectedRaw(join(kit.root, 'expected.raw'), 8, writes);
    expect(qemuCompare(expected, 'raw', disk.path, 'vdi')).toBe(0);
    qemuCheck(disk.path, 'vdi');
    expect(readFileSync(join(to, 'ubuntu-efi-tuesday.nvram'), 'utf8')).toBe('NVRAM');

    const vbox = readFileSync(plan.configPath, 'utf8');
    const newMedium = vdiUuid(disk.path);
    for (const old of [UBUNTU_UUID, vdiUuid(fx.base), vdiUuid(fx.diff1), vdiUuid(fx.diff2)]) {
      expect(vbox).not.toContain(old);
      expect(newMedium).not.toBe(old);
    }
    expect(vbox).toContain(`<HardDisk uuid="{${newMedium}}" location="ubuntu-efi-tuesday.vdi" format="VDI" type="Normal"/>`);
    expect(vbox).not.toContain('Snapshots/diff');
    expect(vbox).not.toContain('<Snapshot ');
    expect(vbox).not.toContain('currentSnapshot');
    expect(vbox).toContain('xmlns="http://www.virtualbox.org/"');
    expect(vbox).toContain('<NVRAM path="ubuntu-efi-tuesday.nvram"/>');
    expect(vbox).not.toContain('0800271A2B3C');
    expect(vbox).toContain('/isos/ubuntu-24.04-desktop-amd64.iso');
    return readVm(plan.configPath, { env: { PATH: '' } }).then((vm) => {
      expect(vm.name).toBe('ubuntu-efi-tuesday');
      expect(vm.id).not.toBe(UBUNTU_UUID);
      expect(vm.disks.map((found) => [found.path, found.chain.length, found.backupable])).toEqual([[disk.path, 1, true]]);
      expect(vm.nvram).toBe(join(to, 'ubuntu-efi-tuesday.nvram'));
      expect(vm.hardware).toMatchObject({ cpus: 4, memoryMiB: 4096, firmware: 'efi' });
      expect(vm.snapshots ?? []).toEqual([]);
    });
  });

  it('refuses a folder that is not empty and a name the hypervisor already has, writing nothing', () => {
    const used = join(kit.root, 'restored', 'tuesday');
    const before = readdirSync(used).sort();
    const again = kit.cli('restore', 'vm', 'ubuntu-efi', '--point', pointId, '--to', used, '--name', 'other-name');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('CONFLICT');
    expect(again.stderr).toContain('not empty');
    expect(readdirSync(used).sort()).toEqual(before);

    const taken = runLabvault(['restore', 'vm', 'ubuntu-efi', '--point', pointId, '--to', join(kit.root, 'restored', 'same-name'), '--name', 'ubuntu-efi', '--json'],
      { LABVAULT_HOME: kit.home, PATH: kit.bin, VBOX_USER_HOME: fx.home });
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain('already has a VM named "ubuntu-efi"');

    const badName = kit.cli('restore', 'vm', 'ubuntu-efi', '--point', pointId, '--to', join(kit.root, 'restored', 'x'), '--name', '../escape');
    expect(badName.code).toBe(2);
    const badHypervisor = kit.cli('restore', 'vm', 'ubuntu-efi', '--point', pointId, '--to', join(kit.root, 'restored', 'x'), '--name', 'x1', '--hypervisor', 'hyperv');
    expect(badHypervisor.code).toBe(2);
    expect(readdirSync(join(kit.root, 'restored')).sort()).toEqual(['tuesday']);
  });

  it.skipIf(!hasVirsh)('restores the VirtualBox VM for libvirt: a qcow2 disk and a domain XML from the hardware summary', () => {
    const to = join(kit.root, 'restored', 'for-libvirt');
    const run = kit.cli('restore', 'vm', 'ubuntu-efi', '--point', pointId, '--to', to, '--name', 'ubuntu-kvm',
      '--hypervisor', 'libvirt-qemu', '--connection', 'test:///default', '--json');
    expect(run.code, run.stderr).toBe(0);
    const { plan, subtasks } = run.json<RestoredJob>();
    expect(plan).toMatchObject({ from: 'virtualbox', hypervisor: 'libvirt-qemu', registers: true });
    expect(plan.notes.join(' ')).toContain('VirtualBox shared folders');
    expect(plan.notes.join(' ')).toContain('UEFI variables');
    expect(subtasks.find((subtask) => subtask.name === 'Verify')?.message).toContain('libvirt parses it');
    expect(readdirSync(to).sort()).toEqual(['ubuntu-kvm.qcow2', 'ubuntu-kvm.xml']);
    const disk = join(to, 'ubuntu-kvm.qcow2');
    expect(qemuCompare(join(kit.root, 'expected.raw'), 'raw', disk, 'qcow2')).toBe(0);
    qemuCheck(disk, 'qcow2');
    const xml = readFileSync(join(to, 'ubuntu-kvm.xml'), 'utf8');
    expect(xml).toContain('<memory unit="MiB">4096</memory>');
    expect(xml).toContain('<vcpu placement="static">4</vcpu>');
    expect(xml).toContain('<os firmware="efi">');
    expect(xml).toMatch(/<disk type="file" device="disk">\s*<driver name="qemu" type="qcow2"\/>\s*<source file="[^"]+ubuntu-kvm.qcow2"\/>\s*<target dev="sda" bus="sata"\/>/);
    expect((xml.match(/<interface /g) ?? []).length).toBe(2);
    expect(xml).toContain('<model type="virtio"/>');
    return readVm(join(to, 'ubuntu-kvm.xml'), { env: { PATH: '' } }).then((vm) => {
      expect(vm).toMatchObject({ hypervisor: 'libvirt-qemu', name: 'ubuntu-kvm' });
      expect(vm.hardware).toMatchObject({ cpus: 4, memoryMiB: 4096, firmware: 'efi' });
      expect(vm.disks.map((found) => [found.path, found.format, found.bus])).toEqual([[disk, 'qcow2', 'sata']]);
    });
  });

  it('restores the disks with --format qcow2 or --flatten: the chain merged into one verified image', () => {
    const to = join(kit.root, 'restored', 'disks-qcow2');
    const run = kit.cli('restore', 'disks', 'ubuntu-efi', '--point', pointId, '--to', to, '--format', 'qcow2', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(run.json<RestoredJob>().subtasks.map((subtask) => subtask.status)).toEqual(['completed', 'completed']);
    expect(readdirSync(to)).toEqual(['diff2.qcow2']);
    expect(qemuCompare(join(kit.root, 'expected.raw'), 'raw', join(to, 'diff2.qcow2'), 'qcow2')).toBe(0);
    const again = kit.cli('restore', 'disks', 'ubuntu-efi', '--point', pointId, '--to', to, '--format', 'qcow2');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('never overwrites');
    const bad = kit.cli('restore', 'disks', 'ubuntu-efi', '--point', pointId, '--to', to, '--format', 'qed');
    expect(bad.code).toBe(2);
    const flat = join(kit.root, 'flattened');
    expect(kit.cli('restore', 'disks', 'ubuntu-efi', '--point', pointId, '--to', flat, '--flatten').code).toBe(0);
    expect(readdirSync(flat)).toEqual(['diff2.vdi']);
    expect(qemuCompare(join(kit.root, 'expected.raw'), 'raw', join(flat, 'diff2.vdi'), 'vdi')).toBe(0);
  });

  it('restore.vmCheck answers the wizard field by field through the contract, writing nothing', async () => {
    const engine = new Engine({ appHome: kit.home, face: 'browser', env: { PATH: kit.bin, VBOX_USER_HOME: fx.home } });
    try {
      const client = createDirectClient(engine.handlers);
      const check = (input: Partial<RestoreVmInput>) => client.restore.vmCheck({ item: 'ubuntu-efi', point: pointId, ...input });
      const used = join(kit.root, 'restored', 'tuesday');
      const taken = await check({ to: used, name: 'ubuntu-efi' });
      expect(taken).toMatchObject({ ok: false, plan: null });
      expect(taken.problems.map((problem) => [problem.field, problem.code]).sort()).toEqual([['name', 'CONFLICT'], ['to', 'CONFLICT']]);
      const format = await check({ to: join(kit.root, 'restored', 'new'), name: 'fresh', hypervisor: 'vmware', format: 'qcow2' });
      expect(format).toMatchObject({ ok: false, problems: [{ field: 'format' }] });
      const fine = await check({ to: join(kit.root, 'restored', 'new'), name: 'fresh' });
      expect(fine).toMatchObject({ ok: true, problems: [], plan: { hypervisor: 'virtualbox', name: 'fresh' } });
      expect(fine.plan?.cliEquivalent).toBe(`labvault restore vm ubuntu-efi --point ${pointId} --to ${join(kit.root, 'restored', 'new')} --name fresh`);
      const badPoint = await check({ point: 'nope', to: join(kit.root, 'restored', 'new'), name: 'fresh' });
      expect(badPoint).toMatchObject({ ok: false, problems: [{ field: 'point', code: 'NOT_FOUND' }] });
      await expect(client.restore.vm({ item: 'ubuntu-efi', point: pointId, to: used, name: 'fresh' }))
        .rejects.toMatchObject({ code: 'CONFLICT', field: 'to' });
      await expect(client.restore.vm({ item: 'ubuntu-efi', point: pointId, to: used, name: '' }))
        .rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'name' });
      expect(readdirSync(join(kit.root, 'restored')).sort()).toEqual(['disks-qcow2', 'for-libvirt', 'tuesday']);
    } finally {
      await engine.close();
    }
  });
});
