import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireQemuImg, makeTempDir, qemuImg, qemuInfo, qemuRawBytes, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { checkDiskImage, diskImageInfo, exportDiskImage, openDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { detectImageFormat } from '../../../electron/engine/disk/detect-format.ts';
import { topChainContext } from '../../../electron/engine/disk/chain-opener.ts';
import { VdiDisk } from '../../../electron/engine/disk/vdi/vdi-disk.ts';
import { expectMapConsistent, expectRandomReadsMatch, openAndRead, readWholeImage } from './image-read-back.ts';

const MIB = 1024 * 1024;

describe.skipIf(!requireQemuImg())('VDI reader and writer against qemu-img', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeTempDir('labvault-vdi-');
  });
  afterAll(() => removeDir(dir));

  for (const [kind, options] of [['dynamic', []], ['fixed', ['-o', 'static=on']]] as const) {
    for (const size of [5 * MIB, 3_000_001]) {
      it(`reads a ${kind} VDI of ${size} bytes byte-identical to qemu-img convert`, async () => {
        const raw = writePatternRaw(join(dir, `${kind}-${size}.raw`), { size, seed: size, region: 96 * 1024 });
        const image = join(dir, `${kind}-${size}.vdi`);
        qemuImg(['convert', '-O', 'vdi', ...options, raw, image]);
        expect(await detectImageFormat(image)).toBe('vdi');
        const { bytes, map } = await openAndRead(image);
        expect(bytes.equals(qemuRawBytes(image, dir))).toBe(true);
        expectMapConsistent(map, bytes);
        const info = await diskImageInfo(image);
        const qemu = qemuInfo(image);
        expect(info).toMatchObject({ format: 'vdi', virtualSize: qemu['virtual-size'], clusterSize: qemu['cluster-size'], subformat: kind, files: [image] });
        expect(info.fileSize).toBe(statSync(image).size);
        expect(await checkDiskImage(image)).toMatchObject({ format: 'vdi', clean: true, findings: [] });
      });
    }
  }

  for (const size of [6 * MIB, 2_500_001, 0]) {
    it(`writes a dynamic VDI (${size} bytes) that qemu-img checks clean and compares equal`, async () => {
      const raw = join(dir, `w-${size}.raw`);
      if (size > 0) writePatternRaw(raw, { size, seed: 8, region: MIB });
      else writeFileSync(raw, Buffer.alloc(0));
      const out = join(dir, `w-${size}.vdi`);
      await exportDiskImage(raw, out, { format: 'vdi' });
      expect(qemuImg(['check', out])).toContain('No errors');
      qemuImg(['compare', '-f', 'raw', '-F', 'vdi', raw, out]);
      expect(qemuInfo(out)['virtual-size']).toBe(Math.ceil(size / 512) * 512);
      if (size === 6 * MIB) expect(statSync(out).size).toBeLessThan(size * 0.75);
      expect((await checkDiskImage(out)).clean).toBe(true);
    });
  }

  describe('differencing images', () => {
    let parent: string;
    let child: string;
    let expected: Buffer;
    beforeAll(() => {
      const size = 6 * MIB;
      const parentRaw = writePatternRaw(join(dir, 'parent.raw'), { size, seed: 31, region: 200 * 1024 });
      parent = join(dir, 'vm', 'base.vdi');
      mkdirSync(join(dir, 'vm', 'Snapshots'), { recursive: true });
      qemuImg(['convert', '-O', 'vdi', parentRaw, parent]);
      const childRaw = join(dir, 'child.raw');
      const childBytes = Buffer.alloc(size);
      childBytes.fill(0x55, 1 * MIB, 2 * MIB);
      childBytes.fill(0x66, 3 * MIB + 10, 4 * MIB - 10);
      writeFileSync(childRaw, childBytes);
      child = join(dir, 'vm', 'Snapshots', '{child}.vdi');
      qemuImg(['convert', '-O', 'vdi', childRaw, child]);
      // Turn the child into a differencing image of the parent (qemu-img cannot make one).
      const head = readFileSync(parent).subarray(0, 512);
      const image = readFileSync(child);
      image.writeUInt32LE(4, 0x4c);
      head.copy(image, 0x1a8, 0x188, 0x198);
      head.copy(image, 0x1b8, 0x198, 0x1a8);
      const mapOffset = image.readUInt32LE(0x154);
      image.writeUInt32LE(0xfffffffe, mapOffset + 4 * 5);
      writeFileSync(child, image);
      expected = readFileSync(parentRaw);
      childBytes.copy(expected, 1 * MIB, 1 * MIB, 2 * MIB);
      childBytes.copy(expected, 3 * MIB, 3 * MIB, 4 * MIB);
      expected.fill(0, 5 * MIB, 6 * MIB);
    });

    it('finds the parent by UUID in the folder above Snapshots and reads the merged view', async () => {
      const { bytes, map } = await openAndRead(child);
      expect(bytes.equals(expected)).toBe(true);
      expectMapConsistent(map, bytes);
      const disk = await openDiskImage(child);
      try {
        await expectRandomReadsMatch(disk, expected, 200, 3);
      } finally {
        await disk.close();
      }
      const info = await diskImageInfo(child);
      expect(info.subformat).toBe('differencing');
      expect(info.backing?.path).toBe(parent);
      expect(info.chain.map((link) => link.path)).toEqual([child, parent]);
      expect(info.allocatedBytes).toBe(2 * MIB);
      expect((await checkDiskImage(child)).clean).toBe(true);
    });

    it('accepts the parent path from the caller (.vbox) and refuses a missing parent with NOT_FOUND', async () => {
      const disk = await VdiDisk.open(child, topChainContext(), { parentPath: parent });
      try {
        expect((await readWholeImage(disk)).equals(expected)).toBe(true);
      } finally {
        await disk.close();
      }
      const lonely = join(dir, 'lonely');
      mkdirSync(join(lonely, 'deeper'), { recursive: true });
      const orphan = join(lonely, 'deeper', 'orphan.vdi');
      writeFileSync(orphan, readFileSync(child));
      await expect(openDiskImage(orphan)).rejects.toMatchObject({ code: 'NOT_FOUND', field: 'vdi.header.uuidLink' });
      const check = await checkDiskImage(orphan);
      expect(check.findings.map((finding) => finding.kind)).toEqual(['missing-parent']);
    });

    it('a parent modified after the child was made is a check warning', async () => {
      const sub = join(dir, 'modified');
      mkdirSync(sub);
      const parentCopy = readFileSync(parent);
      parentCopy.fill(0x42, 0x198, 0x1a8);
      writeFileSync(join(sub, 'base.vdi'), parentCopy);
      writeFileSync(join(sub, 'child.vdi'), readFileSync(child));
      const check = await checkDiskImage(join(sub, 'child.vdi'));
      expect(check.clean).toBe(true);
      expect(check.findings.map((finding) => finding.kind)).toEqual(['parent-uuid-mismatch']);
    });

    it('exports the merged view of the chain to a dynamic VDI qemu-img reads', async () => {
      const out = join(dir, 'merged.vdi');
      await exportDiskImage(child, out, { format: 'vdi' });
      expect(qemuImg(['check', out])).toContain('No errors');
      expect(qemuRawBytes(out, dir).equals(expected)).toBe(true);
    });
  });
});
