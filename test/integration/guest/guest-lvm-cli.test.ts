/**
 * LVM2 through the real CLI: a volume group over a GPT partition of one disk and the whole
 * of another, with a linear volume spanning both disks and a striped one, each holding an
 * ext4 made with mkfs -d; protected, backed up, listed and extracted.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../support/required-tools.ts';
import { Lab } from '../vault-engine/vault-engine-kit.ts';
import { MIB, mkfsExt, sfdisk, sparseFile } from '../../unit/guest/guest-image-kit.ts';
import { comparable, walkTree, writeKnownTree } from '../../unit/guest/guest-tree-kit.ts';
import { createVolumeGroup, lvmUnavailable, writeIntoVolume } from './lvm-image-kit.ts';

const haveTools = requireTool('sfdisk', 'fdisk') && requireTool('mkfs.ext4', 'e2fsprogs', ['-V']) && requireTool('pvcreate', 'lvm2');
const unavailable = lvmUnavailable();
const STEP_MS = 300_000;
const lab = new Lab('guest-lvm');
afterAll(() => lab.remove());

interface Parts {
  disks: { table: string; volumes: { id: string; filesystem: string }[] }[];
  logicalVolumes: { id: string; filesystem: string; readable: boolean; typeCode?: string; size: number }[];
}

describe.skipIf(!haveTools || unavailable !== undefined)(`labvault files over LVM2 volumes${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  const tree = join(lab.dir, 'tree');
  let point = '';

  beforeAll(async () => {
    writeKnownTree(tree, { manyFiles: 30 });
    const disk0 = join(lab.vmDir, 'disk0.img');
    const disk1 = join(lab.vmDir, 'disk1.img');
    sparseFile(disk0, 40 * MIB);
    sfdisk(disk0, 'label: gpt\nstart=2048, size=65536, type=E6D6D379-F507-44C2-A23C-238F2A3DF928, name="pv"\n');
    sparseFile(disk1, 48 * MIB);
    const layout = createVolumeGroup('vgx', [
      { path: disk0, offset: 2048 * 512, size: 65536 * 512 }, { path: disk1, offset: 0, size: 48 * MIB },
    ], [['-i', '2', '-I', '64k', '-l', '4', '-n', 'data'], ['-l', '10', '-n', 'root']]);
    const rootSegments = layout.segments.filter((segment) => segment.lv_name === 'root');
    expect(new Set(rootSegments.map((segment) => segment.seg_pe_ranges.split(':')[0])).size).toBe(2);
    for (const [lv, extents] of [['root', 10], ['data', 4]] as const) {
      const image = join(lab.dir, `${lv}.img`);
      sparseFile(image, extents * layout.extentBytes);
      mkfsExt('ext4', image, 0, extents * layout.extentBytes, { tree, label: lv });
      writeIntoVolume(layout, lv, image);
    }
    await lab.createVault('lvm');
    await lab.protect('lvm', 'lvm1', [disk0, disk1]);
    await lab.backup('lvm1');
    point = (await lab.points('lvm1'))[0]?.id as string;
  }, STEP_MS);

  it('finds the volume group across both disks and its linear and striped volumes', async () => {
    const parts = await lab.cliJson<Parts>(['files', 'parts', 'lvm1', '--point', point, '--json']);
    expect(parts.disks.map((disk) => [disk.table, disk.volumes.map((volume) => volume.filesystem)])).toEqual([['gpt', ['lvm2-pv']], ['none', ['lvm2-pv']]]);
    expect(parts.logicalVolumes.map((volume) => [volume.id, volume.filesystem, volume.readable, volume.typeCode])).toEqual([
      ['vgx/data', 'ext4', true, 'striped'], ['vgx/root', 'ext4', true, 'striped'],
    ]);
  }, STEP_MS);

  it('lists and extracts both volumes as the source tree has it', async () => {
    const expected = comparable(walkTree(tree));
    for (const lv of ['vgx/root', 'vgx/data']) {
      const out = join(lab.dir, `out-${lv.replace('/', '-')}`);
      const get = await lab.cli(['files', 'get', 'lvm1', '--point', point, '--partition', lv, '/etc', '/home', '/var', '/empty', '--to', out, '--json']);
      expect(get.code, get.stderr).toBe(0);
      expect(comparable(walkTree(out)), lv).toEqual(expected);
    }
  }, STEP_MS);
});
