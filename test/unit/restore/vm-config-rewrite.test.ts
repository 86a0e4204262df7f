/**
 * The configuration rewriters and generators of a VM restored as a new VM, on text written
 * the way each hypervisor writes it: identities replaced, paths pointed at the restored
 * files (a disk not in the point detached), saved state and NVRAM kept or dropped, and the
 * written XML read back by discovery's own bounded reader.
 */
import { describe, expect, it } from 'vitest';
import type { PointVm } from '../../../shared/contract/item-models.ts';
import { parseBoundedXml, xmlAttr, xmlChild, xmlDescendants } from '../../../electron/engine/discovery/bounded-xml.ts';
import { parseVmxText } from '../../../electron/engine/discovery/vmware/vmx-file.ts';
import { generateDomain } from '../../../electron/engine/restore/libvirt-config-generate.ts';
import { rewriteDomain } from '../../../electron/engine/restore/libvirt-config-rewrite.ts';
import type { RestoredDisk } from '../../../electron/engine/restore/restored-disk.ts';
import { generateVbox } from '../../../electron/engine/restore/virtualbox-config-generate.ts';
import { rewriteVbox } from '../../../electron/engine/restore/virtualbox-config-rewrite.ts';
import { generateVmx } from '../../../electron/engine/restore/vmware-config-generate.ts';
import { rewriteVmx } from '../../../electron/engine/restore/vmware-config-rewrite.ts';
import { writeXmlDocument } from '../../../electron/engine/restore/xml-config-writer.ts';

const STAGING = '/restore/.labvault-restore-x';

function disk(staged: string, fileName: string, overrides: Partial<RestoredDisk> = {}): RestoredDisk {
  return { staged, source: staged.slice(STAGING.length), path: `/restore/${fileName}`, fileName, format: 'vdi', virtualSize: 1 << 20,
    uuid: '0a1b2c3d-0000-4000-8000-000000000001', ...overrides };
}

const VBOX = `<?xml version="1.0"?>
<VirtualBox xmlns="http://www.virtualbox.org/" version="1.19-linux">
  <Machine uuid="{11111111-1111-4111-8111-111111111111}" name="web" currentSnapshot="{22222222-2222-4222-8222-222222222222}" stateFile="Snapshots/x.sav" aborted="true">
    <MediaRegistry>
      <HardDisks>
        <HardDisk uuid="{33333333-3333-4333-8333-333333333333}" location="web.vdi" format="VDI" type="Normal">
          <HardDisk uuid="{44444444-4444-4444-8444-444444444444}" location="Snapshots/{4444}.vdi" format="VDI"/>
        </HardDisk>
        <HardDisk uuid="{55555555-5555-4555-8555-555555555555}" location="/elsewhere/gone.vdi" format="VDI" type="Normal"/>
      </HardDisks>
    </MediaRegistry>
    <Snapshot uuid="{22222222-2222-4222-8222-222222222222}" name="s1"><Hardware/></Snapshot>
    <Hardware>
      <Network><Adapter slot="0" enabled="true" MACAddress="0800271A2B3C" type="82540EM"><NAT/></Adapter></Network>
      <NVRAM path="web.nvram"/>
      <StorageControllers>
        <StorageController name="SATA" type="AHCI">
          <AttachedDevice type="HardDisk" port="0" device="0"><Image uuid="{44444444-4444-4444-8444-444444444444}"/></AttachedDevice>
          <AttachedDevice type="HardDisk" port="1" device="0"><Image uuid="{55555555-5555-4555-8555-555555555555}"/></AttachedDevice>
          <AttachedDevice type="DVD" port="2" device="0"/>
        </StorageController>
      </StorageControllers>
    </Hardware>
    <ExtraData><ExtraDataItem name="note" value="a &quot;quoted&quot; &amp; &lt;odd&gt; value"/></ExtraData>
  </Machine>
</VirtualBox>`;

