/**
 * libvirt domains written the way libvirtd writes them (the auto-generated header, single
 * quotes, backingStore chains), on a "system" tree under a root folder (etc/libvirt/qemu,
 * var/lib/libvirt/...) with qcow2 overlays made by qemu-img over a golden base whose absolute
 * path (/var/lib/libvirt/images/golden.qcow2) is the other machine's, and a session domain.
 */
import { join } from 'node:path';
import { createImage, writeText } from './vm-fixture-kit.ts';

const HEADER = (name: string) => `<!--
WARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE
OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:
  virsh edit ${name}
or other application using the libvirt API.
-->
`;

export const WEB_UUID = 'c7a5fdbd-edaf-9455-926a-d65c16db1809';

export interface SystemFixture {
  root: string;
  web: string;
  db: string;
  golden: string;
  webDisk: string;
  dbDisk: string;
  webNvram: string;
  dbSave: string;
}

/** web (EFI, overlay + ISO + rbd + block disks, status file) and db (BIOS, managed save) sharing golden.qcow2. */
export function writeSystemTree(root: string): SystemFixture {
  const images = join(root, 'var', 'lib', 'libvirt', 'images');
  const golden = createImage(join(images, 'golden.qcow2'), 'qcow2', 32);
  const webDisk = createImage(join(images, 'web.qcow2'), 'qcow2', 32,
    { path: '/var/lib/libvirt/images/golden.qcow2', format: 'qcow2', unsafe: true });
  const dbDisk = createImage(join(images, 'db.qcow2'), 'qcow2', 32,
    { path: '/var/lib/libvirt/images/golden.qcow2', format: 'qcow2', unsafe: true });
  const webNvram = writeText(join(root, 'var', 'lib', 'libvirt', 'qemu', 'nvram', 'web_VARS.fd'), 'OVMF vars');
  const dbSave = writeText(join(root, 'var', 'lib', 'libvirt', 'qemu', 'save', 'db.save'), 'LibvirtQemudSave');
  writeText(join(root, 'run', 'libvirt', 'qemu', 'web.xml'), "<domstatus state='running' reason='booted' pid='4242'/>");
  writeText(join(root, 'var', 'lib', 'libvirt', 'qemu', 'snapshot', 'web', 'before-update.xml'), `<domainsnapshot>
  <name>before-update</name>
  <state>shutoff</state>
  <creationTime>1764600000</creationTime>
  <active>1</active>
</domainsnapshot>
`);
  const web = writeText(join(root, 'etc', 'libvirt', 'qemu', 'web.xml'), `${HEADER('web')}
<domain type='kvm'>
  <name>web</name>
  <uuid>C7A5FDBD-EDAF-9455-926A-D65C16DB1809</uuid>
  <metadata>
    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
      <libosinfo:os id="http://debian.org/debian/12"/>
    </libosinfo:libosinfo>
  </metadata>
  <memory unit='KiB'>2097152</memory>
  <currentMemory unit='KiB'>2097152</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os firmware='efi'>
    <type arch='x86_64' machine='pc-q35-8.2'>hvm</type>
    <firmware>
      <feature enabled='yes' name='enrolled-keys'/>
      <feature enabled='yes' name='secure-boot'/>
    </firmware>
    <loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.ms.fd</loader>
    <nvram template='/usr/share/OVMF/OVMF_VARS_4M.ms.fd'>/var/lib/libvirt/qemu/nvram/web_VARS.fd</nvram>
    <boot dev='hd'/>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' discard='unmap'/>
      <source file='/var/lib/libvirt/images/web.qcow2'/>
      <backingStore type='file'>
        <format type='qcow2'/>
        <source file='/var/lib/libvirt/images/golden.qcow2'/>
        <backingStore/>
      </backingStore>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='/var/lib/libvirt/images/debian-12.8.0-amd64-netinst.iso'/>
      <target dev='sda' bus='sata'/>
      <readonly/>
    </disk>
    <disk type='network' device='disk'>
      <driver name='qemu' type='raw'/>
      <source protocol='rbd' name='pool/web-data'>
        <host name='ceph1' port='6789'/>
      </source>
      <target dev='vdb' bus='virtio'/>
    </disk>
    <disk type='block' device='disk'>
      <driver name='qemu' type='raw' cache='none' io='native'/>
      <source dev='/dev/sdb'/>
      <target dev='vdc' bus='virtio'/>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:6B:3C:58'/>
      <source network='default'/>
      <model type='virtio'/>
    </interface>
    <interface type='bridge'>
      <mac address='52:54:00:aa:bb:cc'/>
      <source bridge='br0'/>
      <model type='e1000e'/>
    </interface>
  </devices>
</domain>
`);
  const db = writeText(join(root, 'etc', 'libvirt', 'qemu', 'db.xml'), `${HEADER('db')}
<domain type='qemu'>
  <name>db</name>
  <uuid>0d5e7c4a-1b2c-4d3e-8f9a-0b1c2d3e4f5a</uuid>
  <memory unit='GiB'>1</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc-i440fx-8.2'>hvm</type>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/db.qcow2'/>
      <backingStore type='file'>
        <format type='qcow2'/>
        <source file='/var/lib/libvirt/images/other-base.qcow2'/>
      </backingStore>
      <target dev='sda' bus='scsi'/>
    </disk>
    <disk type='file' device='floppy'>
      <target dev='fda' bus='fdc'/>
    </disk>
  </devices>
</domain>
`);
  return { root, web, db, golden, webDisk, dbDisk, webNvram, dbSave };
}

/** A session domain in `<home>/.config/libvirt/qemu`, its disk relative to nothing (absolute path here). */
export function writeSessionDomain(home: string, images: string): { config: string; disk: string } {
  const disk = createImage(join(images, 'dev.qcow2'), 'qcow2', 8);
  const config = writeText(join(home, '.config', 'libvirt', 'qemu', 'dev.xml'), `${HEADER('dev')}
<domain type='kvm'>
  <name>dev</name>
  <uuid>11f0c2a4-5b6c-4d7e-8f90-a1b2c3d4e5f6</uuid>
  <memory unit='MiB'>512</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='${disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='user'>
      <mac address='52:54:00:12:34:56'/>
      <model type='virtio'/>
    </interface>
  </devices>
</domain>
`);
  return { config, disk };
}
