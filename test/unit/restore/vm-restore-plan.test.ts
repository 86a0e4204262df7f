/**
 * The plan of a restore as a new VM, decided before anything is written: defaults per
 * hypervisor, the problems per field the restore wizard shows live, the saved state rule,
 * registration (tool present or the command to run) and the CLI equivalent.
 */
import { describe, expect, it } from 'vitest';
import type { PointVm } from '../../../shared/contract/item-models.ts';
import { planRestoreVm, restoredVmNameProblem, type PlanFacts } from '../../../electron/engine/restore/vm-restore-plan.ts';

function pointVm(overrides: Partial<PointVm> = {}): PointVm {
  return {
    name: 'web-01', id: '6f2c1d0e-8a41-4c8e-9d57-3b1f0a2e7c11', hypervisor: 'virtualbox', configPath: '/vms/web-01/web-01.vbox',
    state: 'poweroff', stateEvidence: 'file', capture: 'files', consistencyNote: 'off', quiesced: false,
    hardware: {
      cpus: 2, memoryMiB: 2048, firmware: 'bios',
      disks: [{ path: '/vms/web-01/web-01.vdi', bus: 'sata', virtualSize: 1 << 24 }, { path: '/vms/web-01/cd.vmdk', bus: 'ide' }],
      nics: [{ model: '82540EM' }],
    },
    skippedDisks: [{ path: '/vms/web-01/cd.vmdk', reason: 'independent' }],
    ...overrides,
  };
}

const facts: PlanFacts = {
  folderState: 'missing', takenNames: ['web-01', 'DB'], registerTool: '/usr/bin/VBoxManage', connection: 'qemu:///session',
  pointFiles: [{ name: 'web-01.vbox', role: 'config' }, { name: 'web-01.vdi', role: 'disk' }],
};
const base = { item: 'web-01', point: 'P1' };

