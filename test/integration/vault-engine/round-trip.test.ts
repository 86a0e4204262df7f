/**
 * Round trips through the real CLI: protect -> backup -> restore disks, bit-exact, for a
 * sparse file, random data, written zeros, an odd size (1 MiB + 3), an empty file and a
 * qcow2 made by qemu-img. Restored files are sparse where the data is zero, and a restore
 * never overwrites (exit 2, the existing file untouched).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Point } from '../../../shared/contract/item-models.ts';
import { requireQemuImg, qemuImg, writePatternRaw } from '../../support/disk-fixtures.ts';
import { Lab, MIB, allocatedBytes, expectSameFile, sha256File, writeRandomFile, writeSparseFile } from './vault-engine-kit.ts';

const lab = new Lab('round-trip');
const files: Record<string, string> = {};
let point: Point;
let restored: string;

beforeAll(async () => {
  files['sparse.raw'] = join(lab.vmDir, 'sparse.raw');
  await writeSparseFile(files['sparse.raw'], 64 * MIB, [0, 5 * MIB + 4096, 33 * MIB - 100, 64 * MIB - 64 * 1024]);
  files['random.bin'] = join(lab.vmDir, 'random.bin');
  await writeRandomFile(files['random.bin'], 6 * MIB + 12345);
  files['zeros.bin'] = join(lab.vmDir, 'zeros.bin');
  writeFileSync(files['zeros.bin'], Buffer.alloc(8 * MIB));
  files['odd.bin'] = join(lab.vmDir, 'odd.bin');
  await writeRandomFile(files['odd.bin'], MIB + 3);
  files['empty.bin'] = join(lab.vmDir, 'empty.bin');
  writeFileSync(files['empty.bin'], '');
  if (requireQemuImg()) {
    const raw = writePatternRaw(join(lab.dir, 'pattern.raw'), { size: 24 * MIB, seed: 5 });
    files['disk.qcow2'] = join(lab.vmDir, 'disk.qcow2');
    qemuImg(['convert', '-f', 'raw', '-O', 'qcow2', raw, files['disk.qcow2']]);
  }
  await lab.createVault('rt');
  await lab.protect('rt', 'vm-rt', Object.values(files));
  await lab.backup('vm-rt');
  const points = await lab.points('vm-rt');
  expect(points).toHaveLength(1);
  point = points[0] as Point;
  restored = await lab.restore('vm-rt', point.id);
});

afterAll(() => lab.remove());

describe('round trip through the CLI', () => {
  it('restores every kind of file bit-exact', async () => {
    expect(Object.keys(files)).toContain('disk.qcow2');
    expect(point.files.map((file) => file.name).sort()).toEqual(Object.keys(files).sort());
    for (const [name, source] of Object.entries(files)) await expectSameFile(join(restored, name), source);
    expect(point.files.find((file) => file.name === 'disk.qcow2')?.diskFormat).toBe('qcow2');
    expect(point.logicalBytes).toBe(64 * MIB + 6 * MIB + 12345 + 8 * MIB + MIB + 3 + point.files.find((file) => file.name === 'disk.qcow2')!.size);
  });

  it('keeps restored files sparse where the data is zero', () => {
    // The sparse source holds 4 x 64 KiB of data in 64 MiB; restored, it may use whole chunks
    // around those islands but never the full size.
    const sparse = allocatedBytes(join(restored, 'sparse.raw'));
    expect(sparse).toBeLessThan(8 * MIB);
    // Written zeros come back as holes.
    expect(allocatedBytes(join(restored, 'zeros.bin'))).toBeLessThan(MIB);
    expect(allocatedBytes(join(restored, 'empty.bin'))).toBe(0);
    // Random data is fully allocated (a control for the measure).
    expect(allocatedBytes(join(restored, 'random.bin'))).toBeGreaterThanOrEqual(6 * MIB);
  });

  it('never overwrites: exit 2 naming the file, the existing file untouched', async () => {
    const target = join(restored, 'odd.bin');
    writeFileSync(target, 'precious local edits');
    const before = await sha256File(target);
    const result = await lab.cli(['restore', 'disks', 'vm-rt', '--point', point.id, '--to', restored]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/never overwrites/);
    expect(result.stderr).toContain(target);
    expect(await sha256File(target)).toBe(before);
  });
});
