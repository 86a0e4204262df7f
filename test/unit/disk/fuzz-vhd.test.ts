import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { deterministicBytes } from '../../support/disk-fixtures.ts';
import { requireQemuImg, makeTempDir, qemuImg, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { VhdDisk } from '../../../electron/engine/disk/vhd/vhd-disk.ts';
import { checkVhd } from '../../../electron/engine/disk/vhd/vhd-check.ts';
import { vhdChecksum } from '../../../electron/engine/disk/vhd/vhd-layout.ts';
import { testOpenContext } from './vhd-open-context.ts';
import { buildDifferencingVhd } from './vhd-test-images.ts';
import { PatchedImage, Xorshift, exerciseImage, interesting32, interesting64, u32be, u64be } from './fuzz-image-patcher.ts';
import type { FuzzOutcome, Patch } from './fuzz-image-patcher.ts';

const run = requireQemuImg() ? describe : describe.skip;
const CASES = 2000;

/** Footer field offsets and sizes worth mutating. */
const FOOTER_FIELDS: [number, number][] = [[0, 8], [16, 8], [28, 4], [48, 8], [56, 2], [58, 1], [59, 1], [60, 4], [64, 4]];
const DYN_FIELDS: [number, number][] = [[0, 8], [16, 8], [28, 4], [32, 4], [36, 4], [64, 16], [576, 4], [584, 4], [592, 8]];

run('VHD fuzz: mutated footers, headers and BATs', () => {
  let dir = '';
  let image: PatchedImage;
  let batOffset = 0;
  let batEntries = 0;
  beforeAll(() => {
    dir = makeTempDir('labvault-fuzz-vhd-');
    const raw = writePatternRaw(join(dir, 'base.raw'), { size: 3 * 1024 * 1024, seed: 77, region: 128 * 1024 });
    qemuImg(['convert', '-f', 'raw', '-O', 'vpc', '-o', 'force_size=on', raw, join(dir, 'base.vhd')]);
    const base = readFileSync(join(dir, 'base.vhd'));
    batOffset = Number(base.readBigUInt64BE(512 + 16));
    batEntries = base.readUInt32BE(512 + 28);
    image = new PatchedImage(join(dir, 'fuzz.vhd'), base);
  });
  afterAll(() => removeDir(dir));

  /** Footer copies at 0 and the end plus the dynamic header, with valid checksums after `mutate`. */
  function resealed(mutate: (footer: Buffer, header: Buffer) => void): Patch[] {
    const footer = Buffer.from(image.base.subarray(0, 512));
    const header = Buffer.from(image.base.subarray(512, 1536));
    mutate(footer, header);
    footer.writeUInt32BE(vhdChecksum(footer, 64), 64);
    header.writeUInt32BE(vhdChecksum(header, 36), 36);
    return [{ offset: 0, bytes: footer }, { offset: 512, bytes: header }, { offset: image.base.length - 512, bytes: footer }];
  }

  function mutation(rng: Xorshift): { patches: Patch[]; truncate: number | null } {
    const kind = rng.int(6);
    if (kind === 0) {
      const offset = rng.int(1536);
      return { patches: [{ offset, bytes: Buffer.from([image.base[offset]! ^ (1 << rng.int(8))]) }], truncate: null };
    }
    if (kind === 1 || kind === 2) {
      return { patches: resealed((footer, header) => {
        const [target, fields] = rng.int(2) === 0 ? [footer, FOOTER_FIELDS] as const : [header, DYN_FIELDS] as const;
        const [at, size] = rng.pick(fields);
        if (size === 8) u64be(interesting64(rng)).copy(target, at);
        else if (size === 4) u32be(interesting32(rng)).copy(target, at);
        else if (size === 2) target.writeUInt16BE(rng.int(0x10000), at);
        else if (size === 1) target[at] = rng.int(256);
        else target[at + rng.int(size)] = rng.int(256);
        if (kind === 2) footer.writeUInt32BE(rng.pick([2, 3, 4, 5]), 60);
      }), truncate: null };
    }
    if (kind === 3) {
      const index = rng.int(batEntries);
      return { patches: [{ offset: batOffset + index * 4, bytes: u32be(rng.pick([0, 1, 2, 3, interesting32(rng), 0xfffffffe])) }], truncate: null };
    }
    if (kind === 4) return { patches: [], truncate: rng.int(image.base.length) };
    const offset = rng.int(image.base.length);
    return { patches: [{ offset, bytes: Buffer.from([rng.int(256)]) }], truncate: null };
  }

  it(`survives ${CASES} mutations with typed errors or reads`, async () => {
    const rng = new Xorshift(20261125);
    const outcomes: FuzzOutcome[] = [];
    for (let i = 0; i < CASES; i += 1) {
      const { patches, truncate } = mutation(rng);
      outcomes.push(await image.with(patches, truncate, () => exerciseImage(
        () => VhdDisk.open(image.path, { ctx: testOpenContext() }),
        () => checkVhd(image.path),
      )));
    }
    const opened = outcomes.filter((o) => o.opened).length;
    const fields = new Set(outcomes.map((o) => o.errorField).filter((f) => f !== null));
    expect(opened).toBeGreaterThan(100);
    expect(opened).toBeLessThan(CASES);
    expect([...fields].some((f) => f!.startsWith('vhd.dynamic_header'))).toBe(true);
    expect([...fields].some((f) => f!.startsWith('vhd.bat'))).toBe(true);
  });

  it('survives 600 mutations of a differencing child (locators, parent name, bitmaps)', async () => {
    const parentPath = join(dir, 'base.vhd');
    const childPath = join(dir, 'child-base.vhd');
    buildDifferencingVhd(childPath, {
      virtualSize: Number(image.base.readBigUInt64BE(48)), parentPath, parentUniqueId: image.base.subarray(68, 84),
      writes: [{ offset: 4096, data: deterministicBytes(8192, 5) }, { offset: 2 * 1024 * 1024 + 512, data: deterministicBytes(1024, 6) }],
    });
    const childBase = readFileSync(childPath);
    const child = new PatchedImage(join(dir, 'child.vhd'), childBase);
    const childBat = Number(childBase.readBigUInt64BE(512 + 16));
    const firstBlock = childBase.readUInt32BE(childBat) * 512;
    const rng = new Xorshift(77);
    const outcomes: FuzzOutcome[] = [];
    for (let i = 0; i < 600; i += 1) {
      const kind = rng.int(4);
      let patches: Patch[];
      if (kind === 0 || kind === 1) {
        const header = Buffer.from(childBase.subarray(512, 1536));
        const locator = 576 + rng.int(2) * 24;
        if (kind === 0) {
          const at = rng.pick([locator, locator + 4, locator + 8, locator + 16]);
          if (at === locator + 16) u64be(interesting64(rng)).copy(header, at);
          else if (at === locator) header.write(rng.pick(['W2ru', 'W2ku', 'MacX', 'Mac ', 'Wi2r', 'zzzz']), at, 'latin1');
          else u32be(interesting32(rng)).copy(header, at);
        } else {
          header[64 + rng.int(512)] = rng.int(256);
        }
        header.writeUInt32BE(vhdChecksum(header, 36), 36);
        patches = [{ offset: 512, bytes: header }];
      } else if (kind === 2) {
        patches = [{ offset: firstBlock + rng.int(512), bytes: Buffer.from([rng.int(256)]) }];
      } else {
        patches = [{ offset: 1536 + rng.int(childBase.length - 1536), bytes: Buffer.from([rng.int(256)]) }];
      }
      outcomes.push(await child.with(patches, null, () => exerciseImage(
        () => VhdDisk.open(child.path, { ctx: testOpenContext() }),
        () => checkVhd(child.path),
      )));
    }
    expect(outcomes.filter((o) => o.opened).length).toBeGreaterThan(50);
    expect(outcomes.some((o) => o.errorCode === 'NOT_FOUND' || o.errorField?.includes('parent'))).toBe(true);
  });
});