describe('VirtualBox', () => {
  const config = `${STAGING}/vms/web/web.vbox`;
  const restored = disk(`${STAGING}/vms/web/Snapshots/{4444}.vdi`, 'web-copy.vdi');

  it('gives new machine and medium identities, drops snapshots, detaches a disk not in the point, drops the saved state', () => {
    const result = rewriteVbox({ document: parseBoundedXml(VBOX, config), stagedConfig: config, staging: STAGING, name: 'web-copy', disks: [restored], nvramFile: 'web-copy.nvram' });
    const text = writeXmlDocument(result.document, { declaration: true });
    const machine = xmlChild(parseBoundedXml(text, 'out'), 'Machine');
    expect(xmlAttr(machine, 'uuid')).toBe(`{${result.machineUuid}}`);
    expect(result.machineUuid).not.toBe('11111111-1111-4111-8111-111111111111');
    expect(xmlAttr(machine, 'name')).toBe('web-copy');
    for (const gone of ['currentSnapshot', 'stateFile', 'aborted']) expect(machine?.attributes.has(gone)).toBe(false);
    expect(xmlDescendants(machine, 'Snapshot')).toEqual([]);
    expect(xmlDescendants(machine, 'HardDisk').map((hd) => [xmlAttr(hd, 'uuid'), xmlAttr(hd, 'location')])).toEqual([[`{${restored.uuid}}`, 'web-copy.vdi']]);
    const attached = xmlDescendants(machine, 'AttachedDevice');
    expect(attached.map((device) => [xmlAttr(device, 'type'), xmlAttr(xmlChild(device, 'Image'), 'uuid')])).toEqual([['HardDisk', `{${restored.uuid}}`], ['DVD', undefined]]);
    expect(result.notes.join(' ')).toContain('is not in the point');
    expect(xmlAttr(xmlDescendants(machine, 'NVRAM')[0], 'path')).toBe('web-copy.nvram');
    expect(xmlAttr(xmlDescendants(machine, 'Adapter')[0], 'MACAddress')).toMatch(/^080027[0-9A-F]{6}$/);
    expect(xmlAttr(xmlDescendants(machine, 'Adapter')[0], 'MACAddress')).not.toBe('0800271A2B3C');
    expect(text).toContain('xmlns="http://www.virtualbox.org/"');
    expect(xmlAttr(xmlDescendants(machine, 'ExtraDataItem')[0], 'value')).toBe('a "quoted" & <odd> value');
  });

  it('keeps the saved state (and the MAC addresses the saved guest knows) when asked', () => {
    const result = rewriteVbox({ document: parseBoundedXml(VBOX, config), stagedConfig: config, staging: STAGING, name: 'web-copy', disks: [restored], savedStateFile: 'web-copy.sav' });
    const machine = xmlChild(result.document, 'Machine');
    expect(xmlAttr(machine, 'stateFile')).toBe('web-copy.sav');
    expect(xmlAttr(xmlDescendants(machine, 'Adapter')[0], 'MACAddress')).toBe('0800271A2B3C');
    expect(xmlDescendants(machine, 'NVRAM')[0]?.attributes.has('path')).toBe(false);
  });

  it('generates a 1.19 machine from a hardware summary', () => {
    const vm = { hardware: { cpus: 3, memoryMiB: 3072, firmware: 'efi', guestOs: 'ubuntu-64', disks: [], nics: [{ model: 'virtio' }, { model: 'e1000' }] } } as unknown as PointVm;
    const result = generateVbox(vm, 'gen', [disk('/s/a', 'gen.vdi', { bus: 'ide' }), disk('/s/b', 'gen-disk2.vdi', { bus: 'virtio', uuid: '0a1b2c3d-0000-4000-8000-000000000002' })]);
    const machine = xmlChild(parseBoundedXml(writeXmlDocument(result.document, { declaration: true }), 'gen'), 'Machine');
    expect(xmlAttr(machine, 'OSType')).toBe('Ubuntu_64');
    expect(xmlAttr(xmlDescendants(machine, 'CPU')[0], 'count')).toBe('3');
    expect(xmlAttr(xmlDescendants(machine, 'Memory')[0], 'RAMSize')).toBe('3072');
    expect(xmlAttr(xmlDescendants(machine, 'Firmware')[0], 'type')).toBe('EFI');
    expect(xmlDescendants(machine, 'StorageController').map((controller) => xmlAttr(controller, 'type'))).toEqual(['PIIX4', 'AHCI']);
    expect(xmlDescendants(machine, 'Adapter').map((adapter) => xmlAttr(adapter, 'type'))).toEqual(['virtio', '82540EM']);
    expect(result.notes.join(' ')).toContain('a virtio disk was put on SATA');
  });
});

