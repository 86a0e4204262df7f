import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { requireQemuImg, makeTempDir, qemuImg, qemuInfo, qemuRawBytes, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { checkDiskImage, diskImageInfo, openDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { detectImageFormat } from '../../../electron/engine/disk/detect-format.ts';
import { expectMapConsistent, expectRandomReadsMatch, openAndRead } from './image-read-back.ts';

const SUBFORMATS = ['monolithicSparse', 'streamOptimized', 'twoGbMaxExtentSparse', 'twoGbMaxExtentFlat', 'monolithicFlat'] as const;
const SIZES = [3 * 1024 * 1024, 2_500_001];

describe.skipIf(!requireQemuImg())('VMDK reader against qemu-img', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeTempDir('labvault-vmdk-');
  });
  afterAll(() => removeDir(dir));

  for (const subformat of SUBFORMATS) {
    for (const size of SIZES) {
      it(`reads ${subformat} (${size} bytes) byte-identical to qemu-img convert`, async () => {
        const raw = writePatternRaw(join(dir, `${subformat}-${size}.raw`), { size, region: 48 * 1024, seed: size });
        const image = join(dir, `${subformat}-${size}.vmdk`);
        qemuImg(['convert', '-O', 'vmdk', '-o', `subformat=${subformat}`, raw, image]);
        expect(await detectImageFormat(image)).toBe('vmdk');
        const reference = qemuRawBytes(image, dir);
        const { bytes, map } = await openAndRead(image);
        expect(bytes.length).toBe(reference.length);
        expect(bytes.equals(reference)).toBe(true);
        expectMapConsistent(map, bytes);
        const disk = await openDiskImage(image);
        try {
          await expectRandomReadsMatch(disk, reference, 100, size);
        } finally {
          await disk.close();
        }

        const info = await diskImageInfo(image);
        const qemu = qemuInfo(image);
        const data = (qemu['format-specific'] as { data: { 'create-type': string; extents: unknown[] } }).data;
        expect(info.format).toBe(qemu['format']);
        expect(info.virtualSize).toBe(qemu['virtual-size']);
        expect(info.subformat).toBe(data['create-type']);
        expect(info.backing).toBeUndefined();
        const prefix = `${subformat}-${size}`;
        const onDisk = readdirSync(dir).filter((name) => name.startsWith(prefix) && name.endsWith('.vmdk')).map((name) => join(dir, name)).sort();
        expect([...(info.files ?? [])].sort()).toEqual(onDisk);
        expect(info.files?.[0]).toBe(image);
        if (subformat.includes('Sparse') || subformat === 'streamOptimized') {
          expect(info.clusterSize).toBe(qemu['cluster-size']);
          expect(info.allocatedBytes).toBeLessThan(size);
        }

        const check = await checkDiskImage(image);
        expect(check).toMatchObject({ format: 'vmdk', clean: true, findings: [] });
      });
    }
  }

  // qemu 7.2 quirks avoided here: a blank line right before an extent line makes qemu read
  // that extent twice (sscanf skips the newline), and qemu drops ZERO and non-RW extents
  // (VMware reads them; so do we: see the next test).
  it('reads a hand-written descriptor with FLAT (offset, "..", absolute), VMFS and SPARSE extents like qemu', async () => {
    const sub = join(dir, 'multi');
    mkdirSync(join(sub, 'extents'), { recursive: true });
    const sparseRaw = writePatternRaw(join(dir, 'multi-a.raw'), { size: 1024 * 1024, seed: 5 });
    qemuImg(['convert', '-O', 'vmdk', '-o', 'subformat=monolithicSparse', sparseRaw, join(sub, 'extents', 'a.vmdk')]);
    writePatternRaw(join(sub, 'b-flat.bin'), { size: 1024 * 1024 + 4096, seed: 6, region: 16 * 1024 });
    writePatternRaw(join(dir, 'c-flat.bin'), { size: 512 * 1024, seed: 7, region: 8192 });
    const descriptor = [
      '# Disk DescriptorFile', 'version=1', 'CID=12345678', 'parentCID=ffffffff', 'createType="twoGbMaxExtentFlat"', 'unknownKey = whatever', '',
      '# Extent description',
      'RW 2048 FLAT "b-flat.bin" 8',
      'RW 1024 FLAT "../c-flat.bin" 0',
      `RW 300 VMFS "${join(dir, 'c-flat.bin')}"`,
      'RW 2048 SPARSE "extents/a.vmdk"',
      '', '# The Disk Data Base', '#DDB', 'ddb.adapterType = "ide"', 'garbage line without meaning', '',
    ].join('\n');
    const image = join(sub, 'multi.vmdk');
    writeFileSync(image, descriptor);
    const reference = qemuRawBytes(image, dir);
    const { bytes, map } = await openAndRead(image);
    expect(bytes.length).toBe((2048 + 1024 + 300 + 2048) * 512);
    expect(bytes.equals(reference)).toBe(true);
    expectMapConsistent(map, bytes);
    const info = await diskImageInfo(image);
    expect(info.subformat).toBe('twoGbMaxExtentFlat');
    expect(info.files).toEqual([image, join(sub, 'b-flat.bin'), join(dir, 'c-flat.bin'), join(sub, 'extents', 'a.vmdk')]);
    expect((await checkDiskImage(image)).clean).toBe(true);
  });

  it('reads ZERO extents as zeros and keeps RDONLY extents in place (as VMware does)', async () => {
    const flat = writePatternRaw(join(dir, 'zero-case-flat.bin'), { size: 64 * 1024, seed: 9, region: 4096 });
    const image = join(dir, 'zero-case.vmdk');
    writeFileSync(image, ['# Disk DescriptorFile', 'version=1', 'CID=1', 'parentCID=ffffffff', 'createType="monolithicFlat"', '# Extent description',
      'RDONLY 64 FLAT "zero-case-flat.bin" 0', 'RW 100 ZERO', 'NOACCESS 64 FLAT "zero-case-flat.bin" 64', '# ddb', ''].join('\n'));
    const { bytes, map } = await openAndRead(image);
    const source = readFileSync(flat);
    expect(bytes.length).toBe(228 * 512);
    expect(bytes.subarray(0, 32768).equals(source.subarray(0, 32768))).toBe(true);
    expect(bytes.subarray(32768, 32768 + 51200).every((byte) => byte === 0)).toBe(true);
    expect(bytes.subarray(32768 + 51200).equals(source.subarray(32768, 65536))).toBe(true);
    expect(map.some((range) => range.zero && range.offset === 32768 && range.length >= 51200)).toBe(true);
  });

  it('refuses a descriptor naming a missing extent (NOT_FOUND) or a FIFO (BAD_IMAGE, no hang)', async () => {
    const image = join(dir, 'missing-extent.vmdk');
    writeFileSync(image, '# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=ffffffff\ncreateType="monolithicFlat"\nRW 8 FLAT "nowhere-flat.vmdk" 0\n');
    await expect(openAndRead(image)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('nowhere-flat.vmdk') });
    const fifo = join(dir, 'fifo-flat.vmdk');
    execFileSync('mkfifo', [fifo]);
    const fifoImage = join(dir, 'fifo-extent.vmdk');
    writeFileSync(fifoImage, '# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=ffffffff\ncreateType="monolithicFlat"\nRW 8 FLAT "fifo-flat.vmdk" 0\n');
    await expect(openAndRead(fifoImage)).rejects.toMatchObject({ code: 'BAD_IMAGE', message: expect.stringContaining('not a regular file') });
    const check = await checkDiskImage(image);
    expect(check.clean).toBe(false);
    expect(check.findings[0]?.kind).toBe('missing-file');
  });
});