describe('planRestoreVm', () => {
  it('plans a same-hypervisor restore with the native format, the files in the new folder and registration', () => {
    const { plan, problems } = planRestoreVm({ ...base, to: '/restored/web-01-tuesday', name: 'web-01-tuesday' }, pointVm(), facts);
    expect(problems).toEqual([]);
    expect(plan).toMatchObject({
      from: 'virtualbox', hypervisor: 'virtualbox', folder: '/restored/web-01-tuesday',
      configPath: '/restored/web-01-tuesday/web-01-tuesday.vbox', savedState: false, registers: true,
      registerCommand: ['VBoxManage', 'registervm', '/restored/web-01-tuesday/web-01-tuesday.vbox'],
      cliEquivalent: 'labvault restore vm web-01 --point P1 --to /restored/web-01-tuesday --name web-01-tuesday',
    });
    expect(plan?.disks).toEqual([{ source: '/vms/web-01/web-01.vdi', path: '/restored/web-01-tuesday/web-01-tuesday.vdi', format: 'vdi', bus: 'sata', virtualSize: 1 << 24 }]);
    expect(plan?.notes.join(' ')).toContain('cd.vmdk (independent)');
  });

  it('names each problem by field: name taken (any case), folder not empty, a format the hypervisor cannot attach', () => {
    const { plan, problems } = planRestoreVm({ ...base, to: '/x', name: 'db', hypervisor: 'vmware', format: 'qcow2' }, pointVm(),
      { ...facts, folderState: 'not-empty' });
    expect(plan).toBeNull();
    expect(problems.map((problem) => [problem.field, problem.code])).toEqual([['format', 'INVALID_INPUT'], ['name', 'CONFLICT'], ['to', 'CONFLICT']]);
    expect(planRestoreVm({ ...base, to: '/x', name: 'ok' }, pointVm(), { ...facts, folderState: 'file' }).problems)
      .toMatchObject([{ field: 'to', code: 'INVALID_INPUT' }]);
  });

  it('refuses names that are not portable VM and file names', () => {
    for (const bad of ['', '../x', '.hidden', 'a/b', 'trailing.', 'x'.repeat(101), 'tab\tname']) expect(restoredVmNameProblem(bad)).not.toBeNull();
    for (const good of ['web-01 (tuesday)', 'Ubuntu_24.04', 'a']) expect(restoredVmNameProblem(good)).toBeNull();
  });

  it('keeps the saved state by default for the same hypervisor, never across hypervisors', () => {
    const saved = pointVm({ state: 'saved' });
    expect(planRestoreVm({ ...base, to: '/r', name: 'n' }, saved, facts).plan?.savedState).toBe(true);
    const dropped = planRestoreVm({ ...base, to: '/r', name: 'n', keepSavedState: false }, saved, facts).plan;
    expect(dropped?.savedState).toBe(false);
    expect(dropped?.cliEquivalent).toContain('--drop-saved-state');
    const cross = planRestoreVm({ ...base, to: '/r', name: 'n', hypervisor: 'libvirt-qemu', keepSavedState: true }, saved,
      { ...facts, registerTool: null });
    expect(cross.problems).toMatchObject([{ field: 'keepSavedState' }]);
    expect(planRestoreVm({ ...base, to: '/r', name: 'n', keepSavedState: true }, pointVm(), facts).problems)
      .toMatchObject([{ field: 'keepSavedState' }]);
  });

  it('plans a cross-hypervisor restore: converted disks, no NVRAM, notes, the command when the tool is missing', () => {
    const efi = pointVm({ hardware: { ...pointVm().hardware, firmware: 'efi' } });
    const { plan } = planRestoreVm({ ...base, to: '/r', name: 'kvm', hypervisor: 'libvirt-qemu' }, efi,
      { ...facts, registerTool: null, pointFiles: [...facts.pointFiles, { name: 'web-01.nvram', role: 'nvram' }] });
    expect(plan).toMatchObject({ hypervisor: 'libvirt-qemu', registers: false, registerCommand: ['virsh', '-c', 'qemu:///session', 'define', '/r/kvm.xml'] });
    expect(plan?.disks[0]).toMatchObject({ path: '/r/kvm.qcow2', format: 'qcow2' });
    expect(plan?.nvram).toBeUndefined();
    const notes = plan?.notes.join(' ') ?? '';
    expect(notes).toContain('VirtualBox shared folders');
    expect(notes).toContain('UEFI variables');
    expect(notes).toContain('Not registered (virsh is not on PATH): run virsh -c qemu:///session define /r/kvm.xml');
    expect(plan?.cliEquivalent).toBe('labvault restore vm web-01 --point P1 --to /r --name kvm --hypervisor libvirt-qemu');
  });

  it('refuses points without a VM, a folder of images without a hypervisor named, and a same-hypervisor restore without a configuration', () => {
    expect(planRestoreVm({ ...base, to: '/r', name: 'n' }, undefined, facts).problems).toMatchObject([{ field: 'point' }]);
    const files = pointVm({ hypervisor: 'files', hardware: { disks: [{ path: '/hv/web.avhdx', virtualSize: 1 << 24 }], nics: [] } });
    expect(planRestoreVm({ ...base, to: '/r', name: 'n' }, files, facts).problems).toMatchObject([{ field: 'hypervisor' }]);
    const forLibvirt = planRestoreVm({ ...base, to: '/r', name: 'n', hypervisor: 'libvirt-qemu' }, files, { ...facts, pointFiles: [{ name: 'web.avhdx', role: 'disk' }] });
    expect(forLibvirt.problems).toEqual([]);
    expect(forLibvirt.plan).toMatchObject({ from: 'files', hypervisor: 'libvirt-qemu', disks: [{ source: '/hv/web.avhdx', path: '/r/n.qcow2' }] });
    expect(forLibvirt.plan?.notes.join(' ')).toContain('records no hardware');
    const noConfig = { ...facts, pointFiles: [{ name: 'web-01.vdi', role: 'disk' }] };
    expect(planRestoreVm({ ...base, to: '/r', name: 'n' }, pointVm(), noConfig).problems).toMatchObject([{ field: 'point', code: 'NOT_FOUND' }]);
    expect(planRestoreVm({ ...base, to: '/r', name: 'n', hypervisor: 'vmware' }, pointVm(), noConfig).problems).toEqual([]);
  });

  it('without a name or folder yet, answers the problems it can and no plan', () => {
    expect(planRestoreVm({ ...base, name: 'web-01' }, pointVm(), facts)).toMatchObject({ plan: null, problems: [{ field: 'name', code: 'CONFLICT' }] });
    expect(planRestoreVm(base, pointVm(), facts)).toEqual({ plan: null, problems: [] });
  });
});