const VMX = `.encoding = "UTF-8"
displayName = "Windows 10 |22lab|22"
uuid.bios = "56 4d 12 34 56 78 9a bc-de f0 12 34 56 78 9a bc"
uuid.location = "56 4d 12 34 56 78 9a bc-de f0 12 34 56 78 9a bc"
nvram = "win10.nvram"
scsi0:0.fileName = "win10-000002.vmdk"
scsi0:0.present = "TRUE"
scsi0:1.fileName = "/abs/scratch.vmdk"
scsi0:1.mode = "independent-nonpersistent"
scsi0:1.present = "TRUE"
sata0:1.deviceType = "cdrom-image"
sata0:1.fileName = "/isos/w.iso"
ethernet0.generatedAddress = "00:0C:29:AA:BB:CC"
ethernet0.generatedAddressOffset = "0"
checkpoint.vmState = "win10-4a3b.vmss"
extendedConfigFile = "win10.vmxf"
# a comment stays
`;

describe('VMware', () => {
  const config = `${STAGING}/vms/win10/win10.vmx`;
  const restored = disk(`${STAGING}/vms/win10/win10-000002.vmdk`, 'copy "1".vmdk', { format: 'vmdk' });

  it('renames, drops identities and generated MACs, points disks, NVRAM and suspend state at the restored files', () => {
    const { text, notes } = rewriteVmx({ text: VMX, stagedConfig: config, staging: STAGING, name: 'copy', disks: [restored], nvramFile: 'copy.nvram', savedStateFile: 'copy.vmss' });
    const entries = parseVmxText(text);
    expect(entries.get('displayname')).toBe('copy');
    for (const gone of ['uuid.bios', 'uuid.location', 'ethernet0.generatedaddress', 'ethernet0.generatedaddressoffset', 'extendedconfigfile', 'scsi0:1.filename', 'scsi0:1.mode']) {
      expect(entries.has(gone)).toBe(false);
    }
    expect(entries.get('scsi0:0.filename')).toBe('copy "1".vmdk');
    expect(text).toContain('scsi0:0.fileName = "copy |221|22.vmdk"');
    expect(entries.get('scsi0:1.present')).toBe('FALSE');
    expect(entries.get('sata0:1.filename')).toBe('/isos/w.iso');
    expect(entries.get('nvram')).toBe('copy.nvram');
    expect(entries.get('checkpoint.vmstate')).toBe('copy.vmss');
    expect(text).toContain('# a comment stays');
    expect(notes.join(' ')).toContain('scsi0:1');
  });

  it('drops the suspend state and NVRAM when they are not restored', () => {
    const entries = parseVmxText(rewriteVmx({ text: VMX, stagedConfig: config, staging: STAGING, name: 'copy', disks: [restored] }).text);
    expect(entries.has('checkpoint.vmstate')).toBe(false);
    expect(entries.has('nvram')).toBe(false);
  });

  it('generates a .vmx from a hardware summary', () => {
    const vm = { hardware: { cpus: 2, memoryMiB: 2048, firmware: 'efi', guestOs: 'Windows10_64', disks: [], nics: [{ model: 'virtio' }] } } as unknown as PointVm;
    const entries = parseVmxText(generateVmx(vm, 'gen', [disk('/s/a', 'gen.vmdk', { bus: 'virtio', format: 'vmdk' }), disk('/s/b', 'gen-disk2.vmdk', { bus: 'ide', format: 'vmdk' })]).text);
    expect(Object.fromEntries([...entries].filter(([key]) => /^(memsize|numvcpus|firmware|guestos|sata0:0\.filename|ide0:0\.filename|ethernet0\.virtualdev)$/.test(key))))
      .toEqual({ memsize: '2048', numvcpus: '2', firmware: 'efi', guestos: 'windows9-64', 'sata0:0.filename': 'gen.vmdk', 'ide0:0.filename': 'gen-disk2.vmdk', 'ethernet0.virtualdev': 'vmxnet3' });
  });
});

