import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, qemuImg, qemuInfo, qemuRawBytes, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { checkDiskImage, exportDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { refcountLayout, WRITER_REFCOUNTS_PER_BLOCK } from '../../../electron/engine/disk/qcow2/qcow2-writer.ts';

const MiB = 1024 * 1024;
let dir: string;

beforeAll(() => {
  dir = makeTempDir('labvault-qcow2-writer-');
});
afterAll(() => removeDir(dir));

/** qemu-img check exits non-zero on any error or leak. */
function qemuCheckClean(image: string): string {
  return execFileSync('qemu-img', ['check', image], { encoding: 'utf8' });
}

describe('qcow2 writer', () => {
  it('writes a raw pattern as qcow2 v3 that qemu-img checks clean and compares identical', async () => {
    const raw = writePatternRaw(join(dir, 'a.raw'), { size: 6 * MiB + 4096, seed: 21 });
    const out = join(dir, 'a.qcow2');
    const progress: number[] = [];
    await exportDiskImage(raw, out, { format: 'qcow2', onProgress: (done) => progress.push(done) });
    expect(qemuCheckClean(out)).toContain('No errors were found');
    expect(qemuImg(['compare', raw, out])).toContain('identical');
    const info = qemuInfo(out) as { 'virtual-size': number; 'cluster-size': number; 'format-specific': { data: { compat: string } } };
    expect(info['virtual-size']).toBe(6 * MiB + 4096);
    expect(info['cluster-size']).toBe(65536);
    expect(info['format-specific'].data.compat).toBe('1.1');
    expect(progress[progress.length - 1]).toBe(6 * MiB + 4096);
    expect((await checkDiskImage(out)).findings).toEqual([]);
    // Only data is written: the pattern is about half holes and zeros.
    expect(statSync(out).size).toBeLessThan(4 * MiB);
  });

  it('flattens a compressed chain and rounds an odd size up to 512 like qemu-img', async () => {
    const raw = writePatternRaw(join(dir, 'b.raw'), { size: 2 * MiB + 1000, region: 30_000, seed: 2 });
    const base = join(dir, 'b-base.qcow2');
    qemuImg(['convert', '-c', '-f', 'raw', '-O', 'qcow2', raw, base]);
    const top = join(dir, 'b-top.qcow2');
    qemuImg(['create', '-f', 'qcow2', '-b', base, '-F', 'qcow2', top]);
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x33 100k 300k', top], { stdio: 'ignore' });
    const out = join(dir, 'b.qcow2');
    await exportDiskImage(top, out, { format: 'qcow2' });
    expect(qemuCheckClean(out)).toContain('No errors were found');
    expect(qemuImg(['compare', top, out])).toContain('identical');
    expect(qemuRawBytes(out, dir).equals(qemuRawBytes(top, dir))).toBe(true);
  });

  it('writes an all-zero disk as metadata only', async () => {
    const raw = join(dir, 'zero.raw');
    writeFileSync(raw, Buffer.alloc(3 * MiB));
    const out = join(dir, 'zero.qcow2');
    await exportDiskImage(raw, out, { format: 'qcow2' });
    expect(qemuCheckClean(out)).toContain('No errors were found');
    expect(statSync(out).size).toBeLessThanOrEqual(4 * 65536);
    expect(readFileSync(raw).equals(qemuRawBytes(out, dir))).toBe(true);
  });

  it('refuses to overwrite an existing file', async () => {
    const raw = writePatternRaw(join(dir, 'c.raw'), { size: MiB });
    const out = join(dir, 'c.qcow2');
    writeFileSync(out, 'keep me');
    await expect(exportDiskImage(raw, out, { format: 'qcow2' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(readFileSync(out, 'utf8')).toBe('keep me');
  });

  it('sizes refcount structures to cover themselves', () => {
    for (const used of [1, 5, WRITER_REFCOUNTS_PER_BLOCK - 1, WRITER_REFCOUNTS_PER_BLOCK, 10 * WRITER_REFCOUNTS_PER_BLOCK + 3, 9_000_000]) {
      const { blocks, tableClusters } = refcountLayout(used);
      expect(blocks * WRITER_REFCOUNTS_PER_BLOCK).toBeGreaterThanOrEqual(used + blocks + tableClusters);
      expect(tableClusters * 8192).toBeGreaterThanOrEqual(blocks);
    }
  });
});
