/**
 * A full vault disk through the CLI: a 24 MiB tmpfs (root only) holds the vault; backing
 * up a file bigger than the space fails with DISK_FULL in the job's error, no point is
 * made, earlier points verify clean and restore bit-exact, and once GC frees the failed
 * backup's leftovers the next backup succeeds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Job, VerifyReport } from '../../../shared/contract/item-models.ts';
import { Lab, MIB, expectSameFile, writeRandomFile } from './vault-engine-kit.ts';

const lab = new Lab('full');
const mountPoint = join(lab.dir, 'small-disk');
let skipReason: string | undefined;

beforeAll(() => {
  mkdirSync(mountPoint);
  if (process.getuid?.() !== 0) {
    skipReason = 'not running as root';
    return;
  }
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mountPoint], { stdio: 'pipe' });
  } catch (error) {
    skipReason = `mount -t tmpfs failed: ${String((error as Error).message).split('\n')[0]}`;
  }
});

afterAll(() => {
  if (!skipReason) execFileSync('umount', [mountPoint], { stdio: 'pipe' });
  lab.remove();
});

describe('full vault disk', () => {
  it('fails with DISK_FULL, keeps earlier points intact, recovers after GC', async (context) => {
    if (skipReason) {
      console.log(`skipping the full-disk test: ${skipReason} (needs root and tmpfs)`);
      context.skip(`${skipReason} (needs root and tmpfs)`);
      return;
    }
    const disk = join(lab.vmDir, 'disk.raw');
    const original = join(lab.dir, 'original.raw');
    await writeRandomFile(disk, 3 * MIB);
    copyFileSync(disk, original);
    await lab.createVault('full', join(mountPoint, 'vault'));
    await lab.protect('full', 'vm-full', [disk]);
    const first = await lab.backup('vm-full');

    await writeRandomFile(disk, 40 * MIB);
    const result = await lab.cli(['backup', 'vm-full', '--json']);
    expect(result.code).toBe(1);
    const failed = result.json<Job>();
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('DISK_FULL');
    expect(failed.error?.message).toMatch(/full/);
    expect(failed.pointId).toBeUndefined();
    expect(result.stderr).toMatch(/DISK_FULL/);

    const points = await lab.points('vm-full');
    expect(points.map((point) => point.id)).toEqual([first.pointId]);
    const verify = await lab.cli(['verify', 'full', '--read-data', '--json']);
    expect(verify.json<VerifyReport>().problems).toEqual([]);
    expect(verify.code).toBe(0);
    // Restore outside the full disk.
    await expectSameFile(join(await lab.restore('vm-full', first.pointId as string), 'disk.raw'), original);

    // GC frees what the failed backup left; a backup that fits then succeeds.
    const gc = await lab.cli(['gc', '--vault', 'full', '--json']);
    expect(gc.code, gc.stderr).toBe(0);
    await writeRandomFile(disk, 4 * MIB);
    const next = await lab.backup('vm-full');
    await expectSameFile(join(await lab.restore('vm-full', next.pointId as string), 'disk.raw'), disk);
  });
});
