import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { requireQemuImg, makeTempDir, qemuImg, removeDir, writePatternRaw, deterministicBytes } from '../../support/disk-fixtures.ts';
import { VhdxDisk } from '../../../electron/engine/disk/vhdx/vhdx-disk.ts';
import { checkVhdx } from '../../../electron/engine/disk/vhdx/vhdx-check.ts';
import { crc32cWithZeroedField } from '../../../electron/engine/disk/vhdx/crc32c.ts';
import { testOpenContext } from './vhd-open-context.ts';
import { buildLogEntry, buildTestVhdx } from './vhdx-test-images.ts';
import type { TestBlock } from './vhdx-test-images.ts';
import { PatchedImage, Xorshift, exerciseImage, interesting32, interesting64, u32le, u64le } from './fuzz-image-patcher.ts';
import type { FuzzOutcome, Patch } from './fuzz-image-patcher.ts';

const run = requireQemuImg() ? describe : describe.skip;
const CASES = 2000;
const KiB = 1024;
const MiB = 1024 * KiB;
const HEADERS = [64 * KiB, 128 * KiB];
const REGION_TABLES = [192 * KiB, 256 * KiB];
const HEADER_FIELDS: [number, number][] = [[8, 8], [48, 16], [64, 2], [66, 2], [68, 4], [72, 8]];

