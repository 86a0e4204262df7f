/** The restore wizard's pure logic: the CLI equivalent of each outcome, the new VM's folder, the pre-replace point. */
import { describe, expect, it } from 'vitest';
import {
  emptyDraft, prePointOf, restoreCli, restoresAsVm, restoreStepIndex, suggestedVmFolder,
} from '../../../renderer/features/restore/restore-steps.ts';

const base = { ...emptyDraft('id-1'), itemName: 'web-01', pointId: 'p1' };

describe('restore wizard steps', () => {
  it('orders options and review between what and the running job', () => {
    expect(restoreStepIndex({ kind: 'what' })).toBe(2);
    expect(restoreStepIndex({ kind: 'options' })).toBe(3);
    expect(restoreStepIndex({ kind: 'review', error: null })).toBe(4);
    expect(restoreStepIndex({ kind: 'running', jobId: 'j' })).toBe(5);
  });

  it('new VM: restore vm with the name, folder and only the options that differ from the defaults', () => {
    const draft = { ...base, kind: 'new-vm' as const, vmName: 'web-01 tuesday', target: '/srv/vms/web-01 tuesday' };
    expect(restoreCli(draft)).toBe("labvault restore vm web-01 --point p1 --to '/srv/vms/web-01 tuesday' --name 'web-01 tuesday'");
    expect(restoreCli({ ...draft, hypervisor: 'libvirt-qemu', format: 'qcow2', register: false }))
      .toBe("labvault restore vm web-01 --point p1 --to '/srv/vms/web-01 tuesday' --name 'web-01 tuesday' --hypervisor libvirt-qemu --format qcow2 --no-register");
    expect(restoreCli({ ...draft, keepSavedState: false }, true)).toContain('--drop-saved-state');
    expect(restoreCli({ ...draft, keepSavedState: false }, false)).not.toContain('--drop-saved-state');
    expect(restoreCli({ ...base, kind: 'new-vm' })).toBe('labvault restore vm web-01 --point p1 --to DIR --name NEW');
  });

  it('replace and converted disks', () => {
    expect(restoreCli({ ...base, kind: 'replace', confirm: 'web-01' })).toBe('labvault restore replace web-01 --point p1 --confirm web-01');
    expect(restoreCli({ ...base, kind: 'disks', target: '/r', format: 'qcow2', flatten: true }))
      .toBe('labvault restore disks web-01 --point p1 --to /r --format qcow2 --flatten');
    expect(restoreCli({ ...base, kind: 'disks', target: '/r', flatten: true })).toBe('labvault restore disks web-01 --point p1 --to /r --flatten');
  });

  it('suggests the new VM folder beside the VM the point was taken from', () => {
    expect(suggestedVmFolder('/home/ana/VirtualBox VMs/web/web.vbox', 'web-tue')).toBe('/home/ana/VirtualBox VMs/web-tue');
    expect(suggestedVmFolder('/web/web.vbox', 'x')).toBe('/x');
    expect(suggestedVmFolder('C:\\VMs\\web\\web.vmx', 'web2')).toBe('C:\\VMs\\web2');
    expect(suggestedVmFolder(undefined, 'x')).toBe('');
    expect(suggestedVmFolder('/a/b/c.xml', ' ')).toBe('');
  });

  it('reads the pre-replace point from the Restore subtask and tells VM points from file points', () => {
    const job = { subtasks: [{ message: 'The state before the replace was backed up as point 20261203-0812-ab (job j-9).' }] } as never;
    expect(prePointOf(job)).toBe('20261203-0812-ab');
    expect(prePointOf({ subtasks: [] })).toBeNull();
    expect(prePointOf({ subtasks: [{ message: '2 files written beside the originals; the state before is point p-2.b.' }] } as never)).toBe('p-2.b');
    expect(prePointOf({ subtasks: [{ message: '2 files verified against point p1 and put in place; the state before the replace is point p-3.' }] } as never)).toBe('p-3');
    expect(restoresAsVm({ vm: { hypervisor: 'virtualbox' } as never })).toBe(true);
    expect(restoresAsVm({ vm: { hypervisor: 'files' } as never })).toBe(false);
    expect(restoresAsVm(undefined)).toBe(false);
  });
});
