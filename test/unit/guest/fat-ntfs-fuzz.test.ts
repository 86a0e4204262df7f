/**
 * Hostile input for the FAT and NTFS readers: images made with the real tools, their
 * metadata (boot sector, FATs, directories; boot sector, MFT records, INDX blocks) mutated by a seeded,
 * bounded count, each walked to the end or ending in a typed LabvaultError; a few walked
 * in the guest worker within its time bound.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferSource } from '../../../electron/engine/guest/block-source-views.ts';
import { parseFatBootSector } from '../../../electron/engine/guest/fat/fat-boot-sector.ts';
import { openFatFilesystem } from '../../../electron/engine/guest/fat/fat-filesystem.ts';
import { GuestWorker } from '../../../electron/engine/guest/guest-worker-client.ts';
import { openNtfsFilesystem } from '../../../electron/engine/guest/ntfs/ntfs-filesystem.ts';
import { requireTool } from '../../support/required-tools.ts';
import { MIB, sparseFile } from './guest-image-kit.ts';
import { writeKnownTree } from './guest-tree-kit.ts';
import { addFragmentedFile, buildFatImage, writeFatTree } from './fat-image-kit.ts';
import { applyTree, mkntfs } from './ntfs-image-kit.ts';
import { expectTypedOrFine, random, walk } from './guest-fuzz-kit.ts';

const haveTools = requireTool('mkfs.vfat', 'dosfstools', ['--help']) && requireTool('mcopy', 'mtools')
  && requireTool('mkntfs', 'ntfs-3g', ['--version']) && requireTool('wimcapture', 'wimtools');
const MUTATIONS = 150;
const WORKER_MUTATIONS = 6;
const dir = mkdtempSync(join(tmpdir(), 'labvault-fat-ntfs-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mutate(image: Buffer, blocks: number[], blockSize: number, next: () => number): Buffer {
  const copy = Buffer.from(image);
  const block = blocks[Math.floor(next() * blocks.length)] as number;
  const count = 1 + Math.floor(next() * 8);
  for (let i = 0; i < count; i += 1) copy[block + Math.floor(next() * blockSize)] = Math.floor(next() * 256);
  return copy;
}

/**
 * The metadata 512-byte blocks of a FAT image: every non-zero block before the data area
 * (boot sector, FSInfo, FATs, a fixed root), the FAT32 root's first block, and each
 * subdirectory's first block (found by its "." entry).
 */
function fatMetadataBlocks(image: Buffer): number[] {
  const geometry = parseFatBootSector(image.subarray(0, 512), image.length);
  const blocks: number[] = [];
  for (let at = 0; at < geometry.dataOffset; at += 512) {
    if (image.subarray(at, at + 512).some((byte) => byte !== 0)) blocks.push(at);
  }
  if (geometry.type === 32) blocks.push(geometry.dataOffset + (geometry.rootCluster - 2) * geometry.clusterSize);
  for (let at = geometry.dataOffset; at + 512 <= image.length; at += geometry.clusterSize) {
    if (image.toString('latin1', at, at + 11) === '.          ') blocks.push(at);
  }
  return blocks;
}

/** The MFT records and INDX blocks of an NTFS image (1 KiB-aligned signatures), plus its boot sector. */
function ntfsMetadataBlocks(image: Buffer): number[] {
  const blocks = [0];
  for (let at = 0; at + 1024 <= image.length; at += 1024) {
    const magic = image.toString('latin1', at, at + 4);
    if (magic === 'FILE' || magic === 'INDX') blocks.push(at);
  }
  return blocks;
}

describe.skipIf(!haveTools)('FAT and NTFS readers on mutated metadata', () => {
  const fatImages: Buffer[] = [];
  const fatBlocks: number[][] = [];
  for (const [bits, bytes, spc] of [[12, 4 * MIB, 4], [16, 16 * MIB, 1], [32, 40 * MIB, 1]] as const) {
    const tree = join(dir, `fat-tree-${bits}`);
    writeFatTree(tree);
    const path = join(dir, `fat${bits}.img`);
    sparseFile(path, bytes);
    buildFatImage(path, tree, { fatBits: bits, bytes, sectorsPerCluster: spc });
    addFragmentedFile(path, tree, { clusterSize: spc * 512 });
    fatImages.push(readFileSync(path));
    fatBlocks.push(fatMetadataBlocks(fatImages[fatImages.length - 1] as Buffer));
  }
  const ntfsTree = join(dir, 'ntfs-tree');
  writeKnownTree(ntfsTree, { manyFiles: 120 });
  const ntfsPath = join(dir, 'fuzz.ntfs');
  mkntfs(ntfsPath, 16 * MIB, 'fuzz');
  applyTree(ntfsPath, ntfsTree);
  const ntfsImage = readFileSync(ntfsPath);
  const ntfsBlocks = ntfsMetadataBlocks(ntfsImage);

  it(`reads ${MUTATIONS} mutated FAT12/16/32 images correctly or ends each in a typed error`, async () => {
    const next = random(1232);
    const outcomes = new Map<string, number>();
    for (let n = 0; n < MUTATIONS; n += 1) {
      const copy = mutate(fatImages[n % fatImages.length] as Buffer, fatBlocks[n % fatImages.length] as number[], 512, next);
      const outcome = await expectTypedOrFine(async () => walk(await openFatFilesystem(bufferSource(copy))), `FAT mutation ${n}`);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(0);
    expect(MUTATIONS - (outcomes.get('ok') ?? 0)).toBeGreaterThan(0);
  }, 300_000);

  it(`reads ${MUTATIONS} mutated NTFS images correctly or ends each in a typed error`, async () => {
    expect(ntfsBlocks.length).toBeGreaterThan(100);
    const next = random(3264);
    const outcomes = new Map<string, number>();
    for (let n = 0; n < MUTATIONS; n += 1) {
      const copy = mutate(ntfsImage, ntfsBlocks, 1024, next);
      const outcome = await expectTypedOrFine(async () => walk(await openNtfsFilesystem(bufferSource(copy))), `NTFS mutation ${n}`);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(0);
    expect(MUTATIONS - (outcomes.get('ok') ?? 0)).toBeGreaterThan(0);
  }, 300_000);

  it(`walks ${WORKER_MUTATIONS} mutated FAT and NTFS images in the guest worker, each ending within its time bound`, async () => {
    const next = random(99);
    for (let n = 0; n < WORKER_MUTATIONS; n += 1) {
      const ntfs = n % 2 === 1;
      const copy = ntfs ? mutate(ntfsImage, ntfsBlocks, 1024, next)
        : mutate(fatImages[n % fatImages.length] as Buffer, fatBlocks[n % fatImages.length] as number[], 512, next);
      const worker = new GuestWorker([{ name: 'disk', source: bufferSource(copy) }], { requestTimeoutMs: 20_000 });
      try {
        await expectTypedOrFine(async () => {
          await worker.request({ op: 'layout' });
          await worker.request({ op: 'list', volume: '0:disk', path: '/' });
          await worker.request({ op: 'check', volume: '0:disk', maxInodes: 100 });
        }, `worker mutation ${n}`);
      } finally {
        await worker.close();
      }
    }
  }, 300_000);
});
