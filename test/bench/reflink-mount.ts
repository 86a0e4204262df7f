/**
 * The bench's filesystem choice. `--fs xfs` (the default where this machine allows it: root,
 * mkfs.xfs and loop mounts) runs every tool on an XFS filesystem with reflink, made on a
 * sparse loop file under the bench's work folder: the filesystem a VM host keeps its disks
 * on for instant snapshots, where Labvault clones each disk before reading it and tracks
 * changes from shared extents. `--fs tmp` runs in the work folder itself (os.tmpdir()).
 * Every tool always shares the same filesystem.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

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
  if (choice !== undefined && choice !== 'xfs') throw new Error(`--fs ${choice}: use xfs or tmp`);
  const image = join(work, 'xfs.img');
  const root = join(work, 'xfs');
  let device = '';
  try {
    if (process.getuid?.() !== 0) throw new Error('not root');
    execFileSync('truncate', ['-s', String(bytes), image]);
    execFileSync('mkfs.xfs', ['-q', '-m', 'reflink=1', image], { stdio: 'pipe' });
    mkdirSync(root);
    // Direct I/O on the backing file: a buffered loop device reads cold data about 4x slower (measured here).
    device = execFileSync('losetup', ['-f', '--show', '--direct-io=on', image], { encoding: 'utf8' }).trim();
    execFileSync('mount', [device, root], { stdio: 'pipe' });
  } catch (error) {
    if (device !== '') execFileSync('losetup', ['-d', device], { stdio: 'pipe' });
    const why = `XFS with reflink not available (${String((error as Error).message).split('\n')[0]})`;
    if (choice === 'xfs') throw new Error(`--fs xfs: ${why}`);
    console.log(`  ${why}: running in ${work}`);
    return tmpFilesystem(work, why);
  }
  return {
    root,
    description: `XFS with reflink on a sparse loop file (direct I/O, ${(bytes / 1024 ** 3).toFixed(0)} GiB) in ${work} (${filesystemType(work)})`,
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
