/**
 * Hostile input: an ext4 image and a GPT disk with metadata blocks mutated (a seeded,
 * bounded count), each read either correctly or ending in a typed LabvaultError; the same
 * through the guest worker within its time bound; and a disk that never answers ends in
 * TIMEOUT instead of a hang.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferSource } from '../../../electron/engine/guest/block-source-views.ts';
import { scanDisks } from '../../../electron/engine/guest/disk-volumes.ts';
import { openExtFilesystem } from '../../../electron/engine/guest/ext/ext-filesystem.ts';
import type { BlockSource } from '../../../electron/engine/guest/guest-filesystem.ts';
import { GuestWorker } from '../../../electron/engine/guest/guest-worker-client.ts';
import { requireTool } from '../../support/required-tools.ts';
import { expectTypedOrFine, random, walk } from './guest-fuzz-kit.ts';
import { MIB, mkfsExt, sfdisk, sparseFile } from './guest-image-kit.ts';
import { writeKnownTree } from './guest-tree-kit.ts';

const haveTools = requireTool('mkfs.ext4', 'e2fsprogs', ['-V']) && requireTool('sfdisk', 'fdisk');
const MUTATIONS = 200;
const WORKER_MUTATIONS = 12;
const dir = mkdtempSync(join(tmpdir(), 'labvault-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Offsets of the 1 KiB blocks of `image` that hold anything (superblock, descriptors, inodes, directories, extents). */
function metadataBlocks(image: Buffer, limit: number): number[] {
  const blocks: number[] = [];
  for (let at = 0; at < Math.min(image.length, limit); at += 1024) {
    if (image.subarray(at, at + 1024).some((byte) => byte !== 0)) blocks.push(at);
  }
  return blocks;
}

function mutate(image: Buffer, blocks: number[], next: () => number): Buffer {
  const copy = Buffer.from(image);
  const block = blocks[Math.floor(next() * blocks.length)] as number;
  const count = 1 + Math.floor(next() * 8);
  for (let i = 0; i < count; i += 1) copy[block + Math.floor(next() * 1024)] = Math.floor(next() * 256);
  return copy;
}

describe.skipIf(!haveTools)('guest readers on mutated metadata', () => {
  const tree = join(dir, 'tree');
  writeKnownTree(tree, { manyFiles: 60 });
  const imagePath = join(dir, 'ext4.img');
  sparseFile(imagePath, 8 * MIB);
  mkfsExt('ext4', imagePath, 0, 8 * MIB, { tree, blockSize: 1024 });
  const image = readFileSync(imagePath);
  const blocks = metadataBlocks(image, 2 * MIB);

  it(`reads ${MUTATIONS} mutated ext4 images correctly or ends each in a typed error`, async () => {
    const next = random(14);
    const outcomes = new Map<string, number>();
    for (let n = 0; n < MUTATIONS; n += 1) {
      const source = bufferSource(mutate(image, blocks, next));
      const outcome = await expectTypedOrFine(async () => walk(await openExtFilesystem(source)), `mutation ${n}`);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    // Both sides were met: mutations that still read and mutations that were refused.
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(0);
    expect(MUTATIONS - (outcomes.get('ok') ?? 0)).toBeGreaterThan(0);
  }, 300_000);

  it(`reads ${MUTATIONS} GPT disks with mutated headers and entries correctly or ends each in a typed error`, async () => {
    const gptPath = join(dir, 'gpt.img');
    sparseFile(gptPath, 4 * MIB);
    sfdisk(gptPath, 'label: gpt\nstart=2048, size=2048, name="one"\nstart=4096, size=2048, name="two"\n');
    const disk = readFileSync(gptPath);
    const next = random(41);
    const tableBlocks = [0, 512, 1024, disk.length - 512 - 16384, disk.length - 1024];
    for (let n = 0; n < MUTATIONS; n += 1) {
      const copy = Buffer.from(disk);
      const at = (tableBlocks[Math.floor(next() * tableBlocks.length)] as number) + Math.floor(next() * 512);
      copy[at] = Math.floor(next() * 256);
      await expectTypedOrFine(async () => {
        await scanDisks([{ source: bufferSource(copy), name: 'disk' }]);
      }, `GPT mutation ${n}`);
    }
  }, 300_000);

  it(`walks ${WORKER_MUTATIONS} mutated images in the guest worker, each ending within its time bound`, async () => {
    const next = random(7);
    for (let n = 0; n < WORKER_MUTATIONS; n += 1) {
      const worker = new GuestWorker([{ name: 'disk', source: bufferSource(mutate(image, blocks, next)) }], { requestTimeoutMs: 20_000 });
      try {
        await expectTypedOrFine(async () => {
          const layout = await worker.request({ op: 'layout' });
          expect(layout.disks[0]?.volumes[0]?.id).toBe('disk');
          await worker.request({ op: 'list', volume: '0:disk', path: '/' });
          await worker.request({ op: 'check', volume: '0:disk', maxInodes: 100 });
        }, `worker mutation ${n}`);
      } finally {
        await worker.close();
      }
    }
  }, 300_000);

  it('stops a walk whose disk never answers with TIMEOUT, not a hang', async () => {
    const silent: BlockSource = { size: 8 * MIB, read: () => new Promise(() => undefined) };
    const worker = new GuestWorker([{ name: 'silent', source: silent }], { requestTimeoutMs: 500 });
    try {
      await expect(worker.request({ op: 'layout' })).rejects.toMatchObject({ code: 'TIMEOUT', message: /took longer than 500 ms/ });
      await expect(worker.request({ op: 'layout' })).rejects.toMatchObject({ code: 'TIMEOUT' });
    } finally {
      await worker.close();
    }
  });
});
