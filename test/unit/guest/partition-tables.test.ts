import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSource } from '../../../electron/engine/guest/block-source-views.ts';
import { readPartitionTable } from '../../../electron/engine/guest/partition-table.ts';
import { scanDisks } from '../../../electron/engine/guest/disk-volumes.ts';
import { requireTool } from '../../support/required-tools.ts';
import { copyInto, MIB, mkfsExt, patchFile, run, sfdisk, sparseFile } from './guest-image-kit.ts';

const haveTools = requireTool('sfdisk', 'fdisk') && requireTool('mkfs.ext4', 'e2fsprogs', ['-V']) && requireTool('mkfs.vfat', 'dosfstools', ['--help']);
const dir = mkdtempSync(join(tmpdir(), 'labvault-parts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tableOf(path: string) {
  const source = await fileSource(path);
  try {
    return await readPartitionTable(source);
  } finally {
    await source.close();
  }
}

describe.skipIf(!haveTools)('partition tables from sfdisk', () => {
  it('reads a GPT with names and types, and falls back to the backup header when the primary is damaged', async () => {
    const path = join(dir, 'gpt.img');
    sparseFile(path, 64 * MIB);
    sfdisk(path, 'label: gpt\nstart=2048, size=20480, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI system"\n'
      + 'start=22528, size=40960, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="root"\n');
    const table = await tableOf(path);
    expect(table.kind).toBe('gpt');
    expect(table.partitions).toEqual([
      { id: '1', offset: 2048 * 512, size: 20480 * 512, typeCode: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b', name: 'EFI system' },
      { id: '2', offset: 22528 * 512, size: 40960 * 512, typeCode: '0fc63daf-8483-4772-8e79-3d69d8477de4', name: 'root' },
    ]);
    expect(table.warnings).toEqual([]);
    patchFile(path, 512 + 40, Buffer.from([0xff, 0xff]));
    const fallback = await tableOf(path);
    expect(fallback.partitions).toEqual(table.partitions);
    expect(fallback.warnings[0]).toMatch(/primary GPT header is damaged \(header CRC32 does not match\); the backup header/);
    patchFile(path, 64 * MIB - 512 + 40, Buffer.from([0xff, 0xff]));
    await expect(tableOf(path)).rejects.toMatchObject({ code: 'GUEST_UNREADABLE', message: /GPT partition table/ });
  });

  it('reads an MBR with an extended partition and its logical partitions numbered from 5', async () => {
    const path = join(dir, 'mbr.img');
    sparseFile(path, 64 * MIB);
    sfdisk(path, 'label: dos\nstart=2048, size=8192, type=83\nstart=10240, size=40960, type=5\n'
      + 'start=12288, size=8192, type=83\nstart=22528, size=8192, type=82\nstart=32768, size=8192, type=c\n');
    const table = await tableOf(path);
    expect(table.kind).toBe('mbr');
    expect(table.partitions.map((part) => [part.id, part.offset / 512, part.size / 512, part.typeCode])).toEqual([
      ['1', 2048, 8192, '0x83'], ['5', 12288, 8192, '0x83'], ['6', 22528, 8192, '0x82'], ['7', 32768, 8192, '0x0c'],
    ]);
  });

  it('refuses an EBR chain that loops back on itself', async () => {
    const path = join(dir, 'loop.img');
    sparseFile(path, 64 * MIB);
    sfdisk(path, 'label: dos\nstart=10240, size=40960, type=5\nstart=12288, size=8192, type=83\nstart=22528, size=8192, type=83\n');
    // The second EBR's "next" entry is pointed back at the second EBR itself.
    const firstEbr = readFileSync(path).subarray(10240 * 512, 10241 * 512);
    const secondEbr = 10240 + firstEbr.readUInt32LE(446 + 16 + 8);
    const next = Buffer.alloc(16);
    next[4] = 0x05;
    next.writeUInt32LE(secondEbr - 10240, 8);
    next.writeUInt32LE(16384, 12);
    patchFile(path, secondEbr * 512 + 446 + 16, next);
    await expect(tableOf(path)).rejects.toMatchObject({ code: 'GUEST_UNREADABLE', message: /visited twice/ });
  });

  it('finds a filesystem on the whole disk (no table) and names what each partition holds', async () => {
    const whole = join(dir, 'whole.img');
    sparseFile(whole, 32 * MIB);
    mkfsExt('ext4', whole, 0, 32 * MIB, { label: 'wholedisk' });
    const gpt = join(dir, 'mixed.img');
    sparseFile(gpt, 96 * MIB);
    sfdisk(gpt, 'label: gpt\nstart=2048, size=32768, type=uefi\nstart=34816, size=32768\nstart=67584, size=8192, type=swap\n'
      + 'start=75776, size=8192\n');
    run('mkfs.vfat', ['-F', '16', '-n', 'EFISYS', '--offset', '2048', gpt, String(16384)]);
    mkfsExt('ext3', gpt, 34816 * 512, 32768 * 512, { label: 'boot' });
    const swap = join(dir, 'swap.img');
    sparseFile(swap, 8192 * 512);
    run('mkswap', [swap]);
    copyInto(swap, gpt, 67584 * 512);
    patchFile(gpt, 75776 * 512 + 3, Buffer.from('-FVE-FS-', 'latin1'));
    const sources = [await fileSource(whole), await fileSource(gpt)];
    try {
      const layout = await scanDisks(sources.map((source, index) => ({ source, name: `disk ${index}` })));
      expect(layout.disks[0]).toMatchObject({ table: 'none', volumes: [{ id: 'disk', kind: 'whole-disk', filesystem: 'ext4', label: 'wholedisk', readable: true }] });
      const volumes = layout.disks[1]?.volumes ?? [];
      expect(volumes.map((volume) => [volume.id, volume.filesystem, volume.label ?? null, volume.readable])).toEqual([
        ['1', 'vfat', 'EFISYS', expect.any(Boolean)], ['2', 'ext3', 'boot', true], ['3', 'swap', null, false], ['4', 'bitlocker', null, false],
      ]);
      expect(volumes[3]?.reason).toMatch(/BitLocker/);
    } finally {
      for (const source of sources) await source.close();
    }
  });
});
