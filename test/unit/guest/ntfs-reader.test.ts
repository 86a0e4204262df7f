import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSource } from '../../../electron/engine/guest/block-source-views.ts';
import { detectFilesystem } from '../../../electron/engine/guest/detect-filesystem.ts';
import { openNtfsFilesystem } from '../../../electron/engine/guest/ntfs/ntfs-filesystem.ts';
import type { NtfsFilesystem } from '../../../electron/engine/guest/ntfs/ntfs-filesystem.ts';
import { AttributeType } from '../../../electron/engine/guest/ntfs/ntfs-record.ts';
import { requireTool } from '../../support/required-tools.ts';
import { applyTree, fragmentMftThroughMount, fuseWorks, HARDLINKS, mkntfs, STREAMS, writeExtrasThroughMount, writeNtfsExtras } from './ntfs-image-kit.ts';
import { MIB } from './guest-image-kit.ts';
import { walkGuest, walkTree, writeKnownTree } from './guest-tree-kit.ts';
import type { TreeEntry } from './guest-tree-kit.ts';

const haveTools = requireTool('mkntfs', 'ntfs-3g', ['--version']) && requireTool('wimcapture', 'wimtools');
const dir = mkdtempSync(join(tmpdir(), 'labvault-ntfs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const GIB = 1024 * MIB;

/**
 * What an NTFS reader reproduces of a source tree: synthesized modes, no folder sizes, and
 * absolute symlink targets as wimlib stores them (on drive C:).
 */
export function ntfsComparable(entries: TreeEntry[]): TreeEntry[] {
  return entries.map((entry) => {
    const target = entry.target?.startsWith('/') === true ? `C:${entry.target}` : entry.target;
    return {
      ...entry, mode: entry.type === 'dir' ? 0o755 : entry.type === 'symlink' ? 0o777 : 0o644,
      ...(entry.type === 'dir' ? { size: 0 } : {}),
      ...(target === undefined ? {} : { target, size: Buffer.byteLength(target) }),
    };
  });
}

describe.skipIf(!haveTools)('NTFS reader against mkntfs + wimapply / ntfs-3g images', () => {
  it('lists and reads every file of the known tree applied with wimapply', async () => {
    const tree = join(dir, 'tree');
    writeKnownTree(tree, { manyFiles: 400 });
    const image = join(dir, 'known.ntfs');
    mkntfs(image, 96 * MIB, 'Known NTFS');
    applyTree(image, tree);
    const source = await fileSource(image);
    try {
      expect(await detectFilesystem(source)).toEqual({ kind: 'ntfs', label: 'Known NTFS' });
      const fs = await openNtfsFilesystem(source) as NtfsFilesystem;
      expect(fs.label).toBe('Known NTFS');
      expect(await walkGuest(fs)).toEqual(ntfsComparable(walkTree(tree)));
      // 400 names need an $INDEX_ALLOCATION B-tree, not just the root.
      const many = (await fs.resolve('/var/many', true)).file;
      expect(fs.mft.stream(many, AttributeType.INDEX_ALLOCATION, '$I30')).toBeDefined();
      expect((await fs.stat('/home/hosts.hardlink')).inode).toBe((await fs.stat('/etc/hosts')).inode);
      expect(await fs.list('/home/etc-dir/app')).toHaveLength(1);
      expect((await fs.stat('/ETC/HOSTS')).name).toBe('hosts');
      await expect(fs.list('/etc/hosts')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(fs.stat('/etc/nothing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await fs.checkMetadata({ maxInodes: 2000 })).toEqual([]);
    } finally {
      await source.close();
    }
  });

  it.skipIf(!fuseWorks(dir))('reads streams, compressed files, an attribute list, a 5 GiB sparse file and Interix links written by ntfs-3g', async () => {
    const image = join(dir, 'extras.ntfs');
    mkntfs(image, 64 * MIB, 'extras');
    writeExtrasThroughMount(image);
    const tree = join(dir, 'extras-tree');
    writeNtfsExtras(tree);
    const source = await fileSource(image);
    try {
      const fs = await openNtfsFilesystem(source) as NtfsFilesystem;
      const expected = ntfsComparable(walkTree(tree)).filter((entry) => !entry.path.startsWith('/big'));
      const listed = (await walkGuest(fs, { hashes: false })).filter((entry) => !entry.path.startsWith('/big'));
      expect(listed).toEqual(expected.map(({ sha256: _sha256, ...entry }) => entry));
      for (const entry of expected.filter((candidate) => candidate.sha256 !== undefined)) {
        const hash = (await import('node:crypto')).createHash('sha256');
        for await (const chunk of fs.readFile(entry.path)) hash.update(chunk);
        expect(hash.digest('hex'), entry.path).toBe(entry.sha256);
      }
      // The DOS name is in the index (namespace 2) but not listed; the file is found by it too.
      const root = await fs.mft.file(5);
      expect((await fs.directory(root)).map((entry) => entry.name)).not.toContain('ALONGF~1.TXT');
      const longFile = (await fs.resolve('/A long file name.txt', false)).file;
      expect(longFile.attributes.filter((attribute) => attribute.type === AttributeType.FILE_NAME).length).toBe(2);
      // Compressed: the files are stored LZNT1-compressed in 16-cluster units.
      const text = (await fs.resolve('/compressed/text.log', false)).file;
      expect(fs.mft.stream(text, AttributeType.DATA, '')?.compressionUnit).toBe(4);
      // 80 names do not fit one 1 KiB record: they continue in extension records.
      const links = (await fs.resolve('/links/target.txt', false)).file;
      expect(links.attributes.filter((attribute) => attribute.type === AttributeType.FILE_NAME).length).toBe(HARDLINKS + 1);
      const base = await fs.mft.record(links.number);
      expect(base.attributes.some((attribute) => attribute.type === AttributeType.ATTRIBUTE_LIST)).toBe(true);
      // Alternate data streams: listed on the entry, read as path:stream.
      const streams = await fs.stat('/streams.txt');
      expect(streams.streams?.sort()).toEqual(Object.keys(STREAMS).sort());
      for (const [name, content] of Object.entries(STREAMS)) {
        const chunks: Buffer[] = [];
        for await (const chunk of fs.readFile(`/streams.txt:${name}`)) chunks.push(chunk);
        expect(Buffer.concat(chunks).toString()).toBe(content);
        expect((await fs.stat(`/streams.txt:${name}`)).size).toBe(Buffer.byteLength(content));
      }
      // Past 4 GiB: a sparse 5 GiB file read at its true offsets.
      const big = await fs.stat('/big/big-5g.img');
      expect(big.size).toBe(5 * GIB + 4096);
      const bigFile = (await fs.resolve('/big/big-5g.img', false)).file;
      const data = fs.mft.stream(bigFile, AttributeType.DATA, '');
      expect(data).toBeDefined();
      const read = (at: number, length: number): Promise<Buffer> => fs.mft.streams.read(data as never, at, length);
      expect((await read(4 * GIB + 12345, 19)).toString()).toBe('past four gibibytes');
      expect((await read(12345, 19)).equals(Buffer.alloc(19))).toBe(true);
      expect((await read(5 * GIB + 4096 - 7, 100)).toString()).toBe('the end');
      expect(await fs.checkMetadata({ maxInodes: 2000 })).toEqual([]);
    } finally {
      await source.close();
    }
  }, 120_000);

  it.skipIf(!fuseWorks(dir))('reads through a fragmented $MFT (the volume filled, then records added into scattered holes)', async () => {
    const image = join(dir, 'fragmented-mft.ntfs');
    mkntfs(image, 24 * MIB, 'fragmented');
    const created = fragmentMftThroughMount(image);
    expect(created.length).toBeGreaterThan(500);
    const source = await fileSource(image);
    try {
      const fs = await openNtfsFilesystem(source) as NtfsFilesystem;
      const mft = fs.mft.stream(await fs.mft.file(0), AttributeType.DATA, '');
      expect(mft?.runs.length).toBeGreaterThan(3);
      const names = (await fs.list('/many')).map((entry) => entry.name);
      expect(names.sort()).toEqual([...created].sort());
      expect(await fs.checkMetadata({ maxInodes: 5000 })).toEqual([]);
    } finally {
      await source.close();
    }
  }, 120_000);
});