run('VHDX fuzz: mutated headers, region tables, metadata, BAT and log', () => {
  let dir = '';
  let image: PatchedImage;
  let metadataOffset = 0;
  let batOffset = 0;
  beforeAll(() => {
    dir = makeTempDir('labvault-fuzz-vhdx-');
    const raw = writePatternRaw(join(dir, 'base.raw'), { size: 3 * MiB, seed: 78, region: 192 * KiB });
    qemuImg(['convert', '-f', 'raw', '-O', 'vhdx', '-o', 'block_size=1M', raw, join(dir, 'base.vhdx')]);
    const base = readFileSync(join(dir, 'base.vhdx'));
    for (let i = 0; i < base.readUInt32LE(REGION_TABLES[0]! + 8); i += 1) {
      const at = REGION_TABLES[0]! + 16 + i * 32;
      const offset = Number(base.readBigUInt64LE(at + 16));
      if (base.readUInt32LE(at) === 0x2dc27766) batOffset = offset; else metadataOffset = offset;
    }
    image = new PatchedImage(join(dir, 'fuzz.vhdx'), base);
  });
  afterAll(() => removeDir(dir));

  /** Copies of a 4 KiB header or 64 KiB region table, mutated then given a valid CRC. */
  function resealed(offsets: number[], size: number, mutate: (copy: Buffer) => void): Patch[] {
    return offsets.map((offset) => {
      const copy = Buffer.from(image.base.subarray(offset, offset + size));
      mutate(copy);
      copy.writeUInt32LE(crc32cWithZeroedField(copy, 4), 4);
      return { offset, bytes: copy };
    });
  }

  function setField(rng: Xorshift, target: Buffer, at: number, size: number): void {
    if (size === 8) u64le(interesting64(rng)).copy(target, at);
    else if (size === 4) u32le(interesting32(rng)).copy(target, at);
    else if (size === 2) target.writeUInt16LE(rng.int(0x10000), at);
    else target[at + rng.int(size)] = rng.int(256);
  }

  function dirtyLog(rng: Xorshift): Patch[] {
    const logGuid = Buffer.alloc(16, 0x33);
    const patches = resealed(HEADERS, 4 * KiB, (copy) => logGuid.copy(copy, 48));
    const operations = Array.from({ length: 1 + rng.int(3) }, () => rng.int(2) === 0
      ? { kind: 'data' as const, offset: rng.pick([0, 64 * KiB, 192 * KiB, metadataOffset, batOffset, batOffset + 4 * KiB * rng.int(4), rng.int(64) * 4 * KiB, 1 << 40]), data: deterministicBytes(4096, rng.int(1000) + 1) }
      : { kind: 'zero' as const, offset: rng.pick([0, batOffset, metadataOffset, rng.int(64) * 4 * KiB]), length: rng.pick([4096, 8192, MiB, 2 ** 40]) });
    const entry = buildLogEntry({
      sequence: BigInt(1 + rng.int(5)), tail: rng.pick([0, 0, 4096, 1 << 20]), logGuid,
      flushedFileOffset: rng.pick([0, image.base.length, image.base.length * 2]),
      lastFileOffset: rng.pick([0, image.base.length, 2 ** 40]), operations,
    });
    if (rng.int(3) === 0) {
      const at = rng.int(entry.length);
      entry[at] = entry[at]! ^ (1 << rng.int(8));
    }
    patches.push({ offset: MiB, bytes: entry });
    return patches;
  }

  function mutation(rng: Xorshift): { patches: Patch[]; truncate: number | null } {
    const kind = rng.int(9);
    switch (kind) {
      case 0: {
        const offset = rng.int(320 * KiB);
        return { patches: [{ offset, bytes: Buffer.from([image.base[offset]! ^ (1 << rng.int(8))]) }], truncate: null };
      }
      case 1: {
        const [at, size] = rng.pick(HEADER_FIELDS);
        const which = rng.int(3);
        const offsets = which === 2 ? HEADERS : [HEADERS[which]!];
        return { patches: resealed(offsets, 4 * KiB, (copy) => setField(rng, copy, at, size)), truncate: null };
      }
      case 2: {
        const entry = rng.int(3);
        const at = rng.pick([8, 16 + entry * 32 + rng.int(16), 16 + entry * 32 + 16, 16 + entry * 32 + 24, 16 + entry * 32 + 28]);
        const size = at === 8 || (at - 16) % 32 >= 24 ? 4 : (at - 16) % 32 === 16 ? 8 : 1;
        return { patches: resealed(REGION_TABLES, 64 * KiB, (copy) => setField(rng, copy, at, size)), truncate: null };
      }
      case 3: {
        const entry = rng.int(6);
        const at = rng.pick([10, 32 + entry * 32 + rng.int(16), 32 + entry * 32 + 16, 32 + entry * 32 + 20, 32 + entry * 32 + 24]);
        const bytes = at === 10 ? Buffer.from([rng.int(256), rng.int(8)]) : (at - 32) % 32 >= 16 ? u32le(interesting32(rng)) : Buffer.from([rng.int(256)]);
        return { patches: [{ offset: metadataOffset + at, bytes }], truncate: null };
      }
      case 4: {
        const itemOffset = 64 * KiB + rng.int(64);
        return { patches: [{ offset: metadataOffset + itemOffset, bytes: u32le(interesting32(rng)) }], truncate: null };
      }
      case 5: {
        const index = rng.int(8);
        const state = rng.int(8);
        const offsetMb = rng.pick([0, 1, 3, 4, 5, 6, 100, 0xfffff, rng.int(0x100000)]);
        const low = ((offsetMb % 4096) << 20 | state) >>> 0;
        const entry = Buffer.concat([u32le(low), u32le(rng.pick([0, 0, 0, 1, 0xffffffff]))]);
        return { patches: [{ offset: batOffset + index * 8, bytes: entry }], truncate: null };
      }
      case 6: return { patches: [], truncate: rng.int(image.base.length) };
      case 7: return { patches: dirtyLog(rng), truncate: null };
      default: {
        const offset = rng.int(image.base.length);
        return { patches: [{ offset, bytes: Buffer.from([rng.int(256)]) }], truncate: null };
      }
    }
  }

  it(`survives ${CASES} mutations with typed errors or reads`, async () => {
    const rng = new Xorshift(4242);
    const outcomes: FuzzOutcome[] = [];
    for (let i = 0; i < CASES; i += 1) {
      const { patches, truncate } = mutation(rng);
      outcomes.push(await image.with(patches, truncate, () => exerciseImage(
        () => VhdxDisk.open(image.path, { ctx: testOpenContext() }),
        () => checkVhdx(image.path),
      )));
    }
    const opened = outcomes.filter((o) => o.opened).length;
    const fields = [...new Set(outcomes.map((o) => o.errorField).filter((f): f is string => f !== null))];
    expect(opened).toBeGreaterThan(100);
    expect(opened).toBeLessThan(CASES);
    for (const prefix of ['vhdx.header', 'vhdx.region_table', 'vhdx.metadata', 'vhdx.bat', 'vhdx.log']) {
      expect(fields.some((f) => f.startsWith(prefix)), prefix).toBe(true);
    }
  });

  it('survives 600 mutations of a differencing child (parent locator, sector bitmaps, states)', async () => {
    writeFileSync(join(dir, 'parent.vhdx'), image.base);
    const parent = await VhdxDisk.open(join(dir, 'parent.vhdx'));
    const linkage = `{${parent.dataWriteGuid}}`;
    const virtualSize = parent.virtualSize;
    await parent.close();
    const blocks = new Map<number, TestBlock>([
      [0, { kind: 'partial', data: deterministicBytes(MiB, 9), sectors: [0, 3, 4, 5, 2047] }],
      [1, { kind: 'full', data: deterministicBytes(MiB, 10) }],
      [2, { kind: 'zero' }],
    ]);
    const childBase = buildTestVhdx({ virtualSize, blockSize: MiB, blocks, parent: { locator: { parent_linkage: linkage, relative_path: 'parent.vhdx', absolute_win32_path: 'C:\\x\\parent.vhdx' } } });
    const child = new PatchedImage(join(dir, 'child.vhdx'), childBase);
    const metadata = 2 * MiB;
    const locatorItem = metadata + 64 * KiB + 5 * 4 * KiB;
    const rng = new Xorshift(99);
    const outcomes: FuzzOutcome[] = [];
    for (let i = 0; i < 600; i += 1) {
      const kind = rng.int(5);
      let patches: Patch[];
      if (kind === 0) patches = [{ offset: locatorItem + rng.int(20 + 3 * 12), bytes: Buffer.from([rng.pick([0, 1, 0x7f, 0xff, rng.int(256)])]) }];
      else if (kind === 1) patches = [{ offset: locatorItem + 20 + rng.int(300), bytes: Buffer.from([rng.int(256)]) }];
      else if (kind === 2) patches = [{ offset: 3 * MiB + rng.pick([0, 8, 16, 8 * 4096]), bytes: Buffer.concat([u32le(((rng.int(40) << 20) | rng.int(8)) >>> 0), u32le(0)]) }];
      else if (kind === 3) patches = [{ offset: 4 * MiB + rng.int(512), bytes: Buffer.from([rng.int(256)]) }];
      else patches = [{ offset: metadata + 64 * KiB + 4, bytes: u32le(rng.int(8)) }];
      outcomes.push(await child.with(patches, null, () => exerciseImage(
        () => VhdxDisk.open(child.path, { ctx: testOpenContext() }),
        () => checkVhdx(child.path),
      )));
    }
    expect(outcomes.filter((o) => o.opened).length).toBeGreaterThan(50);
    expect(outcomes.some((o) => o.errorField?.startsWith('vhdx.metadata.parent_locator'))).toBe(true);
  });
});
