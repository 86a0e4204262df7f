import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { deterministicBytes, requireQemuImg, makeTempDir, qemuImg, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { VhdxDisk } from '../../../electron/engine/disk/vhdx/vhdx-disk.ts';
import { vhdxFormat } from '../../../electron/engine/disk/vhdx/vhdx-format.ts';
import { diskImageInfo, openDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { readWholeDisk } from './vhd-open-context.ts';
import { buildTestVhdx } from './vhdx-test-images.ts';
import type { TestBlock } from './vhdx-test-images.ts';

const run = requireQemuImg() ? describe : describe.skip;
const MiB = 1024 * 1024;

/** Expected merged view: parent bytes with the child's blocks applied. */
function expectedView(parent: Buffer, blocks: Map<number, TestBlock>, blockSize: number, sector = 512): Buffer {
  const out = Buffer.from(parent);
  for (const [block, spec] of blocks) {
    const start = block * blockSize;
    if (spec.kind === 'full') spec.data.copy(out, start);
    else if (spec.kind === 'zero') out.fill(0, start, start + blockSize);
    else if (spec.kind === 'partial') for (const s of spec.sectors) spec.data.copy(out, start + s * sector, s * sector, (s + 1) * sector);
  }
  return out;
}

run('VHDX differencing images (built from the spec: qemu-img cannot create them)', () => {
  let dir = '';
  let parentPath = '';
  let parentBytes: Buffer = Buffer.alloc(0);
  let parentGuid = '';
  beforeAll(async () => {
    dir = makeTempDir('labvault-vhdx-diff-');
    const raw = writePatternRaw(join(dir, 'parent.raw'), { size: 6 * MiB, seed: 11 });
    parentPath = join(dir, 'parent.vhdx');
    qemuImg(['convert', '-f', 'raw', '-O', 'vhdx', '-o', 'block_size=1M', raw, parentPath]);
    const parent = await VhdxDisk.open(parentPath);
    parentBytes = await readWholeDisk(parent);
    parentGuid = `{${parent.dataWriteGuid}}`;
    await parent.close();
  });
  afterAll(() => removeDir(dir));

  function childBlocks(): Map<number, TestBlock> {
    return new Map<number, TestBlock>([
      [0, { kind: 'full', data: deterministicBytes(MiB, 21) }],
      [2, { kind: 'partial', data: deterministicBytes(MiB, 22), sectors: [0, 1, 5, 100, 101, 102, 103, 2047] }],
      [3, { kind: 'zero' }],
      [4, { kind: 'state', state: 1 }],
    ]);
  }

  it('reads present, partially present, zero and absent blocks over the parent', async () => {
    const blocks = childBlocks();
    const child = join(dir, 'child.vhdx');
    writeFileSync(child, buildTestVhdx({
      virtualSize: 6 * MiB, blockSize: MiB, blocks,
      parent: { locator: { parent_linkage: parentGuid, relative_path: '.\\parent.vhdx', absolute_win32_path: 'C:\\vms\\parent.vhdx' } },
    }));
    const disk = await openDiskImage(child);
    try {
      expect(disk.format).toBe('vhdx');
      const expected = expectedView(parentBytes, blocks, MiB);
      expect((await readWholeDisk(disk, 77_777)).equals(expected)).toBe(true);
      const map = await disk.allocationMap();
      for (const range of map.filter((r) => r.zero)) {
        expect(expected.subarray(range.offset, range.offset + range.length).every((b) => b === 0)).toBe(true);
      }
    } finally {
      await disk.close();
    }
    const info = await diskImageInfo(child);
    expect(info.subformat).toBe('differencing');
    expect(info.backing).toMatchObject({ path: parentPath, format: 'vhdx', recordedPath: '.\\parent.vhdx' });
    expect(info.chain.map((link) => link.format)).toEqual(['vhdx', 'vhdx']);
    expect((await vhdxFormat.check(child)).clean).toBe(true);
  });

  it('finds the parent by the absolute Windows path file name, refuses a wrong linkage and a missing parent', async () => {
    const blocks = childBlocks();
    const absolute = join(dir, 'child-abs.vhdx');
    writeFileSync(absolute, buildTestVhdx({ virtualSize: 6 * MiB, blockSize: MiB, blocks, parent: { locator: { parent_linkage: parentGuid, absolute_win32_path: 'D:\\Hyper-V\\parent.vhdx' } } }));
    const disk = await openDiskImage(absolute);
    expect((await readWholeDisk(disk)).equals(expectedView(parentBytes, blocks, MiB))).toBe(true);
    await disk.close();

    const wrong = join(dir, 'child-wrong.vhdx');
    writeFileSync(wrong, buildTestVhdx({ virtualSize: 6 * MiB, blockSize: MiB, blocks, parent: { locator: { parent_linkage: '{00000000-1111-2222-3333-444444444444}', relative_path: 'parent.vhdx' } } }));
    await expect(openDiskImage(wrong)).rejects.toMatchObject({ code: 'BAD_IMAGE', field: 'vhdx.metadata.parent_locator.parent_linkage' });

    const orphan = join(dir, 'orphan.vhdx');
    writeFileSync(orphan, buildTestVhdx({ virtualSize: 6 * MiB, blockSize: MiB, blocks, parent: { locator: { relative_path: '..\\gone\\base.vhdx' } } }));
    const error = await openDiskImage(orphan).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOT_FOUND' });
    expect((error as Error).message).toContain('base.vhdx');

    const loop = join(dir, 'loop.vhdx');
    writeFileSync(loop, buildTestVhdx({ virtualSize: 6 * MiB, blockSize: MiB, blocks, parent: { locator: { relative_path: 'loop.vhdx' } } }));
    await expect(openDiskImage(loop)).rejects.toMatchObject({ code: 'BAD_IMAGE' });
  });

  it('reads a child with 4096-byte logical sectors (chunk ratio 32768 for 1 MiB blocks)', async () => {
    const blocks = new Map<number, TestBlock>([
      [1, { kind: 'partial', data: deterministicBytes(MiB, 41), sectors: [0, 2, 3, 255] }],
      [5, { kind: 'full', data: deterministicBytes(MiB, 42) }],
    ]);
    const child = join(dir, 'child-4k.vhdx');
    writeFileSync(child, buildTestVhdx({ virtualSize: 6 * MiB, blockSize: MiB, blocks, logicalSectorSize: 4096, parent: { locator: { parent_linkage: parentGuid, relative_path: 'parent.vhdx' } } }));
    const disk = await openDiskImage(child);
    expect((disk as VhdxDisk).structure.chunkRatio).toBe(32768);
    expect((await readWholeDisk(disk, 50_000)).equals(expectedView(parentBytes, blocks, MiB, 4096))).toBe(true);
    await disk.close();
  });

  it('exports a differencing chain to a dynamic VHDX that qemu-img reads identically', async () => {
    const blocks = childBlocks();
    const child = join(dir, 'child-export.vhdx');
    writeFileSync(child, buildTestVhdx({ virtualSize: 6 * MiB, blockSize: MiB, blocks, parent: { locator: { parent_linkage: parentGuid, relative_path: 'parent.vhdx' } } }));
    const out = join(dir, 'flat.vhdx');
    const disk = await openDiskImage(child);
    await vhdxFormat.write!(disk, out, {});
    await disk.close();
    const rawOut = join(dir, 'flat.raw');
    qemuImg(['convert', '-f', 'vhdx', '-O', 'raw', out, rawOut]);
    const expectedRaw = join(dir, 'expected.raw');
    writeFileSync(expectedRaw, expectedView(parentBytes, blocks, MiB));
    expect(qemuImg(['compare', '-f', 'raw', '-F', 'vhdx', expectedRaw, out])).toContain('Images are identical');
  });
});
