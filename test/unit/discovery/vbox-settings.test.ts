/** VirtualBox settings read into a model: NVRAM and firmware variants across settings versions, old attachments. */
import { describe, expect, it } from 'vitest';
import { parseBoundedXml } from '../../../electron/engine/discovery/bounded-xml.ts';
import { readVboxMachine } from '../../../electron/engine/discovery/virtualbox/vbox-settings.ts';
import { stateFromVboxFile } from '../../../electron/engine/discovery/virtualbox/virtualbox-state.ts';
import { isVboxVmProcess } from '../../../electron/engine/discovery/virtualbox/virtualbox-processes.ts';

function machine(version: string, hardware: string, attrs = ''): ReturnType<typeof readVboxMachine> {
  return readVboxMachine(parseBoundedXml(`<?xml version="1.0"?>
<VirtualBox xmlns="http://www.virtualbox.org/" version="${version}">
  <Machine uuid="{AAAAAAAA-0000-4000-8000-000000000001}" name="m" OSType="Windows11_64"${attrs}>
    <Hardware>${hardware}</Hardware>
  </Machine>
</VirtualBox>`, 'm.vbox'), 'm.vbox');
}

describe('readVboxMachine', () => {
  it('finds NVRAM under BIOS (6.1, settings 1.17), directly under Hardware (7.0) and under Platform (7.1)', () => {
    expect(machine('1.17-linux', '<Firmware type="EFI"/><BIOS><NVRAM path="m.nvram"/></BIOS>').nvram).toBe('m.nvram');
    expect(machine('1.18-linux', '<Firmware type="EFI64"/><NVRAM path="a.nvram"/>')).toMatchObject({ nvram: 'a.nvram', firmware: 'efi' });
    const platform = machine('1.19-windows', '<Platform architecture="x86"><Firmware type="EFI"/></Platform><NVRAM path="p.nvram"/>');
    expect(platform).toMatchObject({ nvram: 'p.nvram', firmware: 'efi' });
    expect(machine('1.12-linux', '<Firmware type="BIOS"/>')).toMatchObject({ firmware: 'bios' });
    expect(machine('1.12-linux', '<BIOS/>').nvram).toBeUndefined();
  });

  it('reads the current state outside the snapshot tree, with UUIDs normalized', () => {
    const vm = readVboxMachine(parseBoundedXml(`<VirtualBox version="1.16-macosx">
  <Machine uuid="{ABCDEF00-0000-4000-8000-000000000001}" name="mac" currentSnapshot="{S1}">
    <MediaRegistry><HardDisks>
      <HardDisk uuid="{B}" location="/Users/x/VirtualBox VMs/mac/mac.vdi"><HardDisk uuid="{C}" location="Snapshots/{C}.vdi"/></HardDisk>
    </HardDisks></MediaRegistry>
    <Snapshot uuid="{S1}" name="one">
      <Hardware/>
      <StorageControllers><StorageController name="NVMe" type="NVMe"><AttachedDevice type="HardDisk" port="0" device="0"><Image uuid="{B}"/></AttachedDevice></StorageController></StorageControllers>
    </Snapshot>
    <Hardware><CPU count="2"/><Memory RAMSize="2048"/></Hardware>
    <StorageControllers><StorageController name="NVMe" type="NVMe"><AttachedDevice type="HardDisk" port="0" device="0"><Image uuid="{C}"/></AttachedDevice></StorageController></StorageControllers>
  </Machine>
</VirtualBox>`, 'mac.vbox'), 'mac.vbox');
    expect(vm.uuid).toBe('abcdef00-0000-4000-8000-000000000001');
    expect(vm.attachments).toEqual([{ type: 'HardDisk', mediumUuid: 'c', controller: 'NVMe', bus: 'nvme', port: 0, device: 0 }]);
    expect(vm.snapshots).toEqual([{ uuid: 's1', name: 'one', attachments: [expect.objectContaining({ mediumUuid: 'b' })] }]);
    expect(vm.media.get('c')).toMatchObject({ parent: 'b', location: 'Snapshots/{C}.vdi' });
    expect(vm).toMatchObject({ cpus: 2, memoryMiB: 2048, currentSnapshot: 's1' });
  });

  it('refuses a document that is not a machine', () => {
    expect(() => readVboxMachine(parseBoundedXml('<VirtualBox><Global/></VirtualBox>', 'VirtualBox.xml'), 'VirtualBox.xml'))
      .toThrow(/not a VirtualBox machine settings file/);
  });

  it('decides the state from aborted and stateFile as VirtualBox does', () => {
    expect(stateFromVboxFile({ aborted: true, stateFile: 'x.sav' }).state).toBe('saved');
    expect(stateFromVboxFile({ aborted: true }).state).toBe('aborted');
    expect(stateFromVboxFile({ aborted: false, stateFile: 'x.sav' }).state).toBe('saved');
    expect(stateFromVboxFile({ aborted: false }).state).toBe('poweroff-or-running');
  });
});

describe('isVboxVmProcess', () => {
  const machine = { uuid: '6a1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', name: 'ubuntu-efi' };
  it('recognizes VBoxHeadless and VirtualBoxVM command lines for this machine only', () => {
    expect(isVboxVmProcess(['/usr/lib/virtualbox/VBoxHeadless', '--comment', 'x', '--startvm', `{${machine.uuid.toUpperCase()}}`], machine))
      .toBe(true);
    expect(isVboxVmProcess(['/usr/lib/virtualbox/VirtualBoxVM', '--comment', 'ubuntu-efi', '--startvm', 'other'], machine)).toBe(true);
    expect(isVboxVmProcess(['/usr/lib/virtualbox/VBoxSVC', '--auto-shutdown'], machine)).toBe(false);
    expect(isVboxVmProcess(['/usr/bin/vim', '--startvm', machine.uuid], machine)).toBe(false);
  });
});
