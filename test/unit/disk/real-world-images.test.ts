/**
 * Real-world images read the way qemu-img reads them:
 * - a Disk2VHD VHDX (two byte-identical headers with the same sequence number) is valid,
 *   two different headers with one sequence number are not (qemu agrees on both);
 * - images in formats Labvault recognises but does not read (qcow v1, QED, parallels, LUKS,
 *   bochs, cloop, dmg, VMware 3 COWD, UML COW, VHD sets) are named in an UNSUPPORTED error by
 *   detection, `labvault image info` and protect, never taken as raw;
 * - a sparse extent of a twoGbMaxExtentSparse VMDK opened on its own is refused naming its
 *   descriptor, while the descriptor (with its extents) still opens and protects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, qemuImg, qemuInfo, qemuRawBytes, removeDir, requireQemuImg, writePatternRaw } from '../../support/disk-fixtures.ts';
import { makeForeignImages, type ForeignImage } from '../../support/foreign-images.ts';
import { detectImageFormat } from '../../../electron/engine/disk/detect-format.ts';
import { checkDiskImage, diskImageInfo, openDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { crc32cWithZeroedField } from '../../../electron/engine/disk/vhdx/crc32c.ts';
import { imageCommand } from '../../../electron/cli/commands/image.ts';
import { runCli } from '../../../electron/cli/labvault.ts';
import type { CliIo } from '../../../electron/cli/cli-command.ts';
import { Engine } from '../../../electron/engine/index.ts';
import { runCli as runCliProcess } from '../../support/cli-runner.ts';
import { readWholeDisk } from './vhd-open-context.ts';

const run = requireQemuImg() ? describe : describe.skip;
const KiB = 1024;
const MiB = 1024 * KiB;

let dir: string;
beforeAll(() => { dir = makeTempDir('labvault-real-world-'); });
afterAll(() => removeDir(dir));

function capture(env: NodeJS.ProcessEnv = {}): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (text) => out.push(text), err: (text) => err.push(text), isTty: false, env }, out, err };
}

/** Sets header 2 of a VHDX to `header` (a 4 KiB header block) with its CRC recomputed. */
function writeHeader2(bytes: Buffer, header: Buffer): void {
  const copy = Buffer.from(header);
  copy.writeUInt32LE(crc32cWithZeroedField(copy, 4), 4);
  copy.copy(bytes, 128 * KiB);
}

run('Disk2VHD: two headers with the same sequence number', () => {
  it('byte-identical headers are valid (qemu-img reads it, so do we, same bytes); different ones are refused by both', async () => {
    const raw = writePatternRaw(join(dir, 'd2v.raw'), { size: 3 * MiB, seed: 21 });
    const made = join(dir, 'made.vhdx');
    qemuImg(['convert', '-f', 'raw', '-O', 'vhdx', raw, made]);
    const bytes = readFileSync(made);
    const header1 = bytes.subarray(64 * KiB, 68 * KiB);
    // Disk2VHD writes header 2 as an exact copy of header 1.
    const identical = Buffer.from(bytes);
    header1.copy(identical, 128 * KiB);
    const d2v = join(dir, 'disk2vhd.vhdx');
    writeFileSync(d2v, identical);
    expect(identical.subarray(64 * KiB, 68 * KiB).equals(identical.subarray(128 * KiB, 132 * KiB))).toBe(true);
    const expected = qemuRawBytes(d2v, dir);
    expect(expected.equals(readFileSync(raw))).toBe(true);
    const disk = await openDiskImage(d2v);
    expect((await readWholeDisk(disk)).equals(expected)).toBe(true);
    await disk.close();
    expect(await checkDiskImage(d2v)).toMatchObject({ clean: true, findings: [] });
    // Same sequence number, one reserved byte different (both CRCs valid): no current header.
    const different = Buffer.from(identical);
    const changed = Buffer.from(header1);
    changed[2000] = 0x5a;
    writeHeader2(different, changed);
    const ambiguous = join(dir, 'ambiguous.vhdx');
    writeFileSync(ambiguous, different);
    expect(() => qemuImg(['info', '-f', 'vhdx', ambiguous])).toThrow(/VHDX header|Could not open/);
    await expect(openDiskImage(ambiguous)).rejects.toMatchObject({ code: 'BAD_IMAGE', field: 'vhdx.header.sequence_number' });
  });
});

