import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireQemuImg, makeTempDir, qemuImg, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { vmdkFormat } from '../../../electron/engine/disk/vmdk/vmdk-format.ts';
import { topChainContext } from '../../../electron/engine/disk/chain-opener.ts';
import { exportDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { exerciseMutant, fuzzImage } from './image-fuzzer.ts';
import type { ByteWindow } from './image-fuzzer.ts';

const MUTANTS = 600;

describe.skipIf(!requireQemuImg())('VMDK fuzz: mutated headers, tables and descriptors', () => {
  let dir: string;
  let raw: string;
  beforeAll(() => {
    dir = makeTempDir('labvault-fuzz-vmdk-');
    raw = writePatternRaw(join(dir, 'src.raw'), { size: 768 * 1024 + 512, seed: 77, region: 24 * 1024 });
  });
  afterAll(() => removeDir(dir));

  it('monolithicSparse (qemu-img): header, descriptor, both grain directories and tables', async () => {
    const image = join(dir, 'sparse.vmdk');
    qemuImg(['convert', '-O', 'vmdk', raw, image]);
    const original = readFileSync(image);
    const overhead = Number(original.readBigUInt64LE(64)) * 512;
    const windows: ByteWindow[] = [{ start: 0, end: 80 }, { start: 512, end: 1024 }, { start: 21 * 512, end: overhead }, { start: 0, end: original.length }];
    expect(await fuzzImage(vmdkFormat, original, windows, join(dir, 'mutant-sparse.vmdk'), MUTANTS, 1, topChainContext)).toEqual([]);
  });

  it('streamOptimized (ours, footer at the end, and qemu-img\'s): markers, compressed grains, footer', async () => {
    const ours = join(dir, 'stream-ours.vmdk');
    await exportDiskImage(raw, ours, { format: 'vmdk', subformat: 'streamOptimized' });
    const original = readFileSync(ours);
    const windows: ByteWindow[] = [{ start: 0, end: 80 }, { start: original.length - 4096, end: original.length }, { start: 0, end: original.length }];
    expect(await fuzzImage(vmdkFormat, original, windows, join(dir, 'mutant-stream.vmdk'), MUTANTS, 2, topChainContext)).toEqual([]);
    const theirs = join(dir, 'stream-qemu.vmdk');
    qemuImg(['convert', '-O', 'vmdk', '-o', 'subformat=streamOptimized', raw, theirs]);
    const qemuOriginal = readFileSync(theirs);
    const qemuWindows: ByteWindow[] = [{ start: 0, end: 80 }, { start: 21 * 512, end: 64 * 1024 }, { start: 64 * 1024, end: qemuOriginal.length }];
    expect(await fuzzImage(vmdkFormat, qemuOriginal, qemuWindows, join(dir, 'mutant-stream-qemu.vmdk'), MUTANTS / 2, 3, topChainContext)).toEqual([]);
  });

  it('descriptor files: mutated text with extents, sizes, offsets and parent hints', async () => {
    const descriptor = join(dir, 'multi.vmdk');
    qemuImg(['convert', '-O', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse', raw, descriptor]);
    const text = readFileSync(descriptor, 'latin1').replace(/\s+$/, '\n');
    const flat = join(dir, 'flat.bin');
    writeFileSync(flat, Buffer.alloc(64 * 1024, 7));
    const variants = [
      text,
      text.replace('# Extent description\n', '# Extent description\nRW 128 FLAT "flat.bin" 0\nRW 64 ZERO\n'),
      text.replace('parentCID=ffffffff', 'parentCID=12345678\nparentFileNameHint="multi.vmdk"'),
    ];
    const digits = '0123456789"/. \nRWFLATSPARSEZERO';
    for (const [index, variant] of variants.entries()) {
      const random = { seed: 17 + index };
      const next = (): number => { random.seed = (random.seed * 1103515245 + 12345) & 0x7fffffff; return random.seed; };
      const mutants: string[] = [];
      for (let count = 0; count < MUTANTS / 3; count += 1) {
        const chars = variant.split('');
        const edits = 1 + (next() % 4);
        for (let edit = 0; edit < edits; edit += 1) {
          const at = next() % chars.length;
          const choice = next() % 4;
          if (choice === 0) chars[at] = digits[next() % digits.length]!;
          else if (choice === 1) chars.splice(at, 1);
          else if (choice === 2) chars.splice(at, 0, String(next() * 7919));
          else chars.splice(at, 0, '\n');
        }
        mutants.push(chars.join(''));
      }
      const mutantPath = join(dir, 'mutant-descriptor.vmdk');
      for (const [mutantIndex, mutant] of mutants.entries()) {
        writeFileSync(mutantPath, mutant, 'latin1');
        const problem = await exerciseMutant(vmdkFormat, mutantPath, topChainContext());
        expect(problem, `descriptor variant ${index} mutant ${mutantIndex}:\n${mutant}`).toBeNull();
      }
    }
  });
});
