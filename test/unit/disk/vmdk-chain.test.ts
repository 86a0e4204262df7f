import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from '../../support/required-tools.ts';
import { requireQemuImg, makeTempDir, qemuImg, qemuInfo, qemuRawBytes, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { checkDiskImage, diskImageInfo, openDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { expectMapConsistent, expectRandomReadsMatch, openAndRead } from './image-read-back.ts';


function qemuIo(image: string, command: string): void {
  execFileSync('qemu-io', ['-f', 'vmdk', '-c', command, image], { stdio: 'ignore' });
}

/** Replaces the parent's CID in its embedded descriptor (same length: qemu writes %x, 1-8 digits). */
function changeCid(path: string): void {
  const bytes = readFileSync(path);
  const text = bytes.subarray(512, 512 * 21).toString('latin1');
  const match = /\nCID=([0-9a-f]{1,8})\n/.exec(text);
  if (!match) throw new Error('no CID line');
  const old = match[1]!;
  const replacement = old.split('').map((digit) => (digit === 'a' ? 'b' : 'a')).join('');
  bytes.write(replacement, 512 + match.index + 5, 'latin1');
  writeFileSync(path, bytes);
}

describe.skipIf(!requireQemuImg() || !requireTool('qemu-io', 'qemu-utils'))('VMDK snapshot chains', () => {
  let dir: string;
  let base: string;
  let child: string;
  let grandchild: string;
  beforeAll(() => {
    dir = makeTempDir('labvault-vmdk-chain-');
    const raw = writePatternRaw(join(dir, 'base.raw'), { size: 4 * 1024 * 1024, seed: 11, region: 40 * 1024 });
    base = join(dir, 'base.vmdk');
    qemuImg(['convert', '-O', 'vmdk', raw, base]);
    child = join(dir, 'child.vmdk');
    qemuImg(['create', '-q', '-f', 'vmdk', '-b', 'base.vmdk', '-F', 'vmdk', child]);
    qemuIo(child, 'write -P 0x55 100k 70k');
    qemuIo(child, 'write -P 0x66 2M 1M');
    qemuIo(child, 'write -z 3M 128k');
    grandchild = join(dir, 'grandchild.vmdk');
    qemuImg(['create', '-q', '-f', 'vmdk', '-b', 'child.vmdk', '-F', 'vmdk', grandchild]);
    qemuIo(grandchild, 'write -P 0x77 1000k 10k');
  });
  afterAll(() => removeDir(dir));

  it('reads a three-level chain like qemu-img convert, with backing and chain in info', async () => {
    for (const image of [child, grandchild]) {
      const reference = qemuRawBytes(image, dir);
      const { bytes, map } = await openAndRead(image);
      expect(bytes.equals(reference)).toBe(true);
      expectMapConsistent(map, bytes);
    }
    const info = await diskImageInfo(grandchild);
    const qemu = qemuInfo(grandchild);
    expect(info.backing?.path).toBe(join(dir, 'child.vmdk'));
    expect(info.backing?.path).toBe(qemu['full-backing-filename']);
    expect(info.backing?.recordedPath).toBe(qemu['backing-filename']);
    expect(info.backing?.format).toBe('vmdk');
    expect(info.chain.map((link) => link.path)).toEqual([grandchild, child, base]);
    expect(info.virtualSize).toBe(qemu['virtual-size']);
    expect(info.allocatedBytes).toBe(64 * 1024);
    expect((await checkDiskImage(grandchild)).clean).toBe(true);
  });

  it('random reads across grains and layers match qemu-img', async () => {
    const reference = qemuRawBytes(grandchild, dir);
    const disk = await openDiskImage(grandchild);
    try {
      await expectRandomReadsMatch(disk, reference, 300, 7);
    } finally {
      await disk.close();
    }
  });

  it('zero grains (GTE 1) mask the parent; a parent hint with ".." resolves from the child\'s folder', async () => {
    const sub = join(dir, 'zeroed', 'snapshots');
    mkdirSync(sub, { recursive: true });
    copyFileSync(base, join(dir, 'zeroed', 'base.vmdk'));
    const zeroed = join(sub, 'child.vmdk');
    qemuImg(['create', '-q', '-f', 'vmdk', '-o', 'zeroed_grain=on', '-b', '../base.vmdk', '-F', 'vmdk', zeroed]);
    qemuIo(zeroed, 'write -z 0 128k');
    qemuIo(zeroed, 'write -P 0x11 192k 64k');
    const { bytes, map } = await openAndRead(zeroed);
    expect(bytes.equals(qemuRawBytes(zeroed, dir))).toBe(true);
    expect(bytes.subarray(0, 131072).every((byte) => byte === 0)).toBe(true);
    expect(map[0]).toEqual({ offset: 0, length: 131072, zero: true });
    const info = await diskImageInfo(zeroed);
    expect(info.backing).toMatchObject({ path: join(dir, 'zeroed', 'base.vmdk'), recordedPath: '../base.vmdk' });
    expect(info.allocatedBytes).toBe(65536);
  });

  it('a parentCID mismatch opens, reads own grains, fails reads through the parent, and is a check warning', async () => {
    const sub = join(dir, 'mismatch');
    mkdirSync(sub);
    copyFileSync(base, join(sub, 'base.vmdk'));
    copyFileSync(child, join(sub, 'child.vmdk'));
    changeCid(join(sub, 'base.vmdk'));
    const disk = await openDiskImage(join(sub, 'child.vmdk'));
    try {
      const own = Buffer.alloc(65536);
      await disk.read(own, 2 * 1024 * 1024, own.length);
      expect(own.every((byte) => byte === 0x66)).toBe(true);
      await expect(disk.read(Buffer.alloc(4096), 0, 4096)).rejects.toMatchObject({ code: 'BAD_IMAGE', field: 'vmdk.descriptor.parentCID' });
    } finally {
      await disk.close();
    }
    expect(() => qemuImg(['convert', '-O', 'raw', join(sub, 'child.vmdk'), join(sub, 'out.raw')])).toThrow();
    const check = await checkDiskImage(join(sub, 'child.vmdk'));
    expect(check.clean).toBe(true);
    expect(check.findings.map((finding) => finding.kind)).toEqual(['parent-cid-mismatch']);
  });

  it('a missing parent is NOT_FOUND naming the file looked for; check warns', async () => {
    const sub = join(dir, 'orphan');
    mkdirSync(sub);
    copyFileSync(child, join(sub, 'child.vmdk'));
    await expect(openDiskImage(join(sub, 'child.vmdk'))).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(join(sub, 'base.vmdk')) });
    const check = await checkDiskImage(join(sub, 'child.vmdk'));
    expect(check.findings.map((finding) => finding.kind)).toContain('missing-parent');
  });

  it('a chain loop is refused with BAD_IMAGE', async () => {
    const sub = join(dir, 'loop');
    mkdirSync(sub);
    copyFileSync(child, join(sub, 'base.vmdk'));
    // base.vmdk now names itself as parent (parentFileNameHint="base.vmdk").
    await expect(openDiskImage(join(sub, 'base.vmdk'))).rejects.toMatchObject({ code: 'BAD_IMAGE' });
  });
});
