/**
 * Files inside disks that are not raw images, read in place from the vault through the
 * disk format readers: an ext4 filesystem (mkfs.ext4 -d from the known tree) converted by
 * qemu-img to qcow2, VDI, VMDK, VHD (vpc) and VHDX, backed up as one VM's disks, then
 * `files parts`, `ls` and `get` compared with the source tree, per format; a qcow2 chain
 * (base + overlay holding a changed tree, made by qemu-img rebase) read as one disk showing
 * the top layer, and VMDK (qemu-io writes into a snapshot), VHD, VDI and VHDX differencing
 * chains likewise; a qcow2 whose L1 table offset points past its end, a typed error for that disk
 * only; a parent named by an image but not in the point, never opened here; the test
 * restore after each backup covering these disks.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, TestRestore } from '../../../shared/contract/item-models.ts';
import { requireTool } from '../../support/required-tools.ts';
import { Lab } from '../vault-engine/vault-engine-kit.ts';
import { MIB, mkfsExt, patchFile, run, sparseFile } from '../../unit/guest/guest-image-kit.ts';
import { comparable, walkTree, writeKnownTree } from '../../unit/guest/guest-tree-kit.ts';
import type { TreeEntry } from '../../unit/guest/guest-tree-kit.ts';
import { buildDifferencingVhd } from '../../unit/disk/vhd-test-images.ts';
import type { SectorWrite } from '../../unit/disk/vhd-test-images.ts';
import { buildTestVhdx } from '../../unit/disk/vhdx-test-images.ts';
import type { TestBlock } from '../../unit/disk/vhdx-test-images.ts';
import { VhdxDisk } from '../../../electron/engine/disk/vhdx/vhdx-disk.ts';

const haveTools = requireTool('mkfs.ext4', 'e2fsprogs', ['-V']) && requireTool('qemu-img', 'qemu-utils');

const STEP_MS = 180_000;
const DISK_BYTES = 64 * MIB;
const FORMATS = [
  { format: 'qcow2', file: 'disk-qcow2.qcow2', args: [] },
  { format: 'vdi', file: 'disk-vdi.vdi', args: [] },
  { format: 'vmdk', file: 'disk-vmdk.vmdk', args: [] },
  // force_size keeps the virtual size (vpc otherwise rounds it to a CHS geometry).
  { format: 'vpc', file: 'disk-vpc.vhd', args: ['-o', 'force_size=on'] },
  { format: 'vhdx', file: 'disk-vhdx.vhdx', args: [] },
] as const;

const lab = new Lab('guest-formats');
afterAll(() => lab.remove());

interface Parts {
  disks: {
    disk: number; name: string; table: string; volumes: { id: string; filesystem: string; readable: boolean; label?: string }[];
    error?: { code: string; message: string }; image?: { format: string; files: string[] };
  }[];
  chunksRead: number;
}
interface Entry { name: string; type: string; size: number }

function testStep(job: Job) {
  return job.subtasks.find((subtask) => subtask.name === 'Test restore');
}

/** An ext4 image of `tree` as a raw file. */
function ext4Image(path: string, tree: string, label: string): void {
  sparseFile(path, DISK_BYTES);
  mkfsExt('ext4', path, 0, DISK_BYTES, { tree, label });
}

/** The 64 KiB regions where `after` differs from `before`, as writes that turn one into the other. */
function differences(before: string, after: string): SectorWrite[] {
  const old = readFileSync(before);
  const now = readFileSync(after);
  const region = 64 * 1024;
  const writes: SectorWrite[] = [];
  for (let at = 0; at < now.length; at += region) {
    const piece = now.subarray(at, at + region);
    if (!piece.equals(old.subarray(at, at + region))) writes.push({ offset: at, data: Buffer.from(piece) });
  }
  return writes;
}

/** Makes the VDI at `child` a differencing image of `base` (qemu-img cannot make one): linked by the base's UUIDs. */
function linkVdiChild(child: string, base: string): void {
  const baseHead = readFileSync(base).subarray(0, 512);
  const bytes = readFileSync(child);
  bytes.writeUInt32LE(4, 0x4c);
  baseHead.copy(bytes, 0x1a8, 0x188, 0x198);
  baseHead.copy(bytes, 0x1b8, 0x198, 0x1a8);
  writeFileSync(child, bytes);
}

