/** Parsing what the hypervisors' tools answer (outputs recorded from VBoxManage, vmrun and virsh) and VMware's key files. */
import { describe, expect, it } from 'vitest';
import { listsRunningVm, parseShowVmInfoState } from '../../../electron/engine/discovery/virtualbox/virtualbox-state.ts';
import { parseVmrunList } from '../../../electron/engine/discovery/vmware/vmware-state.ts';
import { stateFromDomstate } from '../../../electron/engine/discovery/libvirt/libvirt-state.ts';
import { parseVmxText, vmwareUuid } from '../../../electron/engine/discovery/vmware/vmx-file.ts';
import { vmxPathsIn } from '../../../electron/engine/discovery/vmware/vmware-places.ts';

describe('hypervisor tool answers', () => {
  it('VBoxManage showvminfo --machinereadable and list runningvms', () => {
    expect(parseShowVmInfoState('name="x"\nVMState="aborted-saved"\nVMStateChangeTime="2026"')).toBe('aborted-saved');
    expect(parseShowVmInfoState('name="x"')).toBeNull();
    expect(listsRunningVm('"a b" {0A0B0C0D-0000-4000-8000-000000000001}\n', '0a0b0c0d-0000-4000-8000-000000000001')).toBe(true);
    expect(listsRunningVm('', '0a0b0c0d-0000-4000-8000-000000000001')).toBe(false);
  });

  it('vmrun list', () => {
    expect(parseVmrunList('Total running VMs: 2\r\n/vms/a/a.vmx\r\nC:\\VMs\\b\\b.vmx\r\n')).toEqual(['/vms/a/a.vmx', 'C:\\VMs\\b\\b.vmx']);
    expect(parseVmrunList('Total running VMs: 0\n')).toEqual([]);
  });

  it('virsh domstate --reason', () => {
    expect(stateFromDomstate('running (booted)\n\n')).toBe('running');
    expect(stateFromDomstate('paused (migrating)')).toBe('running');
    expect(stateFromDomstate('shut off (saved)')).toBe('saved');
    expect(stateFromDomstate('shut off (destroyed)')).toBe('poweroff');
    expect(stateFromDomstate('crashed (panicked)')).toBe('aborted');
    expect(stateFromDomstate('error: failed to get domain')).toBeNull();
  });

  it('VMware key files: case-insensitive keys, |XX escapes, comments; inventory and MRU entries', () => {
    const entries = parseVmxText('# comment\n.encoding = "UTF-8"\nDisplayName = "a |22b|22 |7Cc"\nscsi0:0.fileName = "d.vmdk"\nbad line\n');
    expect(entries.get('displayname')).toBe('a "b" |c');
    expect(entries.get('scsi0:0.filename')).toBe('d.vmdk');
    expect(vmwareUuid('56 4d 12 34 56 78 9a bc-de f0 12 34 56 78 9a bc')).toBe('564d1234-5678-9abc-def0-123456789abc');
    expect(vmwareUuid('nonsense')).toBeUndefined();
    expect(vmxPathsIn('vmlist1.config = "/a/a.vmx"\nvmlist2.config = ""\npref.mruVM0.filename = "C:\\\\b\\\\b.vmx"\nvmlist3.config = "folder1"'))
      .toEqual(['/a/a.vmx', 'C:\\\\b\\\\b.vmx']);
  });
});
