/**
 * Files inside a point's disks through the real CLI: a GPT disk (EFI vfat + ext4 with the
 * known tree and a 5 GiB sparse file) and an MBR disk with an extended partition (ext2,
 * ext3 in a logical partition), protected and backed up, then `files parts`, `ls`, `get`
 * and `history` compared with the source trees.
 */
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../support/required-tools.ts';
import { Lab } from '../vault-engine/vault-engine-kit.ts';
import { MIB, mkfsExt, run, sfdisk, sparseFile } from '../../unit/guest/guest-image-kit.ts';
import { comparable, walkTree, writeKnownTree } from '../../unit/guest/guest-tree-kit.ts';
import type { TreeEntry } from '../../unit/guest/guest-tree-kit.ts';

const haveTools = requireTool('sfdisk', 'fdisk') && requireTool('mkfs.ext4', 'e2fsprogs', ['-V'])
  && requireTool('mkfs.vfat', 'dosfstools', ['--help']);

const GIB = 1024 * MIB;
/** A 6 GiB sparse disk is backed up and a 5 GiB sparse file extracted: minutes on a busy machine. */
const STEP_MS = 600_000;
const lab = new Lab('guest-files');
afterAll(() => lab.remove());

interface Parts {
  disks: { disk: number; table: string; volumes: { id: string; filesystem: string; readable: boolean; label?: string }[] }[];
  chunksRead: number;
}
interface Entry { name: string; type: string; size: number; mtime: string; mode: number; target?: string }
interface History { versions: { point: string; size: number; sha256?: string; changed: boolean }[]; skipped: unknown[] }

