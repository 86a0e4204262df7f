/**
 * Disk images for the guest reader tests, made with the real tools: sfdisk for GPT and
 * MBR tables, mkfs.ext2/3/4 -d from a known tree, all as sparse files in a temp dir.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';

export const MIB = 1024 * 1024;

export function run(command: string, args: string[], input?: string): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input === undefined ? {} : { input }) });
}

/** A sparse file of `bytes`. */
export function sparseFile(path: string, bytes: number): void {
  run('truncate', ['-s', String(bytes), path]);
}

/** Partitions `path` with an sfdisk script (label: gpt or dos). */
export function sfdisk(path: string, script: string): void {
  run('sfdisk', ['--no-reread', '--no-tell-kernel', '-q', path], script);
}

/** Makes an ext filesystem inside `path` at `offset` of `bytes`, filled from `tree` when given. */
export function mkfsExt(kind: 'ext2' | 'ext3' | 'ext4', path: string, offset: number, bytes: number,
  options: { tree?: string; features?: string; label?: string; blockSize?: number } = {}): void {
  const args = ['-q', '-F', '-E', `offset=${offset}`];
  if (options.blockSize) args.push('-b', String(options.blockSize));
  if (options.tree) args.push('-d', options.tree);
  if (options.features) args.push('-O', options.features);
  if (options.label) args.push('-L', options.label);
  args.push(path, `${Math.floor(bytes / 1024)}k`);
  run(`mkfs.${kind}`, args);
}

/** Writes `bytes` at `offset` of the file (damage for the fuzz and fallback tests). */
export function patchFile(path: string, offset: number, bytes: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

/** Copies the whole of `from` into `to` at byte `offset` (sparse where `from` is). */
export function copyInto(from: string, to: string, offset: number): void {
  run('dd', [`if=${from}`, `of=${to}`, 'bs=512', `seek=${offset / 512}`, 'conv=notrunc,sparse', 'status=none']);
}

/** Rebuilds every directory of the ext filesystem in `path` as an htree index (e2fsck -fyD; exit 1 = changed). */
export function indexDirectories(path: string): void {
  const result = spawnSync('e2fsck', ['-fyD', path], { encoding: 'utf8' });
  if (result.status !== 0 && result.status !== 1) throw new Error(`e2fsck -fyD ${path} failed: ${result.stdout}${result.stderr}`);
}
