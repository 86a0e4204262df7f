/**
 * The bench's filesystem choice. `--fs xfs` (the default where this machine allows it: root,
 * mkfs.xfs and loop mounts) runs every tool on an XFS filesystem with reflink, made on a
 * sparse loop file under the bench's work folder: the filesystem a VM host keeps its disks
 * on for instant snapshots, where Labvault clones each disk before reading it and tracks
 * changes from shared extents. `--fs btrfs` does the same on btrfs (reflink always on);
 * `--fs ext4` on ext4, which has no reflink (no clones: unchanged files are known by their
 * change time, a changed file is read whole). `--fs tmp` runs in the work folder itself
 * (os.tmpdir()). Every tool always shares the same filesystem.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeLoopFilesystem, isLoopFilesystemKind, loopFilesystemUnavailable, makeLoopFilesystem } from '../support/loop-filesystem-kind.ts';

export interface BenchFilesystem {
  /** Folder every tool works in. */
  root: string;
  /** What the conditions line says about it. */
  description: string;
  /** Unmounts (no-op for tmp). */
  release(): void;
}

function filesystemType(path: string): string {
  try {
    return execFileSync('stat', ['-f', '-c', '%T', path], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function tmpFilesystem(work: string, why: string): BenchFilesystem {
  return { root: work, description: `${work} (${filesystemType(work)}${why ? `; ${why}` : ''})`, release: () => undefined };
}

/** `bytes`: size of the sparse loop file (room for the disk, its copies, every repository and a restore). */
export function benchFilesystem(work: string, choice: string | undefined, bytes: number): BenchFilesystem {
  if (choice === 'tmp') return tmpFilesystem(work, '');
  if (choice !== undefined && !isLoopFilesystemKind(choice)) throw new Error(`--fs ${choice}: use xfs, btrfs, ext4 or tmp`);
  const kind = choice ?? 'xfs';
  const image = join(work, `${kind}.img`);
  const root = join(work, kind);
  let device = '';
  try {
    const unavailable = loopFilesystemUnavailable(kind);
    if (unavailable) throw new Error(unavailable);
    execFileSync('truncate', ['-s', String(bytes), image]);
    makeLoopFilesystem(kind, image);
    mkdirSync(root);
    // Direct I/O on the backing file: a buffered loop device reads cold data about 4x slower (measured here).
    device = execFileSync('losetup', ['-f', '--show', '--direct-io=on', image], { encoding: 'utf8' }).trim();
    execFileSync('mount', [device, root], { stdio: 'pipe' });
  } catch (error) {
    if (device !== '') execFileSync('losetup', ['-d', device], { stdio: 'pipe' });
    const why = `${describeLoopFilesystem(kind)} not available (${String((error as Error).message).split('\n')[0]})`;
    if (choice !== undefined) throw new Error(`--fs ${choice}: ${why}`);
    console.log(`  ${why}: running in ${work}`);
    return tmpFilesystem(work, why);
  }
  return {
    root,
    description: `${describeLoopFilesystem(kind)} on a sparse loop file (direct I/O, ${(bytes / 1024 ** 3).toFixed(0)} GiB) in ${work} (${filesystemType(work)})`,
    release: () => {
      try {
        execFileSync('umount', [root], { stdio: 'pipe' });
        execFileSync('losetup', ['-d', device], { stdio: 'pipe' });
      } catch (error) {
        console.error(`could not unmount ${root}: ${String(error)}`);
      }
    },
  };
}