/** The entries of one folder of the source tree as `files ls --json` should print them. */
function expectedListing(tree: TreeEntry[], dir: string): Entry[] {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  return tree.filter((entry) => entry.path.startsWith(prefix) && !entry.path.slice(prefix.length).includes('/'))
    .map((entry) => ({
      name: entry.path.slice(prefix.length), type: entry.type, size: entry.size, mtime: new Date(entry.mtimeMs).toISOString(),
      mode: entry.mode, ...(entry.target === undefined ? {} : { target: entry.target }),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

function withoutDirSizes(entries: Entry[]): Entry[] {
  return entries.map((entry) => (entry.type === 'dir' ? { ...entry, size: 0 } : entry));
}

describe.skipIf(!haveTools)('labvault files over GPT and MBR disks', () => {
  const tree = join(lab.dir, 'tree');
  const smallTree = join(lab.dir, 'small-tree');
  const gptDisk = join(lab.vmDir, 'disk0.img');
  const mbrDisk = join(lab.vmDir, 'disk1.img');
  const p2Offset = 67584 * 512;

  let first = '';
  let expected: TreeEntry[] = [];

  beforeAll(async () => {
    writeKnownTree(tree, { bigSparse: true, manyFiles: 50 });
    mkdirSync(smallTree);
    cpSync(join(tree, 'etc'), join(smallTree, 'etc'), { recursive: true, verbatimSymlinks: true });
    sparseFile(gptDisk, 6 * GIB);
    sfdisk(gptDisk, 'label: gpt\nstart=2048, size=65536, type=uefi, name="EFI"\nstart=67584, type=linux, name="root"\n');
    run('mkfs.vfat', ['-F', '32', '-n', 'EFI', '--offset', '2048', gptDisk, String(65536 / 2)]);
    mkfsExt('ext4', gptDisk, p2Offset, 6 * GIB - p2Offset - MIB, { tree, label: 'rootfs' });
    sparseFile(mbrDisk, 160 * MIB);
    sfdisk(mbrDisk, 'label: dos\nstart=2048, size=65536, type=83\nstart=69632, size=258048, type=5\nstart=71680, size=65536, type=83\n');
    mkfsExt('ext2', mbrDisk, 2048 * 512, 65536 * 512, { tree: smallTree, label: 'boot2' });
    mkfsExt('ext3', mbrDisk, 71680 * 512, 65536 * 512, { tree: smallTree, label: 'data3' });
    await lab.createVault('guests');
    await lab.protect('guests', 'vm1', [gptDisk, mbrDisk]);
    await lab.backup('vm1');
    first = (await lab.points('vm1'))[0]?.id as string;
    expected = comparable(walkTree(tree));
  }, STEP_MS);

  it('lists the partitions of both disks with their filesystems, reading only the chunks it needs', async () => {
    const parts = await lab.cliJson<Parts>(['files', 'parts', 'vm1', '--point', first, '--json']);
    expect(parts.disks.map((disk) => [disk.disk, disk.table])).toEqual([[0, 'gpt'], [1, 'mbr']]);
    expect(parts.disks[0]?.volumes.map((volume) => [volume.id, volume.filesystem, volume.label])).toEqual([['1', 'vfat', 'EFI'], ['2', 'ext4', 'rootfs']]);
    expect(parts.disks[1]?.volumes.map((volume) => [volume.id, volume.filesystem, volume.label, volume.readable]))
      .toEqual([['1', 'ext2', 'boot2', true], ['5', 'ext3', 'data3', true]]);
    // Only the chunks holding tables and superblocks were read, not the 6 GiB disk.
    expect(parts.chunksRead).toBeLessThan(40);
  }, STEP_MS);

  it('lists folders as the source tree has them, and asks which partition when several are readable', async () => {
    const ambiguous = await lab.cli(['files', 'ls', 'vm1', '--point', first, '/', '--json']);
    expect(ambiguous.code).not.toBe(0);
    expect(ambiguous.stderr).toMatch(/disk 0 partition 2 \(ext4, "rootfs"\).*disk 1 partition 1 \(ext2/);

    for (const dir of ['/', '/etc', '/home/zoë', '/home/zoë/Документы']) {
      const listed = await lab.cliJson<Entry[]>(['files', 'ls', 'vm1', '--point', first, '--disk', '0', '--partition', '2', dir, '--json']);
      expect(withoutDirSizes(listed.filter((entry) => entry.name !== 'lost+found')), dir).toEqual(withoutDirSizes(expectedListing(expected, dir)));
    }
    const logical = await lab.cliJson<Entry[]>(['files', 'ls', 'vm1', '--point', first, '--disk', '1', '--partition', '5', '/etc', '--json']);
    expect(logical.map((entry) => entry.name)).toEqual(readdirSync(join(smallTree, 'etc')).sort());
  }, STEP_MS);

  it('gets folders and files out with their content, modes, times, symlinks and hardlinks, never overwriting', async () => {
    const out = join(lab.dir, 'out');
    const get = await lab.cli(['files', 'get', 'vm1', '--point', first, '--disk', '0', '--partition', '2', '/etc', '/home', '/var',
      '/empty', '--to', out, '--json']);
    expect(get.code, get.stderr).toBe(0);
    expect(comparable(walkTree(out))).toEqual(expected);
    const again = await lab.cli(['files', 'get', 'vm1', '--point', first, '--partition', '2', '--disk', '0', '/etc', '--to', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/CONFLICT.*never overwrites/);
  }, STEP_MS);

  it('finds every point holding a file, with its size and digest, and which point changed it', async () => {
    // A second point where /etc/hosts of the ext2 partition changed.
    writeFileSync(join(smallTree, 'etc', 'hosts'), '10.0.0.1 changed\n');
    mkfsExt('ext2', mbrDisk, 2048 * 512, 65536 * 512, { tree: smallTree, label: 'boot2' });
    await lab.backup('vm1');
    const history = await lab.cliJson<History>(['files', 'history', 'vm1', '/etc/hosts', '--disk', '1', '--partition', '1', '--json']);
    expect(history.skipped).toEqual([]);
    expect(history.versions.map((version) => [version.size, version.changed])).toEqual([[34, false], [17, true]]);
    expect(history.versions[1]?.sha256).toBe(walkTree(smallTree).find((entry) => entry.path === '/etc/hosts')?.sha256);
  }, STEP_MS);
});