run('formats Labvault does not read', () => {
  let images: ForeignImage[] = [];
  let home = '';
  beforeAll(() => {
    const folder = join(dir, 'foreign');
    mkdirSync(folder);
    images = makeForeignImages(folder);
    home = join(dir, 'home');
  });

  it('are images of their format for qemu-img, and UNSUPPORTED naming the format for detection and info', async () => {
    expect(images.map((image) => image.format)).toEqual(['qcow', 'qed', 'parallels', 'luks', 'bochs', 'cloop', 'dmg', 'vmdk3-cowd', 'cow', 'vhds']);
    for (const image of images) {
      if (image.qemuFormat !== null) expect(qemuInfo(image.path).format, image.path).toBe(image.qemuFormat);
      await expect(detectImageFormat(image.path), image.format).rejects.toMatchObject({
        code: 'UNSUPPORTED', field: 'format', details: { format: image.format, file: image.path },
      });
      await expect(diskImageInfo(image.path), image.format).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    }
  });

  it('labvault image info exits 1 with [UNSUPPORTED], the format and what to do', async () => {
    for (const image of images) {
      const { io, err } = capture();
      const code = await runCli(['image', 'info', image.path, '--json'], io);
      expect(code, image.format).toBe(1);
      const message = err.join('\n');
      expect(message).toContain('[UNSUPPORTED]');
      expect(message).toContain(`(format "${image.format}")`);
      expect(message).toMatch(/not read by Labvault/);
      if (image.qemuFormat !== null && image.format !== 'vhds' && image.format !== 'luks') expect(message).toContain(`qemu-img convert -f ${image.qemuFormat}`);
    }
    // The image command itself (no entry point) throws the same error.
    await expect(imageCommand.run({ positionals: ['info', images[4]!.path], flags: {} }, capture().io)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('protect refuses them, naming each format; inspect marks each file not ok', async () => {
    const engine = new Engine({ face: 'browser', appHome: home });
    try {
      await engine.handlers.vaults.create({ name: 'foreign', path: join(dir, 'vault') });
      const candidates = await engine.handlers.items.inspectFiles({ paths: images.map((image) => image.path) });
      for (const image of images) {
        const candidate = candidates.find((entry) => entry.path === image.path);
        expect(candidate, image.format).toMatchObject({ ok: false, role: 'disk' });
        expect(candidate?.problem).toContain(`(format "${image.format}")`);
      }
    } finally {
      await engine.close();
    }
    const protect = await runCliProcess(home, ['protect', '--vault', 'foreign', '--name', 'old-disks', images[4]!.path, images[6]!.path]);
    expect(protect.code, protect.stderr).toBe(2);
    expect(protect.stderr).toMatch(/Cannot protect: .*disk\.bochs .*format "bochs".*disk\.dmg .*format "dmg"/s);
  });
});

run('a sparse extent of a multi-extent VMDK', () => {
  it('opened alone is refused naming the descriptor; the descriptor opens and protects with its extents', async () => {
    const folder = join(dir, 'split');
    mkdirSync(folder);
    const descriptor = join(folder, 'web.vmdk');
    qemuImg(['create', '-q', '-f', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse', descriptor, '5G']);
    const extent = join(folder, 'web-s001.vmdk');
    // qemu-img refuses the extent alone too.
    expect(() => qemuImg(['info', extent])).toThrow(/Could not open/);
    await expect(diskImageInfo(extent)).rejects.toMatchObject({
      code: 'UNSUPPORTED', field: 'vmdk.descriptor', details: { descriptor, reason: 'vmdk-extent' },
    });
    await expect(openDiskImage(extent)).rejects.toThrow(`one extent of the multi-extent VMDK disk ${descriptor}`);
    const check = await checkDiskImage(extent);
    expect(check.findings.map((finding) => [finding.kind, finding.severity])).toEqual([['vmdk-extent', 'warning']]);
    expect(check.findings[0]!.message).toContain(descriptor);
    const whole = await diskImageInfo(descriptor);
    expect(whole.virtualSize).toBe(5 * 1024 * MiB);
    expect(whole.files).toEqual([descriptor, extent, join(folder, 'web-s002.vmdk'), join(folder, 'web-s003.vmdk')]);

    // Moved away from its descriptor, the split name still tells: refused, naming the descriptor it implies.
    const alone = join(dir, 'alone');
    mkdirSync(alone);
    copyFileSync(extent, join(alone, 'web-s001.vmdk'));
    await expect(diskImageInfo(join(alone, 'web-s001.vmdk'))).rejects.toMatchObject({
      code: 'UNSUPPORTED', details: { descriptor: join(alone, 'web.vmdk') },
    });
    // Renamed, nothing names its disk: still refused (a sparse extent without a descriptor is never a disk).
    renameSync(join(alone, 'web-s001.vmdk'), join(alone, 'standalone.vmdk'));
    await expect(diskImageInfo(join(alone, 'standalone.vmdk'))).rejects.toMatchObject({
      code: 'UNSUPPORTED', details: { reason: 'vmdk-extent', descriptor: null },
    });

    const engine = new Engine({ face: 'browser', appHome: join(dir, 'home-split') });
    try {
      const alonePick = await engine.handlers.items.inspectFiles({ paths: [extent] });
      expect(alonePick[0]).toMatchObject({ ok: false });
      expect(alonePick[0]?.problem).toContain(descriptor);
      const picked = await engine.handlers.items.inspectFiles({ paths: [descriptor] });
      expect(picked.map((candidate) => [candidate.path, candidate.ok])).toEqual([
        [descriptor, true], [extent, true], [join(folder, 'web-s002.vmdk'), true], [join(folder, 'web-s003.vmdk'), true],
      ]);
    } finally {
      await engine.close();
    }
  });
});
