import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireQemuImg, makeTempDir, qemuImg, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { vdiFormat } from '../../../electron/engine/disk/vdi/vdi-format.ts';
import { topChainContext } from '../../../electron/engine/disk/chain-opener.ts';
import { exportDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { fuzzImage } from './image-fuzzer.ts';
import type { ByteWindow } from './image-fuzzer.ts';

const MUTANTS = 800;
/** Header fields (0x40..0x1c8) and the block map (0x200..). */
const HEADER: ByteWindow = { start: 0x40, end: 0x1c8 };

describe.skipIf(!requireQemuImg())('VDI fuzz: mutated headers and block maps', () => {
  let dir: string;
  let raw: string;
  beforeAll(() => {
    dir = makeTempDir('labvault-fuzz-vdi-');
    raw = writePatternRaw(join(dir, 'src.raw'), { size: 2 * 1024 * 1024 + 4096, seed: 99, region: 256 * 1024 });
  });
  afterAll(() => removeDir(dir));

  for (const [name, options] of [['dynamic', []], ['fixed', ['-o', 'static=on']]] as const) {
    it(`${name} VDI from qemu-img`, async () => {
      const image = join(dir, `${name}.vdi`);
      qemuImg(['convert', '-O', 'vdi', ...options, raw, image]);
      const original = readFileSync(image);
      const mapStart = original.readUInt32LE(0x154);
      const windows: ByteWindow[] = [HEADER, HEADER, { start: mapStart, end: mapStart + 64 }, { start: 0, end: original.length }];
      // Each mutant lives alone in its folder: a mutant turned differencing finds no parent (NOT_FOUND).
      mkdirSync(join(dir, name));
      expect(await fuzzImage(vdiFormat, original, windows, join(dir, name, 'mutant.vdi'), MUTANTS, name.length, topChainContext)).toEqual([]);
    });
  }

  it('dynamic VDI from our writer, next to a possible parent', async () => {
    const image = join(dir, 'ours.vdi');
    await exportDiskImage(raw, image, { format: 'vdi' });
    const original = readFileSync(image);
    const windows: ByteWindow[] = [HEADER, { start: 0x200, end: 0x240 }];
    expect(await fuzzImage(vdiFormat, original, windows, join(dir, 'mutant-ours.vdi'), MUTANTS / 2, 7, topChainContext)).toEqual([]);
  });
});
