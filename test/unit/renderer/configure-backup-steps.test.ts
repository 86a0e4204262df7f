/** The configure-backup wizard's pure logic: steps, which VMs may be chosen, consistency, names, CLI lines. */
import { describe, expect, it } from 'vitest';
import {
  configureCli, configureStepIndex, emptyConfigureDraft, expectedConsistency, itemNameErrors, itemNameForVm,
  vmAvailability, vmDiskBytes,
} from '../../../renderer/features/protect/configure-backup-steps.ts';
import { suggestedItemName } from '../../../renderer/features/protect/hand-picked-files.ts';
import type { VmCandidate } from '../../../renderer/features/protect/vm-candidate.ts';

function vm(name: string, configPath: string, extra: Partial<VmCandidate> = {}): VmCandidate {
  return {
    name, id: name, hypervisor: 'virtualbox', configPath, state: 'poweroff', stateEvidence: 'no stateFile',
    disks: [], files: [configPath], missingOnDisk: [], ignoredDevices: [], hardware: { disks: [], nics: [] },
    ...extra,
  };
}

describe('configure-backup wizard', () => {
  it('orders its steps, every policy page on the Policy step', () => {
    expect([
      configureStepIndex({ kind: 'vault' }), configureStepIndex({ kind: 'policy', sub: 'choose' }),
      configureStepIndex({ kind: 'policy', sub: 'retention' }), configureStepIndex({ kind: 'vms' }),
      configureStepIndex({ kind: 'review' }), configureStepIndex({ kind: 'enable' }), configureStepIndex({ kind: 'done' }),
    ]).toEqual([0, 1, 1, 2, 3, 4, 5]);
  });

  it('refuses a VM already protected, or soft-deleted in a vault, saying where and what to do', () => {
    const by = { vaultId: 'v1', vaultName: 'lab', itemId: 'i1', itemName: 'web' };
    expect(vmAvailability(vm('web', '/vms/web.vbox'))).toEqual({ ok: true });
    expect(vmAvailability(vm('web', '/vms/web.vbox', { protectedBy: by })))
      .toEqual({ ok: false, reason: 'Already protected as "web" in vault lab.' });
    const softDeleted = vmAvailability(vm('web', '/vms/web.vbox', { protectedBy: { ...by, softDeleted: true } }));
    expect(softDeleted.ok).toBe(false);
    expect(!softDeleted.ok && softDeleted.reason).toMatch(/soft-deleted in vault lab .*undelete it/);
  });

  it('states the consistency a VM gets from its state, no more than is known', () => {
    expect(expectedConsistency({ state: 'poweroff', hypervisor: 'vmware' }).consistency).toBe('file-system-consistent');
    expect(expectedConsistency({ state: 'aborted', hypervisor: 'vmware' }).consistency).toBe('crash-consistent');
    expect(expectedConsistency({ state: 'unknown', hypervisor: 'files' }).consistency).toBe('crash-consistent');
    expect(expectedConsistency({ state: 'saved', hypervisor: 'virtualbox' }).text).toMatch(/saved memory is part/);
    const running = expectedConsistency({ state: 'running', hypervisor: 'libvirt-qemu' });
    expect(running).toMatchObject({ consistency: 'crash-consistent' });
    expect(running.text).toMatch(/virsh snapshot.*refused if virsh is not available/);
    expect(expectedConsistency({ state: 'running', hypervisor: 'files' }).text).toMatch(/refused while it runs/);
  });

  it('names items after their VMs, and flags broken or repeated names', () => {
    expect(itemNameForVm('Ubuntu 24.04 (dev)')).toBe('Ubuntu-24.04-dev');
    expect(itemNameForVm('  _web')).toBe('web');
    expect(itemNameForVm('é')).toBe('vm-item');
    const draft = { ...emptyConfigureDraft('lab'), names: { '/b.vbox': 'Web', '/c.vbox': '-x' } };
    const errors = itemNameErrors(draft, [vm('web', '/a.vbox'), vm('other', '/b.vbox'), vm('c', '/c.vbox')]);
    expect(errors.get('/a.vbox')).toBeUndefined();
    expect(errors.get('/b.vbox')).toMatch(/already the name of another VM/);
    expect(errors.get('/c.vbox')).toMatch(/start with a letter or a digit/);
  });

  it('sums the disks the guest sees, or says it is unknown', () => {
    const disk = (virtualSize?: number) => ({ path: '/d', format: 'vdi' as const, chain: [], backupable: true, ...(virtualSize !== undefined ? { virtualSize } : {}) });
    expect(vmDiskBytes(vm('a', '/a', { disks: [disk(10), disk(5)] }))).toBe(15);
    expect(vmDiskBytes(vm('a', '/a', { disks: [disk(10), disk()] }))).toBeNull();
  });

  it('gives the command lines: the new policy first, then one protect --vm per VM', () => {
    const draft = { ...emptyConfigureDraft('lab'), policyChoice: 'new' as const, policy: 'DefaultPolicy' };
    draft.newPolicy = { ...draft.newPolicy, name: 'nightly' };
    expect(configureCli(draft, [vm('web', '/vms/web.vbox'), vm('db 1', '/vms/my db/db.xml')])).toBe([
      'labvault policy create --vault lab --file policy.json',
      'labvault protect --vault lab --vm /vms/web.vbox --name web --policy nightly',
      "labvault protect --vault lab --vm '/vms/my db/db.xml' --name db-1 --policy nightly",
    ].join('\n'));
    expect(suggestedItemName([{ path: '/v/Web 01.vbox', role: 'config', size: 1, ok: true }])).toBe('Web-01');
  });
});
