import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { deterministicBytes, makeTempDir, qemuImg, qemuInfo, qemuRawBytes, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { diskImageInfo, exportDiskImage, openDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { LabvaultError } from '../../../shared/errors.ts';

const MiB = 1024 * 1024;
let dir: string;

/** Runs a qemu-io command (write -P / write -z) on an image of the given format. */
function qemuIo(image: string, format: string, command: string): void {
  execFileSync('qemu-io', ['-f', format, '-c', command, image], { stdio: 'ignore' });
}

/** Renames the backing-format header extension so the image records no parent format. */
function dropBackingFormat(image: string): void {
  const bytes = readFileSync(image);
  const at = bytes.subarray(0, 65536).indexOf(Buffer.from([0xe2, 0x79, 0x2a, 0xca]));
  expect(at).toBeGreaterThan(0);
  bytes.writeUInt32BE(0x0badf00d, at);
  writeFileSync(image, bytes);
}

beforeAll(() => {
  dir = makeTempDir('labvault-chain-');
});
afterAll(() => removeDir(dir));

describe('backing chains', () => {
  it('reads a depth-3 chain with relative backing paths and -F, like qemu-img', async () => {
    const sub = join(dir, 'rel');
    mkdirSync(join(sub, 'layers'), { recursive: true });
    writePatternRaw(join(sub, 'base.raw'), { size: 4 * MiB, seed: 5 });
    qemuImg(['create', '-f', 'qcow2', '-b', '../base.raw', '-F', 'raw', join(sub, 'layers', 'mid.qcow2')]);
    qemuImg(['create', '-f', 'qcow2', '-b', 'layers/mid.qcow2', '-F', 'qcow2', join(sub, 'top.qcow2'), '6M']);
    qemuIo(join(sub, 'layers', 'mid.qcow2'), 'qcow2', 'write -P 0x11 0 64k');
    const top = join(sub, 'top.qcow2');
    const info = await diskImageInfo(top);
    const reference = qemuInfo(top);
    expect(info.virtualSize).toBe(reference['virtual-size']);
    expect(info.backing?.recordedPath).toBe(reference['backing-filename']);
    expect(info.backing?.path).toBe(reference['full-backing-filename']);
    expect(info.backing?.format).toBe(reference['backing-filename-format']);
    expect(info.chain).toEqual([
      { path: top, format: 'qcow2' },
      { path: join(sub, 'layers', 'mid.qcow2'), format: 'qcow2' },
      { path: join(sub, 'base.raw'), format: 'raw' },
    ]);
    const out = join(dir, 'rel.out.raw');
    await exportDiskImage(top, out);
    const expected = qemuRawBytes(top, dir);
    expect(readFileSync(out).equals(expected)).toBe(true);
    expect(expected.subarray(0, 65536).equals(Buffer.alloc(65536, 0x11))).toBe(true);
  });

  it('reads a depth-3 qcow2 chain with absolute paths; zero clusters mask the parent', async () => {
    const base = join(dir, 'abs-base.qcow2');
    const raw = writePatternRaw(join(dir, 'abs.raw'), { size: 3 * MiB + 512, seed: 8 });
    qemuImg(['convert', '-f', 'raw', '-O', 'qcow2', raw, base]);
    const mid = join(dir, 'abs-mid.qcow2');
    const top = join(dir, 'abs-top.qcow2');
    qemuImg(['create', '-f', 'qcow2', '-b', base, '-F', 'qcow2', mid]);
    qemuImg(['create', '-f', 'qcow2', '-b', mid, '-F', 'qcow2', top]);
    qemuIo(mid, 'qcow2', 'write -P 0x5a 128k 64k');
    // A zero cluster in the top layer over data of the base.
    qemuIo(top, 'qcow2', 'write -z 0 64k');
    const disk = await openDiskImage(top);
    try {
      const ranges = await disk.allocationMap();
      expect(ranges[0]).toMatchObject({ offset: 0, zero: true });
      const reference = JSON.parse(qemuImg(['map', '--output=json', top])) as { start: number; length: number; data: boolean }[];
      const refData = reference.filter((range) => range.data).map((range) => [range.start, range.length]);
      const merged: number[][] = [];
      for (const range of refData) {
        const last = merged[merged.length - 1];
        if (last && last[0]! + last[1]! === range[0]) last[1]! += range[1]!;
        else merged.push([...range] as number[]);
      }
      expect(ranges.filter((range) => !range.zero).map((range) => [range.offset, range.length])).toEqual(merged);
    } finally {
      await disk.close();
    }
    const out = join(dir, 'abs.out.raw');
    await exportDiskImage(top, out);
    expect(readFileSync(out).equals(qemuRawBytes(top, dir))).toBe(true);
    const info = await diskImageInfo(top);
    expect(info.backing).toMatchObject({ path: mid, format: 'qcow2', recordedPath: mid });
    expect(info.chain.map((link) => link.path)).toEqual([top, mid, base]);
  });

  it('reads zeros past the end of a shorter parent', async () => {
    const base = join(dir, 'short-base.raw');
    writeFileSync(base, deterministicBytes(MiB, 4));
    const top = join(dir, 'short-top.qcow2');
    qemuImg(['create', '-f', 'qcow2', '-b', base, '-F', 'raw', top, '3M']);
    const out = join(dir, 'short.out.raw');
    await exportDiskImage(top, out);
    expect(readFileSync(out).equals(qemuRawBytes(top, dir))).toBe(true);
  });

  it('detects the parent format by content when the child records none', async () => {
    const base = join(dir, 'nofmt-base.qcow2');
    const raw = writePatternRaw(join(dir, 'nofmt.raw'), { size: 2 * MiB, seed: 12 });
    qemuImg(['convert', '-f', 'raw', '-O', 'qcow2', raw, base]);
    const top = join(dir, 'nofmt-top.qcow2');
    qemuImg(['create', '-f', 'qcow2', '-b', base, '-F', 'qcow2', top]);
    dropBackingFormat(top);
    const info = await diskImageInfo(top);
    expect(info.backing).toMatchObject({ path: base, format: 'qcow2', formatRecorded: false });
    const out = join(dir, 'nofmt.out.raw');
    await exportDiskImage(top, out);
    expect(readFileSync(out).equals(readFileSync(raw))).toBe(true);
  });

  it('reads a qcow2 overlay over parents of other formats (vmdk, vpc, vdi, vhdx)', async () => {
    const raw = writePatternRaw(join(dir, 'cross.raw'), { size: 2 * MiB, seed: 31 });
    for (const format of ['vmdk', 'vpc', 'vdi', 'vhdx']) {
      const base = join(dir, `cross-base.${format}`);
      qemuImg(['convert', '-f', 'raw', '-O', format, raw, base]);
      const top = join(dir, `cross-top-${format}.qcow2`);
      qemuImg(['create', '-f', 'qcow2', '-b', base, '-F', format, top]);
      qemuIo(top, 'qcow2', 'write -P 0x77 64k 64k');
      const info = await diskImageInfo(top);
      expect(info.chain, format).toEqual([{ path: top, format: 'qcow2' }, { path: base, format }]);
      const out = join(dir, `cross-${format}.out.raw`);
      await exportDiskImage(top, out);
      expect(readFileSync(out).equals(qemuRawBytes(top, dir)), format).toBe(true);
    }
  });

  it('names the exact path it looked for when a parent is missing', async () => {
    const sub = join(dir, 'missing');
    mkdirSync(sub);
    const base = join(sub, 'parent.qcow2');
    qemuImg(['create', '-f', 'qcow2', base, '1M']);
    const top = join(sub, 'child.qcow2');
    qemuImg(['create', '-f', 'qcow2', '-b', 'parent.qcow2', '-F', 'qcow2', top]);
    renameSync(base, join(sub, 'moved.qcow2'));
    const error = await openDiskImage(top).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LabvaultError);
    expect(error).toMatchObject({ code: 'NOT_FOUND', details: { lookedFor: base, child: top } });
    expect((error as Error).message).toContain(base);
    await expect(diskImageInfo(top)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('detects a backing loop a -> b -> a', async () => {
    const a = join(dir, 'loop-a.qcow2');
    const b = join(dir, 'loop-b.qcow2');
    qemuImg(['create', '-f', 'qcow2', a, '1M']);
    qemuImg(['create', '-f', 'qcow2', '-b', a, '-F', 'qcow2', b]);
    qemuImg(['rebase', '-u', '-b', b, '-F', 'qcow2', a]);
    await expect(openDiskImage(b)).rejects.toMatchObject({ code: 'BAD_IMAGE', field: 'backing file' });
    await expect(diskImageInfo(a)).rejects.toMatchObject({ code: 'BAD_IMAGE' });
    const self = join(dir, 'loop-self.qcow2');
    qemuImg(['create', '-f', 'qcow2', self, '1M']);
    qemuImg(['rebase', '-u', '-b', self, '-F', 'qcow2', self]);
    const error = (await openDiskImage(self).catch((caught: unknown) => caught)) as LabvaultError;
    expect(error.message).toContain('loop');
  });

  it('refuses a chain deeper than the limit', async () => {
    let previous = join(dir, 'deep-0.qcow2');
    qemuImg(['create', '-f', 'qcow2', previous, '1M']);
    for (let depth = 1; depth <= 4; depth += 1) {
      const next = join(dir, `deep-${depth}.qcow2`);
      qemuImg(['create', '-f', 'qcow2', '-b', previous, '-F', 'qcow2', next]);
      previous = next;
    }
    await expect(openDiskImage(previous, { maxChainDepth: 4 })).rejects.toMatchObject({ code: 'BAD_IMAGE', details: { maxDepth: 4 } });
    const disk = await openDiskImage(previous, { maxChainDepth: 5 });
    await disk.close();
  });
});