const DOMAIN = `<domain type='kvm' id='7'>
  <name>web</name>
  <uuid>3c9d2f7a-51b4-4e0c-a8d2-7f60e1c4b9a3</uuid>
  <os><type arch='x86_64' machine='q35'>hvm</type><nvram template='/usr/share/OVMF/OVMF_VARS.fd'>/var/lib/libvirt/qemu/nvram/web_VARS.fd</nvram></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/web.snap1'/>
      <backingStore type='file'><format type='qcow2'/><source file='/var/lib/libvirt/images/web.qcow2'/></backingStore>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'><source file='/other/not-in-point.img'/><target dev='vdb' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><target dev='sda' bus='sata'/><readonly/></disk>
    <interface type='network'><mac address='52:54:00:6b:3c:21'/><source network='default'/><model type='virtio'/></interface>
  </devices>
</domain>`;

describe('libvirt', () => {
  const config = `${STAGING}/etc/libvirt/qemu/web.xml`;
  const restored = disk(`${STAGING}/var/lib/libvirt/images/web.snap1`, 'web-copy.qcow2', { format: 'qcow2' });

  it('renames, gives a new uuid and MACs, points the disk at the merged image without backingStore, keeps the NVRAM path given', () => {
    const result = rewriteDomain({ document: parseBoundedXml(DOMAIN, config), stagedConfig: config, staging: STAGING, name: 'web-copy', disks: [restored], nvramPath: '/restore/web-copy.nvram' });
    const domain = parseBoundedXml(writeXmlDocument(result.document), 'out');
    expect(domain.attributes.has('id')).toBe(false);
    expect(xmlChild(domain, 'name')?.text).toBe('web-copy');
    expect(xmlChild(domain, 'uuid')?.text).toBe(result.uuid);
    const disks = xmlDescendants(domain, 'disk');
    expect(disks.map((d) => [xmlAttr(d, 'device'), xmlAttr(xmlChild(d, 'source'), 'file'), xmlAttr(xmlChild(d, 'driver'), 'type')]))
      .toEqual([['disk', '/restore/web-copy.qcow2', 'qcow2'], ['cdrom', undefined, undefined]]);
    expect(xmlDescendants(domain, 'backingStore')).toEqual([]);
    expect(xmlAttr(xmlDescendants(domain, 'mac')[0], 'address')).toMatch(/^52:54:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
    expect(xmlAttr(xmlDescendants(domain, 'mac')[0], 'address')).not.toBe('52:54:00:6b:3c:21');
    expect(xmlDescendants(domain, 'nvram')[0]?.text).toBe('/restore/web-copy.nvram');
    expect(result.notes.join(' ')).toContain('vdb');
  });

  it('leaves the NVRAM to libvirt\'s template when the point has none, and generates a domain from a summary', () => {
    const result = rewriteDomain({ document: parseBoundedXml(DOMAIN, config), stagedConfig: config, staging: STAGING, name: 'w', disks: [restored] });
    expect(xmlDescendants(result.document, 'nvram')).toEqual([]);
    const vm = { hardware: { cpus: 2, memoryMiB: 1536, firmware: 'bios', guestOs: 'windows9-64', disks: [], nics: [{ model: '82540EM' }] } } as unknown as PointVm;
    const generated = parseBoundedXml(writeXmlDocument(generateDomain(vm, 'gen', [disk('/s/a', 'gen.qcow2', { bus: 'scsi', format: 'qcow2' })]).document), 'gen');
    expect(xmlChild(generated, 'memory')?.text).toBe('1536');
    expect(xmlAttr(xmlChild(generated, 'os'), 'firmware')).toBeUndefined();
    expect(xmlAttr(xmlChild(generated, 'clock'), 'offset')).toBe('localtime');
    expect(xmlAttr(xmlDescendants(generated, 'target')[0], 'bus')).toBe('scsi');
    expect(xmlAttr(xmlDescendants(generated, 'controller')[0], 'model')).toBe('virtio-scsi');
    expect(xmlAttr(xmlDescendants(generated, 'model').find((model) => xmlAttr(model, 'type') === 'e1000'), 'type')).toBe('e1000');
  });
});
