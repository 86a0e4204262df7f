/**
 * FAT and NTFS files through the real CLI: a GPT disk with a FAT32 partition (mkfs.vfat +
 * mcopy) and an NTFS partition (mkntfs + wimapply of the known tree), and an MBR disk with a
 * FAT16 partition, protected and backed up, then `files parts`, `ls` and `get` compared
 * with the source trees.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../support/required-tools.ts';
import { Lab } from '../vault-engine/vault-engine-kit.ts';
import { copyInto, MIB, sfdisk, sparseFile } from '../../unit/guest/guest-image-kit.ts';
import { walkTree, writeKnownTree } from '../../unit/guest/guest-tree-kit.ts';
import type { TreeEntry } from '../../unit/guest/guest-tree-kit.ts';
import { buildFatImage, writeFatTree } from '../../unit/guest/fat-image-kit.ts';
import { applyTree, mkntfs } from '../../unit/guest/ntfs-image-kit.ts';

const haveTools = requireTool('sfdisk', 'fdisk') && requireTool('mkfs.vfat', 'dosfstools', ['--help']) && requireTool('mcopy', 'mtools')
  && requireTool('mkntfs', 'ntfs-3g', ['--version']) && requireTool('wimcapture', 'wimtools');

const STEP_MS = 300_000;
const lab = new Lab('guest-fat-ntfs');
afterAll(() => lab.remove());

interface Parts {
  disks: { disk: number; table: string; volumes: { id: string; filesystem: string; readable: boolean; label?: string }[] }[];
}
interface Entry { name: string; type: string; size: number; mtime: string; mode: number; target?: string }

function listingOf(tree: TreeEntry[], dir: string, convert: (entry: TreeEntry) => TreeEntry): Entry[] {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  return tree.filter((entry) => entry.path.startsWith(prefix) && !entry.path.slice(prefix.length).includes('/')).map(convert)
    .map((entry) => ({
      name: entry.path.slice(prefix.length), type: entry.type, size: entry.type === 'dir' ? 0 : entry.size,
      mtime: new Date(entry.mtimeMs).toISOString(), mode: entry.mode, ...(entry.target === undefined ? {} : { target: entry.target }),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

function sorted(entries: Entry[]): Entry[] {
  return [...entries].sort((a, b) => (a.name < b.name ? -1 : 1));
}

const fatView = (entry: TreeEntry): TreeEntry => ({ ...entry, mode: entry.type === 'dir' ? 0o755 : 0o644,
  mtimeMs: Math.floor(entry.mtimeMs / 2000) * 2000 });
const ntfsView = (entry: TreeEntry): TreeEntry => {
  const target = entry.target?.startsWith('/') === true ? `C:${entry.target}` : entry.target;
  return { ...entry, mode: entry.type === 'dir' ? 0o755 : entry.type === 'symlink' ? 0o777 : 0o644,
    ...(target === undefined ? {} : { target, size: Buffer.byteLength(target) }) };
};

describe.skipIf(!haveTools)('labvault files over FAT and NTFS partitions', () => {
  const fatTree = join(lab.dir, 'fat-tree');
  const ntfsTree = join(lab.dir, 'ntfs-tree');
  const gptDisk = join(lab.vmDir, 'windows.img');
  const mbrDisk = join(lab.vmDir, 'legacy.img');
  let point = '';

  beforeAll(async () => {
    writeFatTree(fatTree);
    writeKnownTree(ntfsTree, { manyFiles: 60 });
    sparseFile(gptDisk, 160 * MIB);
    sfdisk(gptDisk, 'label: gpt\nstart=2048, size=81920, type=uefi, name="EFI system"\nstart=83968, size=204800, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name="Basic data"\n');
    buildFatImage(gptDisk, fatTree, { fatBits: 32, offset: 2048 * 512, bytes: 81920 * 512, label: 'EFI', sectorsPerCluster: 1 });
    const ntfs = join(lab.dir, 'windows.ntfs');
    mkntfs(ntfs, 204800 * 512, 'Windows');
    applyTree(ntfs, ntfsTree);
    copyInto(ntfs, gptDisk, 83968 * 512);
    sparseFile(mbrDisk, 40 * MIB);
    sfdisk(mbrDisk, 'label: dos\nstart=2048, size=65536, type=6\n');
    buildFatImage(mbrDisk, fatTree, { fatBits: 16, offset: 2048 * 512, bytes: 65536 * 512, label: 'LEGACY' });
    await lab.createVault('windows');
    await lab.protect('windows', 'win1', [gptDisk, mbrDisk]);
    await lab.backup('win1');
    point = (await lab.points('win1'))[0]?.id as string;
  }, STEP_MS);

  it('lists the FAT and NTFS partitions with their labels', async () => {
    const parts = await lab.cliJson<Parts>(['files', 'parts', 'win1', '--point', point, '--json']);
    expect(parts.disks.map((disk) => disk.table)).toEqual(['gpt', 'mbr']);
    expect(parts.disks[0]?.volumes.map((volume) => [volume.id, volume.filesystem, volume.label, volume.readable]))
      .toEqual([['1', 'vfat', 'EFI', true], ['2', 'ntfs', 'Windows', true]]);
    expect(parts.disks[1]?.volumes.map((volume) => [volume.id, volume.filesystem, volume.label, volume.readable]))
      .toEqual([['1', 'vfat', 'LEGACY', true]]);
  }, STEP_MS);

  it('lists folders of both as their source trees have them', async () => {
    const fatExpected = walkTree(fatTree);
    const ntfsExpected = walkTree(ntfsTree);
    const ls = (disk: string, partition: string, dir: string): Promise<Entry[]> =>
      lab.cliJson<Entry[]>(['files', 'ls', 'win1', '--point', point, '--disk', disk, '--partition', partition, dir, '--json']);
    for (const dir of ['/Документы', '/deep/a/b']) {
      expect(sorted(await ls('0', '1', dir)), `FAT32 ${dir}`).toEqual(listingOf(fatExpected, dir, fatView));
      expect(sorted(await ls('1', '1', dir)), `FAT16 ${dir}`).toEqual(listingOf(fatExpected, dir, fatView));
    }
    for (const dir of ['/etc', '/home/zoë', '/home/zoë/Документы', '/var']) {
      expect(sorted(await ls('0', '2', dir)), `NTFS ${dir}`).toEqual(listingOf(ntfsExpected, dir, ntfsView)
        .map((entry) => (entry.type === 'dir' ? { ...entry, mtime: expect.any(String) as unknown as string } : entry)));
    }
  }, STEP_MS);

  it('gets folders and files out of both with their content and times', async () => {
    const fatOut = join(lab.dir, 'fat-out');
    mkdirSync(fatOut);
    const fatGet = await lab.cli(['files', 'get', 'win1', '--point', point, '--disk', '0', '--partition', '1', '/Документы', '/deep',
      '/README.TXT', '/readme2.txt', '/CAFÉ.TXT', '/é.txt', '--to', fatOut, '--json']);
    expect(fatGet.code, fatGet.stderr).toBe(0);
    const fatSource = walkTree(fatTree).filter((entry) => /^\/(Документы|deep|README\.TXT|readme2\.txt|CAFÉ\.TXT|é\.txt)(\/|$)/.test(entry.path));
    const strip = (entries: TreeEntry[]): unknown[] => entries.map((entry) => ({ path: entry.path, type: entry.type, sha256: entry.sha256,
      ...(entry.type === 'file' ? { size: entry.size, mtimeMs: Math.floor(entry.mtimeMs / 2000) * 2000 } : {}) }));
    expect(strip(walkTree(fatOut))).toEqual(strip(fatSource));

    const ntfsOut = join(lab.dir, 'ntfs-out');
    mkdirSync(ntfsOut);
    const ntfsGet = await lab.cli(['files', 'get', 'win1', '--point', point, '--disk', '0', '--partition', '2', '/etc', '/home', '/var',
      '/empty', '--to', ntfsOut, '--json']);
    expect(ntfsGet.code, ntfsGet.stderr).toBe(0);
    const ntfsStrip = (entries: TreeEntry[]): unknown[] => entries.map((entry) => ({ path: entry.path, type: entry.type,
      sha256: entry.sha256, target: entry.target === undefined ? undefined : ntfsView(entry).target,
      ...(entry.type === 'file' ? { size: entry.size } : {}) }));
    const got = walkTree(ntfsOut);
    const source = walkTree(ntfsTree);
    expect(ntfsStrip(got)).toEqual(ntfsStrip(source));
    // Times kept to the millisecond (a float's floor may differ by one).
    for (const [index, entry] of got.entries()) {
      if (entry.type === 'file') expect(Math.abs(entry.mtimeMs - (source[index] as TreeEntry).mtimeMs), entry.path).toBeLessThanOrEqual(1);
    }
  }, STEP_MS);
});
