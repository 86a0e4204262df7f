import { describe, expect, it } from 'vitest';
import { hashToRoute, routeToHash, sectionOf } from '../../../renderer/stores/route-codec.ts';
import { childPath, defaultVolume, guestSegments, shownEntries, volumeChoices } from '../../../renderer/features/files/point-files-model.ts';

const entry = (name: string, type: 'file' | 'dir' = 'file') => ({ name, type, size: 1, mtime: '2026-01-01T00:00:00.000Z', mode: 0o644 });

describe('point file browser model', () => {
  it('routes #/items/ID/points/POINT/files to the point\'s files, under Protected items', () => {
    const route = { page: 'point-files' as const, item: 'a b', point: '20260101T000000.000Z-abcdef' };
    expect(routeToHash(route)).toBe('#/items/a%20b/points/20260101T000000.000Z-abcdef/files');
    expect(hashToRoute(routeToHash(route))).toEqual(route);
    expect(sectionOf(route)).toBe('items');
    expect(hashToRoute('#/items/x')).toEqual({ page: 'item', item: 'x' });
  });

  it('lists volumes (LVM physical volumes left out) and opens the largest readable one first', () => {
    const choices = volumeChoices({
      disks: [{ disk: 0, name: 'sda.img', volumes: [
        { id: '1', kind: 'partition', size: 100, filesystem: 'vfat', label: 'EFI', readable: true },
        { id: '2', kind: 'partition', size: 900, filesystem: 'ext4', readable: true },
        { id: '3', kind: 'partition', size: 5000, filesystem: 'luks', readable: false, reason: 'LUKS-encrypted' },
        { id: '4', kind: 'partition', size: 50, filesystem: 'lvm2-pv', readable: false },
      ] }],
      logicalVolumes: [{ id: 'vg/root', kind: 'logical-volume', size: 800, filesystem: 'ext4', readable: true }],
    });
    expect(choices.map((choice) => [choice.key, choice.title])).toEqual([
      ['0:1', 'sda.img · partition 1 (vfat "EFI")'], ['0:2', 'sda.img · partition 2 (ext4)'],
      ['0:3', 'sda.img · partition 3 (luks)'], ['lv:vg/root', 'Logical volume vg/root (ext4)'],
    ]);
    expect(defaultVolume(choices)?.key).toBe('0:2');
    expect(defaultVolume(choices.filter((choice) => !choice.readable))).toBeUndefined();
  });

  it('splits guest paths for breadcrumbs, joins children, searches names in any case, folders first', () => {
    expect(guestSegments('/')).toEqual([{ label: '/', path: '/' }]);
    expect(guestSegments('/home/zoë')).toEqual([{ label: '/', path: '/' }, { label: 'home', path: '/home' }, { label: 'zoë', path: '/home/zoë' }]);
    expect([childPath('/', 'etc'), childPath('/etc', 'hosts')]).toEqual(['/etc', '/etc/hosts']);
    const entries = [entry('Readme.md'), entry('notes.txt'), entry('reports', 'dir'), entry('a.txt')];
    expect(shownEntries(entries, '').map((found) => found.name)).toEqual(['reports', 'a.txt', 'notes.txt', 'Readme.md']);
    expect(shownEntries(entries, ' RE ').map((found) => found.name)).toEqual(['reports', 'Readme.md']);
  });
});