/** Writes `writes` into the image at `path` with qemu-io (through its backing chain, like a guest would). */
function qemuIoWrites(path: string, format: string, writes: SectorWrite[], scratch: string): void {
  const commands: string[] = [];
  writes.forEach((write, index) => {
    const file = join(scratch, `region-${index}.bin`);
    writeFileSync(file, write.data);
    commands.push('-c', `write -q -s ${file} ${write.offset} ${write.data.length}`);
  });
  for (let at = 0; at < commands.length; at += 200) run('qemu-io', ['-f', format, ...commands.slice(at, at + 200), path]);
}

describe.skipIf(!haveTools)('labvault files over qcow2, VDI, VMDK, VHD and VHDX disks', () => {
  const tree = join(lab.dir, 'tree');
  const tree2 = join(lab.dir, 'tree2');
  const raw = join(lab.dir, 'ext4.raw');
  const raw2 = join(lab.dir, 'ext4-v2.raw');
  let expected: TreeEntry[] = [];
  let formatsPoint = '';
  let formatsJob: Job;

  beforeAll(async () => {
    writeKnownTree(tree, { manyFiles: 30 });
    ext4Image(raw, tree, 'root');
    for (const entry of FORMATS) run('qemu-img', ['convert', '-O', entry.format, ...entry.args, raw, join(lab.vmDir, entry.file)]);
    await lab.createVault('formats');
    await lab.protect('formats', 'vm-formats', FORMATS.map((entry) => join(lab.vmDir, entry.file)));
    formatsJob = await lab.backup('vm-formats');
    formatsPoint = (await lab.points('vm-formats'))[0]?.id as string;
    expected = comparable(walkTree(tree));
    // The second version, for the chains: one file changed, one added.
    mkdirSync(tree2);
    cpSync(tree, tree2, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    writeFileSync(join(tree2, 'etc', 'hosts'), '10.1.2.3 changed-in-the-overlay\n');
    writeFileSync(join(tree2, 'etc', 'added.conf'), 'only in the top layer\n');
    ext4Image(raw2, tree2, 'root');
  }, STEP_MS);

  it('lists each disk with its image format and its ext4 volume, reading only a few chunks', async () => {
    const parts = await lab.cliJson<Parts>(['files', 'parts', 'vm-formats', '--point', formatsPoint, '--json']);
    expect(parts.disks.map((disk) => [disk.name, disk.image?.format, disk.table, disk.error]))
      .toEqual(FORMATS.map((entry) => [entry.file, entry.format, 'none', undefined]));
    for (const disk of parts.disks) {
      expect(disk.volumes.map((volume) => [volume.id, volume.filesystem, volume.label, volume.readable]), disk.name)
        .toEqual([['disk', 'ext4', 'root', true]]);
    }
    // Headers, tables and superblocks of five disks: nowhere near every chunk of the images.
    expect(parts.chunksRead).toBeLessThan(60);
  }, STEP_MS);

  it('lists folders and gets every file with the source tree\'s content, per format', async () => {
    for (const [index, entry] of FORMATS.entries()) {
      const listed = await lab.cliJson<Entry[]>(['files', 'ls', 'vm-formats', '--point', formatsPoint, '--disk', String(index), '/etc', '--json']);
      expect(listed.map((item) => [item.name, item.type]), entry.format)
        .toEqual(expected.filter((item) => /^\/etc\/[^/]+$/.test(item.path)).map((item) => [item.path.slice(5), item.type]));
      const out = join(lab.dir, `out-${entry.format}`);
      const get = await lab.cli(['files', 'get', 'vm-formats', '--point', formatsPoint, '--disk', String(index),
        '/etc', '/home', '/var', '/empty', '--to', out, '--json']);
      expect(get.code, `${entry.format}: ${get.stderr}`).toBe(0);
      expect(comparable(walkTree(out)), entry.format).toEqual(expected);
      rmSync(out, { recursive: true, force: true });
    }
  }, STEP_MS);

  it('the test restore after the backup checks every disk\'s filesystem', async () => {
    expect(testStep(formatsJob)).toMatchObject({ status: 'completed', message: expect.stringMatching(/^Verified: 5 filesystems read clean/) });
    const [point] = await lab.points('vm-formats');
    expect(point?.testRestore?.status).toBe('verified');
    expect(point?.testRestore?.volumes.map((volume) => [volume.disk, volume.filesystem, volume.status]))
      .toEqual(FORMATS.map((_, index) => [index, 'ext4', 'verified']));
  }, STEP_MS);

  it('reads a qcow2 chain as one disk showing its top layer', async () => {
    const base = join(lab.vmDir, 'base.qcow2');
    const top = join(lab.vmDir, 'top.qcow2');
    run('qemu-img', ['convert', '-O', 'qcow2', raw, base]);
    // The overlay first over the new content, then safely rebased onto the old base: it holds the clusters that differ.
    run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', raw2, '-F', 'raw', top]);
    run('qemu-img', ['rebase', '-q', '-b', 'base.qcow2', '-F', 'qcow2', top]);
    await lab.protect('formats', 'vm-chain', [top]);
    const job = await lab.backup('vm-chain');
    expect(testStep(job)?.message).toMatch(/^Verified: 1 filesystem read clean/);
    const point = (await lab.points('vm-chain'))[0]?.id as string;

    const parts = await lab.cliJson<Parts>(['files', 'parts', 'vm-chain', '--point', point, '--json']);
    expect(parts.disks.map((disk) => [disk.name, disk.image, disk.volumes.map((volume) => volume.filesystem)]))
      .toEqual([['top.qcow2', { format: 'qcow2', files: ['top.qcow2', 'base.qcow2'] }, ['ext4']]]);
    const text = await lab.cli(['files', 'parts', 'vm-chain', '--point', point]);
    expect(text.stdout).toMatch(/^0 +qcow2 \(2 files\) +disk +none +ext4 +root /m);
    const listed = await lab.cliJson<Entry[]>(['files', 'ls', 'vm-chain', '--point', point, '/etc', '--json']);
    expect(listed.map((entry) => entry.name)).toContain('added.conf');
    const out = join(lab.dir, 'out-chain');
    const get = await lab.cli(['files', 'get', 'vm-chain', '--point', point, '/etc', '/home', '/var', '/empty', '--to', out]);
    expect(get.code, get.stderr).toBe(0);
    expect(comparable(walkTree(out))).toEqual(comparable(walkTree(tree2)));
    expect(readFileSync(join(out, 'etc', 'hosts'), 'utf8')).toBe('10.1.2.3 changed-in-the-overlay\n');
  }, STEP_MS);

  it('reads VMDK, VHD, VDI and VHDX differencing chains as one disk each, showing the top layer', async () => {
    const writes = differences(raw, raw2);
    expect(writes.length).toBeGreaterThan(0);
    // VMDK: a snapshot made by qemu-img, the changes written into it by qemu-io.
    run('qemu-img', ['convert', '-O', 'vmdk', raw, join(lab.vmDir, 'chain-base.vmdk')]);
    const vmdkTop = join(lab.vmDir, 'chain-top.vmdk');
    run('qemu-img', ['create', '-q', '-f', 'vmdk', '-b', 'chain-base.vmdk', '-F', 'vmdk', vmdkTop]);
    const scratch = join(lab.dir, 'regions');
    mkdirSync(scratch);
    qemuIoWrites(vmdkTop, 'vmdk', writes, scratch);
    // VHD: a dynamic base by qemu-img, a differencing child built by hand (qemu-img cannot make one).
    const vhdBase = join(lab.vmDir, 'chain-base.vhd');
    run('qemu-img', ['convert', '-O', 'vpc', '-o', 'force_size=on', raw, vhdBase]);
    const vhdTop = join(lab.vmDir, 'chain-top.vhd');
    buildDifferencingVhd(vhdTop, { virtualSize: DISK_BYTES, parentPath: vhdBase, parentUniqueId: readFileSync(vhdBase).subarray(68, 84), writes });
    // VDI: a child in Snapshots/ made differencing by its header (VirtualBox links them by the base's UUID only).
    const vdiBase = join(lab.vmDir, 'chain-base.vdi');
    run('qemu-img', ['convert', '-O', 'vdi', raw, vdiBase]);
    mkdirSync(join(lab.vmDir, 'Snapshots'));
    const vdiTop = join(lab.vmDir, 'Snapshots', '{chain-top}.vdi');
    run('qemu-img', ['convert', '-O', 'vdi', raw2, vdiTop]);
    linkVdiChild(vdiTop, vdiBase);
    // VHDX: a dynamic base by qemu-img, a differencing child from the spec (qemu-img cannot make one) with the changed blocks.
    const vhdxBase = join(lab.vmDir, 'chain-base.vhdx');
    run('qemu-img', ['convert', '-O', 'vhdx', '-o', 'block_size=1M', raw, vhdxBase]);
    const opened = await VhdxDisk.open(vhdxBase);
    const linkage = `{${opened.dataWriteGuid}}`;
    await opened.close();
    const blocks = new Map<number, TestBlock>();
    const newBytes = readFileSync(raw2);
    for (const write of writes) {
      const block = Math.floor(write.offset / MIB);
      blocks.set(block, { kind: 'full', data: newBytes.subarray(block * MIB, (block + 1) * MIB) });
    }
    const vhdxTop = join(lab.vmDir, 'chain-top.vhdx');
    writeFileSync(vhdxTop, buildTestVhdx({ virtualSize: DISK_BYTES, blockSize: MIB, blocks,
      parent: { locator: { parent_linkage: linkage, relative_path: '.\\chain-base.vhdx', absolute_win32_path: 'C:\\vms\\chain-base.vhdx' } } }));

    await lab.protect('formats', 'vm-chains', [vmdkTop, vhdTop, vdiTop, vhdxTop]);
    const job = await lab.backup('vm-chains');
    expect(testStep(job)?.message).toMatch(/^Verified: 4 filesystems read clean/);
    const point = (await lab.points('vm-chains'))[0]?.id as string;
    const parts = await lab.cliJson<Parts>(['files', 'parts', 'vm-chains', '--point', point, '--json']);
    expect(parts.disks.map((disk) => [disk.image, disk.volumes.map((volume) => volume.filesystem)])).toEqual([
      [{ format: 'vmdk', files: ['chain-top.vmdk', 'chain-base.vmdk'] }, ['ext4']],
      [{ format: 'vpc', files: ['chain-top.vhd', 'chain-base.vhd'] }, ['ext4']],
      [{ format: 'vdi', files: ['_chain-top_.vdi', 'chain-base.vdi'] }, ['ext4']],
      [{ format: 'vhdx', files: ['chain-top.vhdx', 'chain-base.vhdx'] }, ['ext4']],
    ]);
    for (const disk of [0, 1, 2, 3]) {
      const out = join(lab.dir, `out-chain-${disk}`);
      const get = await lab.cli(['files', 'get', 'vm-chains', '--point', point, '--disk', String(disk), '/etc', '/home', '/var', '/empty', '--to', out]);
      expect(get.code, get.stderr).toBe(0);
      expect(comparable(walkTree(out)), `disk ${disk}`).toEqual(comparable(walkTree(tree2)));
    }
  }, STEP_MS);

  it('finds a differencing VDI\'s parent anywhere in the point (VirtualBox 2.x: HardDisks/ and Machines/ far apart)', async () => {
    const base = join(lab.vmDir, 'vbox2', 'HardDisks', 'old-base.vdi');
    const child = join(lab.vmDir, 'vbox2', 'Machines', 'old', 'Snapshots', 'old-snap.vdi');
    mkdirSync(join(base, '..'), { recursive: true });
    mkdirSync(join(child, '..'), { recursive: true });
    run('qemu-img', ['convert', '-O', 'vdi', raw, base]);
    run('qemu-img', ['convert', '-O', 'vdi', raw2, child]);
    // Protected as two plain disks (protect looks for a VDI parent near the child only), linked afterwards.
    await lab.protect('formats', 'vm-vbox2', [base, child]);
    linkVdiChild(child, base);
    await lab.backup('vm-vbox2');
    const point = (await lab.points('vm-vbox2'))[0]?.id as string;
    const parts = await lab.cliJson<Parts>(['files', 'parts', 'vm-vbox2', '--point', point, '--json']);
    expect(parts.disks.map((disk) => disk.image)).toEqual([{ format: 'vdi', files: ['old-snap.vdi', 'old-base.vdi'] }]);
    const listed = await lab.cliJson<Entry[]>(['files', 'ls', 'vm-vbox2', '--point', point, '/etc', '--json']);
    expect(listed.map((entry) => entry.name)).toContain('added.conf');
  }, STEP_MS);

  it('a damaged qcow2 ends in a typed error for that disk, the other disks still read', async () => {
    const good = join(lab.vmDir, 'good.qcow2');
    const bad = join(lab.vmDir, 'bad.qcow2');
    run('qemu-img', ['convert', '-O', 'qcow2', raw, good]);
    run('qemu-img', ['convert', '-O', 'qcow2', raw, bad]);
    await lab.protect('formats', 'vm-damaged', [good, bad]);
    // The L1 table offset (header offset 40, u64 big-endian) now points 1 TiB in, past the end of the file.
    const offset = Buffer.alloc(8);
    offset.writeBigUInt64BE(1n << 40n);
    patchFile(bad, 40, offset);
    const job = await lab.backup('vm-damaged');
    expect(testStep(job)?.message).toMatch(/^Failed: Disk 1 \(bad\.qcow2\): its disk image cannot be read: .*L1 table/);
    const point = (await lab.points('vm-damaged'))[0]?.id as string;

    const parts = await lab.cliJson<Parts>(['files', 'parts', 'vm-damaged', '--point', point, '--json']);
    expect(parts.disks[0]).toMatchObject({ name: 'good.qcow2', image: { format: 'qcow2' }, volumes: [{ filesystem: 'ext4', readable: true }] });
    expect(parts.disks[1]).toMatchObject({ name: 'bad.qcow2', table: 'unreadable', volumes: [], error: { code: 'BAD_IMAGE' } });
    expect(parts.disks[1]?.error?.message).toMatch(/L1 table.*past the end of the file/);

    const listed = await lab.cliJson<Entry[]>(['files', 'ls', 'vm-damaged', '--point', point, '/etc', '--json']);
    expect(listed.map((entry) => entry.name)).toContain('hosts');
    const refused = await lab.cli(['files', 'ls', 'vm-damaged', '--point', point, '--disk', '1', '/']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/No readable filesystem/);
    const verify = await lab.cli(['verify', 'vm-damaged', '--point', point, '--guest', '--json']);
    expect(verify.code).toBe(3);
    expect(verify.json<TestRestore>().reasons[0]).toMatch(/bad\.qcow2.*its disk image cannot be read/);
  }, STEP_MS);

  it('a parent named by an image is looked for among the point\'s files only, never on this machine', async () => {
    const base = join(lab.vmDir, 'solo-base.qcow2');
    const top = join(lab.vmDir, 'solo-top.qcow2');
    run('qemu-img', ['convert', '-O', 'qcow2', raw, base]);
    run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', 'solo-base.qcow2', '-F', 'qcow2', top]);
    await lab.protect('formats', 'vm-outside', [top]);
    // The top now names a parent of the same name length that exists here, beside it, but is not in the point.
    cpSync(base, join(lab.vmDir, 'evil-base.qcow2'));
    const header = readFileSync(top);
    const nameAt = Number(header.readBigUInt64BE(8));
    expect(header.toString('latin1', nameAt, nameAt + header.readUInt32BE(16))).toBe('solo-base.qcow2');
    patchFile(top, nameAt, Buffer.from('evil-base.qcow2', 'latin1'));
    await lab.backup('vm-outside');
    const point = (await lab.points('vm-outside'))[0]?.id as string;
    const parts = await lab.cliJson<Parts>(['files', 'parts', 'vm-outside', '--point', point, '--json']);
    const topDisk = parts.disks.find((disk) => disk.name === 'solo-top.qcow2');
    expect(topDisk?.error?.code).toBe('NOT_FOUND');
    expect(topDisk?.error?.message).toMatch(/needs its parent .*evil-base\.qcow2, which does not exist/);
    // The base the top no longer names is a disk of its own again.
    expect(parts.disks.find((disk) => disk.name === 'solo-base.qcow2')?.volumes.map((volume) => volume.filesystem)).toEqual(['ext4']);
  }, STEP_MS);
});
