/**
 * How the tests and the bench make a loop-mounted filesystem of each kind Labvault's
 * instant-restore clones and change tracking are measured on: XFS with reflink, btrfs
 * (reflink always), ext4 (no reflink: no clones, every changed file read whole). No vitest
 * import, so the bench can use it too.
 */
import { execFileSync } from 'node:child_process';

export type LoopFilesystemKind = 'xfs' | 'btrfs' | 'ext4';

export const LOOP_FILESYSTEM_KINDS: readonly LoopFilesystemKind[] = ['xfs', 'btrfs', 'ext4'];

/** The mkfs tool, its arguments before the image, and the Debian package that has it. */
const MKFS: Record<LoopFilesystemKind, { tool: string; args: string[]; packageName: string; description: string }> = {
  xfs: { tool: 'mkfs.xfs', args: ['-q', '-m', 'reflink=1'], packageName: 'xfsprogs', description: 'XFS with reflink' },
  btrfs: { tool: 'mkfs.btrfs', args: ['-q', '-f'], packageName: 'btrfs-progs', description: 'btrfs' },
  ext4: { tool: 'mkfs.ext4', args: ['-q', '-F'], packageName: 'e2fsprogs', description: 'ext4 (no reflink)' },
};

export function isLoopFilesystemKind(value: string | undefined): value is LoopFilesystemKind {
  return (LOOP_FILESYSTEM_KINDS as readonly string[]).includes(value ?? '');
}

/** What a conditions line or a skip message calls the filesystem. */
export function describeLoopFilesystem(kind: LoopFilesystemKind): string {
  return MKFS[kind].description;
}

/** Why a loop-mounted filesystem of `kind` cannot be made here, or undefined when it probably can. */
export function loopFilesystemUnavailable(kind: LoopFilesystemKind): string | undefined {
  const { tool, packageName } = MKFS[kind];
  if (process.getuid?.() !== 0) return `not running as root (needs root, loop devices and ${tool})`;
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'pipe' });
  } catch {
    return `${tool} is not installed (apt-get install ${packageName})`;
  }
  return undefined;
}

/** Makes the filesystem on the (existing, sized) image file; throws with the tool's message. */
export function makeLoopFilesystem(kind: LoopFilesystemKind, image: string): void {
  const { tool, args } = MKFS[kind];
  execFileSync(tool, [...args, image], { stdio: 'pipe' });
}
