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
import type { PointFiles } from '../../../electron/engine/guest/point-files.ts';
import { testRestorePoint } from '../../../electron/engine/guest/guest-test-restore.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { requireTool } from '../../support/required-tools.ts';

const MIB = 1024 * 1024;
const dir = makeTempDir('labvault-quick-look-');
afterAll(() => removeDir(dir));

/** A point of disk files held in memory (role `disk`, or another role). */
function point(...disks: { bytes: Buffer; name?: string; role?: string }[]): Pick<PointFiles, 'files' | 'sources'> {
  return {
    files: disks.map(({ bytes, name = 'disk.img', role = 'disk' }) => ({ name, path: `/vm/${name}`, size: bytes.length, role })),
    sources: disks.map(({ bytes }) => ({
      size: bytes.length,
      read: async (offset: number, length: number) => Buffer.from(bytes.subarray(offset, offset + length)),
      readInto: async (out: Buffer, outOffset: number, offset: number, length: number) => {
        bytes.copy(out, outOffset, offset, offset + length);
      },
    })),
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
  it('answers random bytes without the worker: not-readable, with the reason; files that are not disks are not looked at', async () => {
    const layout = await quickLayout(point({ bytes: noise(2 * MIB, 1), name: 'data.bin' }, { bytes: noise(4096, 2), name: 'vm.conf', role: 'config' }));
    expect(layout?.disks.map((entry) => [entry.name, entry.table, entry.volumes.map((volume) => volume.filesystem)])).toEqual([['data.bin', 'none', ['unknown']]]);
    const outcome = await testRestorePoint({ layout: async () => layout as NonNullable<typeof layout>, check: async () => [] });
    expect(outcome.status).toBe('not-readable');
    expect(outcome.reasons).toEqual(['Disk 0 (unknown): No known filesystem signature was found.']);
  });

  it('sends a point to the worker when a disk is an image format (its content is inside the image)', async () => {
    const qcow2 = noise(MIB, 6);
    qcow2.write('QFI\u00fb', 0, 'latin1');
    expect(await quickLayout(point({ bytes: noise(MIB, 7) }, { bytes: qcow2, name: 'web.qcow2' }))).toBeNull();
    const qed = noise(MIB, 8);
    qed.write('QED\0', 0, 'latin1');
    expect(await quickLayout(point({ bytes: qed, name: 'web.qed' }))).toBeNull();
  });

  it('sends a disk to the worker for an MBR boot signature, a GPT header at the last LBA only, or a filesystem', async () => {
    const mbr = noise(MIB, 3);
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
    expect(await quickLayout(point({ bytes: mbr }))).toBeNull();
    const backupGpt = noise(MIB, 4);
    backupGpt.write('EFI PART', MIB - 512, 'latin1');
    expect(await quickLayout(point({ bytes: backupGpt }))).toBeNull();
    const gpt4k = noise(MIB, 5);
    gpt4k.write('EFI PART', 4096, 'latin1');
    expect(await quickLayout(point({ bytes: gpt4k }))).toBeNull();
  });

  it.skipIf(!requireTool('mkfs.ext4', 'e2fsprogs', ['-V']))('sends an ext4 whole-disk filesystem to the worker', async () => {
    const path = join(dir, 'ext4.img');
    execFileSync('truncate', ['-s', '8M', path]);
    execFileSync('mkfs.ext4', ['-q', '-F', path]);
    expect(await quickLayout(point({ bytes: readFileSync(path) }))).toBeNull();
  });
});
