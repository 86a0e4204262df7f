/**
 * The test restore's quick look: a point whose disks carry no partition table or filesystem
 * signature (or are not raw) is answered without the guest worker; any signature sends the
 * disk to the worker. Disks here are in-memory block sources, one made with mkfs.ext4.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quickLayout } from '../../../electron/engine/guest/guest-quick-look.ts';
import type { PointDisks } from '../../../electron/engine/guest/point-disks.ts';
import { testRestorePoint } from '../../../electron/engine/guest/guest-test-restore.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { requireTool } from '../../support/required-tools.ts';

const MIB = 1024 * 1024;
const dir = makeTempDir('labvault-quick-look-');
afterAll(() => removeDir(dir));

function disk(bytes: Buffer, name = 'disk.img') {
  return {
    name,
    source: {
      size: bytes.length,
      counters: { chunksRead: 0, zeroChunks: 0 },
      read: async (offset: number, length: number) => Buffer.from(bytes.subarray(offset, offset + length)),
    },
  };
}

function noise(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i += 1) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  // No accidental boot signature.
  out[510] = 0;
  return out;
}

describe('test restore quick look', () => {
  it('answers random bytes and a non-raw disk without the worker: not-readable, with the reasons', async () => {
    const disks: Pick<PointDisks, 'sources' | 'skipped'> = {
      sources: [disk(noise(2 * MIB, 1), 'data.bin'), disk(noise(MIB, 2), 'web.qed')],
      skipped: [{ disk: 1, name: 'web.qed', size: MIB, code: 'UNSUPPORTED', reason: 'web.qed is a QED image: not read.' }],
    };
    const layout = await quickLayout(disks);
    expect(layout?.disks.map((entry) => [entry.table, entry.volumes.map((volume) => volume.filesystem)])).toEqual([['none', ['unknown']], ['unreadable', []]]);
    const outcome = await testRestorePoint({ layout: async () => layout as NonNullable<typeof layout>, check: async () => [] });
    expect(outcome.status).toBe('not-readable');
    expect(outcome.reasons).toEqual([
      'Disk 1 (web.qed): web.qed is a QED image: not read.',
      'Disk 0 (unknown): No known filesystem signature was found.',
    ]);
  });

  it('sends a disk to the worker for an MBR boot signature, a GPT header at the last LBA only, or a filesystem', async () => {
    const mbr = noise(MIB, 3);
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
    expect(await quickLayout({ sources: [disk(mbr)], skipped: [] })).toBeNull();
    const backupGpt = noise(MIB, 4);
    backupGpt.write('EFI PART', MIB - 512, 'latin1');
    expect(await quickLayout({ sources: [disk(backupGpt)], skipped: [] })).toBeNull();
    const gpt4k = noise(MIB, 5);
    gpt4k.write('EFI PART', 4096, 'latin1');
    expect(await quickLayout({ sources: [disk(gpt4k)], skipped: [] })).toBeNull();
  });

  it.skipIf(!requireTool('mkfs.ext4', 'e2fsprogs', ['-V']))('sends an ext4 whole-disk filesystem to the worker', async () => {
    const path = join(dir, 'ext4.img');
    execFileSync('truncate', ['-s', '8M', path]);
    execFileSync('mkfs.ext4', ['-q', '-F', path]);
    expect(await quickLayout({ sources: [disk(readFileSync(path))], skipped: [] })).toBeNull();
  });
});
