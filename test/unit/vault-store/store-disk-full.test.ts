/**
 * A full vault disk: a small tmpfs (root only) holds the vault; backing up a file bigger
 * than it fails with DISK_FULL and leaves earlier points intact.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { deterministicBytes, makeTempDir } from '../../support/disk-fixtures.ts';
import { VaultStore } from '../../../electron/engine/vault/store/index.ts';
import { backupPoint, restoreAndCompare, testSettings } from './store-test-kit.ts';

function mountTmpfs(dir: string): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `mount failed: ${String((error as Error).message).split('\n')[0]}`;
  }
}

describe('full vault disk', () => {
  it('reports DISK_FULL and keeps previous points intact', async (context) => {
    const dir = makeTempDir('labvault-full-');
    const mountPoint = join(dir, 'small');
    mkdirSync(mountPoint);
    const reason = mountTmpfs(mountPoint);
    if (reason !== undefined) {
      console.log(`skipping the full-disk test: ${reason} (needs root and tmpfs)`);
      rmSync(dir, { recursive: true, force: true });
      context.skip(`${reason} (needs root and tmpfs)`);
      return;
    }
    try {
      const store = await VaultStore.create(join(mountPoint, 'vault'), testSettings(), undefined, { log: () => undefined });
      const small = join(dir, 'small.bin');
      writeFileSync(small, deterministicBytes(2 * 1024 * 1024, 1));
      await backupPoint(store, 'vm1', 'p1', [small]);
      const big = join(dir, 'big.bin');
      writeFileSync(big, deterministicBytes(24 * 1024 * 1024, 2));
      const error = await backupPoint(store, 'vm1', 'p2', [big]).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'DISK_FULL' });
      expect(String((error as Error).message)).toMatch(/disk is full/);
      expect((await store.listManifests()).map((m) => m.pointId)).toEqual(['p1']);
      expect((await store.verify({ readData: true })).ok).toBe(true);
      await restoreAndCompare(store, 'vm1', 'p1', dir, { 'small.bin': small });
      await store.gc();
      await backupPoint(store, 'vm1', 'p3', [small]);
    } finally {
      execFileSync('umount', [mountPoint]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
