/** Paths written in configs, as discovery reports them here: relative from the config, absolute under --root. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configPathHere, underRoot } from '../../../electron/engine/discovery/discovery-paths.ts';

describe('configPathHere', () => {
  it('resolves relative paths from the config folder and keeps absolute ones without a root', () => {
    expect(configPathHere('Snapshots/{a}.vdi', '/vms/m', undefined)).toBe('/vms/m/Snapshots/{a}.vdi');
    expect(configPathHere('/var/lib/libvirt/images/a.qcow2', '/etc/libvirt/qemu', undefined)).toBe('/var/lib/libvirt/images/a.qcow2');
  });

  it('maps absolute paths (POSIX and Windows) under the root, once', () => {
    expect(configPathHere('/var/lib/libvirt/images/a.qcow2', '/mnt/disk/etc/libvirt/qemu', '/mnt/disk'))
      .toBe('/mnt/disk/var/lib/libvirt/images/a.qcow2');
    expect(configPathHere('C:\\Users\\ann\\VirtualBox VMs\\w\\w.vdi', '/mnt/c/Users/ann/VirtualBox VMs/w', '/mnt/c'))
      .toBe(join('/mnt/c', 'Users/ann/VirtualBox VMs/w/w.vdi'));
    expect(configPathHere('Snapshots\\{b}.vdi', '/mnt/c/vms/w', '/mnt/c')).toBe('/mnt/c/vms/w/Snapshots/{b}.vdi');
    expect(underRoot('/mnt/disk/already/here', '/mnt/disk')).toBe('/mnt/disk/already/here');
    expect(underRoot('/../../etc/passwd', '/mnt/disk')).toBe('/mnt/disk/etc/passwd');
    expect(configPathHere('../../../../../etc/shadow', '/mnt/disk/var/lib/images', '/mnt/disk')).toBe('/mnt/disk/etc/shadow');
  });
});
