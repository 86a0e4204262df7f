/**
 * A loop-mounted filesystem (XFS with reflink, btrfs or ext4) for the tests of
 * instant-restore clones and change tracking: mounted in beforeAll, unmounted in afterAll.
 * Where it cannot be made (not root, no loop devices, no mkfs tool) `skipReason` says why,
 * and `skipUnlessMounted` skips the test with that reason.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { seededBytes, writeAt } from './seeded-bytes.ts';
import { describeLoopFilesystem, loopFilesystemUnavailable, makeLoopFilesystem, type LoopFilesystemKind } from './loop-filesystem-kind.ts';

export type { LoopFilesystemKind } from './loop-filesystem-kind.ts';

export interface LoopFilesystem {
  readonly kind: LoopFilesystemKind;
  readonly mountPoint: string;
  /** Why the filesystem could not be made, or undefined when it is mounted. */
  skipReason(): string | undefined;
  /** Skips the running test (logging `skipping <what>: <reason>`) unless the filesystem is mounted. */
  skipUnlessMounted(context: { skip(note?: string): void }, what: string): void;
}

export interface LoopFilesystemOptions {
  afterUnmount?: () => void;
  /** Extra mount options (`-o`), e.g. btrfs's compress-force=zstd. */
  mountOptions?: string[];
}

export function useLoopFilesystem(parentDir: string, kind: LoopFilesystemKind, options: LoopFilesystemOptions = {}): LoopFilesystem {
  const mountPoint = join(parentDir, kind);
  let reason: string | undefined;
  beforeAll(() => {
    mkdirSync(mountPoint);
    reason = loopFilesystemUnavailable(kind);
    if (reason) return;
    try {
      const image = join(parentDir, `${kind}.img`);
      execFileSync('truncate', ['-s', '512M', image]);
      makeLoopFilesystem(kind, image);
      execFileSync('mount', ['-o', ['loop', ...(options.mountOptions ?? [])].join(','), image, mountPoint], { stdio: 'pipe' });
    } catch (error) {
      const first = String((error as Error).message).split('\n')[0];
      reason = `cannot make a loop-mounted ${describeLoopFilesystem(kind)}: ${first} (needs root and loop devices)`;
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
  return {
    kind,
    mountPoint,
    skipReason: () => reason,
    skipUnlessMounted(context, what) {
      if (!reason) return;
      console.log(`skipping ${what} on ${kind}: ${reason}`);
      context.skip(reason);
    },
  };
}

/** A region of seeded bytes (seeded-bytes.ts) written into a sparse disk. */
export interface SeededRegion {
  offset: number;
  seed: string;
  length: number;
}

/** A sparse raw disk of `size` bytes (holes everywhere) with the seeded regions written into it. */
export function writeSparseDisk(path: string, size: number, regions: readonly SeededRegion[]): void {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
  for (const region of regions) writeAt(path, region.offset, seededBytes(region.seed, region.length));
}
