/** Parsing what virsh prints, and which libvirt connection a domain's config belongs to. */
import { describe, expect, it } from 'vitest';
import { libvirtUri, parseDomblklist } from '../../../electron/engine/consistency/libvirt-snapshot.ts';

describe('libvirt snapshot driver', () => {
  it('reads virsh domblklist --details, sources with spaces included', () => {
    const text = ` Type   Device   Target   Source
------------------------------------------------------
 file   disk     vda      /var/lib/libvirt/images/my disk.qcow2
 file   cdrom    sda      -
`;
    expect(parseDomblklist(text)).toEqual([
      { type: 'file', device: 'disk', target: 'vda', source: '/var/lib/libvirt/images/my disk.qcow2' },
      { type: 'file', device: 'cdrom', target: 'sda', source: '-' },
    ]);
  });

  it('system domains use qemu:///system, a user\'s qemu:///session, anything else the default', () => {
    expect(libvirtUri('/etc/libvirt/qemu/db.xml')).toBe('qemu:///system');
    expect(libvirtUri('/home/ann/.config/libvirt/qemu/db.xml')).toBe('qemu:///session');
    expect(libvirtUri('/srv/vms/db.xml')).toBeNull();
  });
});
