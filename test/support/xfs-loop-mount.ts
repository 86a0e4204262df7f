/**
 * A loop-mounted XFS with reflink for the tests of instant-restore clones: mounted in
 * beforeAll, unmounted in afterAll. Where it cannot be made (not root, no loop devices, no
 * mkfs.xfs) `skipReason` says why, and the test skips with that reason.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export interface XfsLoopMount {
  readonly mountPoint: string;
  /** Why the filesystem could not be made, or undefined when it is mounted. */
  skipReason(): string | undefined;
}

export function useXfsLoopMount(parentDir: string, options: { afterUnmount?: () => void } = {}): XfsLoopMount {
  const mountPoint = join(parentDir, 'xfs');
  let reason: string | undefined;
  beforeAll(() => {
    mkdirSync(mountPoint);
    if (process.getuid?.() !== 0) {
      reason = 'not running as root (needs root, loop devices and mkfs.xfs)';
      return;
    }
    try {
      const image = join(parentDir, 'xfs.img');
      execFileSync('truncate', ['-s', '512M', image]);
      execFileSync('mkfs.xfs', ['-q', '-m', 'reflink=1', image], { stdio: 'pipe' });
      execFileSync('mount', ['-o', 'loop', image, mountPoint], { stdio: 'pipe' });
    } catch (error) {
      const first = String((error as Error).message).split('\n')[0];
      reason = `cannot make a loop-mounted XFS: ${first} (needs root, loop devices and mkfs.xfs)`;
    }
  });
  afterAll(async () => {
    // A child the engine started (a sync agent, an extent query) may still be exiting: retry a busy mount briefly.
    for (let attempt = 1; !reason; attempt += 1) {
      try {
        execFileSync('umount', [mountPoint], { stdio: 'pipe' });
        break;
      } catch (error) {
        if (attempt >= 20 || !String((error as { stderr?: unknown }).stderr).includes('busy')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    options.afterUnmount?.();
  });
  return { mountPoint, skipReason: () => reason };
}
