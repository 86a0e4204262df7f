import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSource } from '../../../electron/engine/guest/block-source-views.ts';
import { openExtFilesystem } from '../../../electron/engine/guest/ext/ext-filesystem.ts';
import { requireTool } from '../../support/required-tools.ts';
import { indexDirectories, MIB, mkfsExt, sparseFile } from './guest-image-kit.ts';
import { comparable, walkGuest, walkTree, writeKnownTree } from './guest-tree-kit.ts';

const haveTools = requireTool('mkfs.ext4', 'e2fsprogs', ['-V']);
const dir = mkdtempSync(join(tmpdir(), 'labvault-ext-'));
const tree = join(dir, 'tree');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VARIANTS: { name: string; kind: 'ext2' | 'ext3' | 'ext4'; features?: string; fsKind: string; blockSize?: number;
  htree?: boolean }[] = [
  { name: 'ext2 (block maps)', kind: 'ext2', fsKind: 'ext2' },
  { name: 'ext4 (64bit, metadata_csum) with htree directories', kind: 'ext4', fsKind: 'ext4', htree: true },
  { name: 'ext3 (journal, block maps)', kind: 'ext3', fsKind: 'ext3' },
  { name: 'ext4 without 64bit (32-byte group descriptors)', kind: 'ext4', features: '^64bit', fsKind: 'ext4' },
  { name: 'ext4 with inline_data', kind: 'ext4', features: 'inline_data', fsKind: 'ext4' },
  { name: 'ext4 without metadata_csum, 1 KiB blocks', kind: 'ext4', features: '^metadata_csum', fsKind: 'ext4', blockSize: 1024 },
];

describe.skipIf(!haveTools)('ext2/3/4 reader against mkfs -d images', () => {
  writeKnownTree(tree);
  const expected = comparable(walkTree(tree));
  const inlineTree = join(dir, 'inline-tree');
  writeKnownTree(inlineTree, { dataAtEnd: true });
  const inlineExpected = comparable(walkTree(inlineTree));

  for (const variant of VARIANTS) {
    it(`lists and reads every file of ${variant.name} as the source tree has it`, async () => {
      const image = join(dir, `${variant.name.replace(/\W+/g, '-')}.img`);
      sparseFile(image, 96 * MIB);
      const inline = variant.features === 'inline_data';
      mkfsExt(variant.kind, image, 0, 96 * MIB, { tree: inline ? inlineTree : tree, label: 'known', ...(variant.features ? { features: variant.features } : {}),
        ...(variant.blockSize ? { blockSize: variant.blockSize } : {}) });
      if (variant.htree === true) indexDirectories(image);
      const source = await fileSource(image);
      try {
        const fs = await openExtFilesystem(source);
        expect(fs.kind).toBe(variant.fsKind);
        if (variant.htree === true) {
          const many = await (fs as unknown as { resolve(path: string, follow: boolean): Promise<{ flags: number }> })
            .resolve('/var/many', true);
          expect(many.flags & 0x1000).toBe(0x1000);
        }
        expect(fs.label).toBe('known');
        expect(comparable(await walkGuest(fs))).toEqual(inline ? inlineExpected : expected);
        const hosts = await fs.stat('/home/hosts.hardlink');
        expect(hosts.inode).toBe((await fs.stat('/etc/hosts')).inode);
        expect(await fs.list('/home/etc-dir/app')).toHaveLength(1);
        await expect(fs.list('/etc/hosts')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
        await expect(fs.stat('/etc/nothing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
        expect(await fs.checkMetadata({ maxInodes: 2000 })).toEqual([]);
      } finally {
        await source.close();
      }
    });
  }

  it('reads an ext4 file past 4 GiB at its true offsets (sparse 6 GiB image)', async () => {
    const bigTree = join(dir, 'big-tree');
    writeKnownTree(bigTree, { bigSparse: true, manyFiles: 3 });
    const image = join(dir, 'big.img');
    sparseFile(image, 6 * 1024 * MIB);
    mkfsExt('ext4', image, 0, 6 * 1024 * MIB, { tree: bigTree });
    const source = await fileSource(image);
    try {
      const fs = await openExtFilesystem(source);
      const big = await fs.stat('/var/big-5g.img');
      expect(big.size).toBe(5 * 1024 * MIB + 4096);
      const ext = fs as unknown as { resolve(path: string, follow: boolean): Promise<unknown>;
        readData(inode: unknown, at: number, length: number): Promise<Buffer> };
      const inode = await ext.resolve('/var/big-5g.img', false);
      expect((await ext.readData(inode, 4 * 1024 * MIB + 12345, 19)).toString()).toBe('past four gibibytes');
      expect((await ext.readData(inode, 12345, 19)).equals(Buffer.alloc(19))).toBe(true);
      expect((await ext.readData(inode, 5 * 1024 * MIB + 4096 - 7, 100)).toString()).toBe('the end');
    } finally {
      await source.close();
    }
  });
});
