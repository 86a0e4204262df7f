import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSource } from '../../../electron/engine/guest/block-source-views.ts';
import { detectFilesystem } from '../../../electron/engine/guest/detect-filesystem.ts';
import { openFatFilesystem } from '../../../electron/engine/guest/fat/fat-filesystem.ts';
import type { FatFilesystem } from '../../../electron/engine/guest/fat/fat-filesystem.ts';
import { requireTool } from '../../support/required-tools.ts';
import { MIB, sparseFile } from './guest-image-kit.ts';
import { addFragmentedFile, buildFatImage } from './fat-image-kit.ts';
import { writeFatTree } from './fat-image-kit.ts';
import { walkGuest, walkTree } from './guest-tree-kit.ts';
import type { TreeEntry } from './guest-tree-kit.ts';

const haveTools = requireTool('mkfs.vfat', 'dosfstools', ['--help']) && requireTool('mcopy', 'mtools');
const dir = mkdtempSync(join(tmpdir(), 'labvault-fat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a FAT reader reproduces of the source tree: synthesized modes, 2-second times, no folder sizes. */
export function fatComparable(entries: TreeEntry[]): TreeEntry[] {
  return entries.map((entry) => ({
    ...entry, mode: entry.type === 'dir' ? 0o755 : 0o644,
    mtimeMs: entry.type === 'dir' ? 0 : Math.floor(entry.mtimeMs / 2000) * 2000, ...(entry.type === 'dir' ? { size: 0 } : {}),
  }));
}

const VARIANTS = [
  { fatBits: 12 as const, bytes: 8 * MIB, sectorsPerCluster: 4 },
  { fatBits: 16 as const, bytes: 32 * MIB, sectorsPerCluster: 2 },
  { fatBits: 32 as const, bytes: 64 * MIB, sectorsPerCluster: 1 },
];

describe.skipIf(!haveTools)('FAT12/16/32 reader against mkfs.vfat + mcopy images', () => {
  for (const variant of VARIANTS) {
    it(`lists and reads every file of FAT${variant.fatBits} as the source tree has it`, async () => {
      const tree = join(dir, `tree-${variant.fatBits}`);
      writeFatTree(tree);
      const image = join(dir, `fat${variant.fatBits}.img`);
      sparseFile(image, variant.bytes);
      buildFatImage(image, tree, { ...variant, label: `FAT${variant.fatBits}VOL` });
      addFragmentedFile(image, tree, { clusterSize: variant.sectorsPerCluster * 512 });
      const source = await fileSource(image);
      try {
        expect(await detectFilesystem(source)).toEqual({ kind: 'vfat', label: `FAT${variant.fatBits}VOL` });
        const fs = await openFatFilesystem(source) as FatFilesystem;
        expect(fs.geometry.type).toBe(variant.fatBits);
        expect(fs.label).toBe(`FAT${variant.fatBits}VOL`);
        const listed = await walkGuest(fs);
        // Directory times: mcopy stamps folders with the copy time; compare files' times only.
        expect(fatComparable(listed)).toEqual(fatComparable(walkTree(tree)));
        // The fragmented file really is in more than one run.
        const fragmented = (await fs.resolve('/fragmented.bin')).dirent;
        expect(fragmented).not.toBeNull();
        expect((await fs.fileRuns(fragmented as never, '/fragmented.bin')).length).toBeGreaterThan(1);
        // Windows finds names without regard to case.
        expect((await fs.stat('/readme.txt')).name).toBe('README.TXT');
        await expect(fs.list('/README.TXT')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
        await expect(fs.stat('/nothing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
        expect(await fs.checkMetadata({ maxInodes: 2000 })).toEqual([]);
      } finally {
        await source.close();
      }
    });
  }
});
