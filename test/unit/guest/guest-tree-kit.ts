/**
 * The known tree the guest images are built from (unicode names, symlinks fast and slow,
 * a hardlink, a sparse file, optionally one past 4 GiB, a directory large enough for an
 * htree), and a walk of it as the reader should see it: name, type, size, mode, mtime,
 * symlink target and sha256 of every file.
 */
import { createHash } from 'node:crypto';
import { closeSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, symlinkSync,
  utimesSync, writeFileSync, writeSync, ftruncateSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { GuestFilesystem } from '../../../electron/engine/guest/guest-filesystem.ts';

export interface TreeEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  size: number;
  mode: number;
  mtimeMs: number;
  target?: string;
  sha256?: string;
}

const GIB = 1024 * 1024 * 1024;
const LONG_TARGET = `/srv/${'very-long-directory-name/'.repeat(4)}target.conf`;

/**
 * Writes the tree into `root`; `bigSparse` adds a 5 GiB sparse file with data at its end;
 * `dataAtEnd` ends the 20 MiB sparse file in data (mke2fs -O inline_data records a file that
 * ends in a hole with the size of its last written block: a bug of mke2fs, not of the reader).
 */
export function writeKnownTree(root: string, options: { bigSparse?: boolean; manyFiles?: number; dataAtEnd?: boolean } = {}): void {
  mkdirSync(join(root, 'etc', 'app'), { recursive: true });
  mkdirSync(join(root, 'home', 'zoë', 'Документы'), { recursive: true });
  mkdirSync(join(root, 'var', 'many'), { recursive: true });
  writeFileSync(join(root, 'etc', 'hosts'), '127.0.0.1 localhost\n::1 localhost\n');
  writeFileSync(join(root, 'etc', 'app', 'config.yaml'), 'name: labvault\nlevel: 3\n'.repeat(500));
  chmodSync(join(root, 'etc', 'app', 'config.yaml'), 0o640);
  writeFileSync(join(root, 'home', 'zoë', 'Документы', '日本語 ファイル.txt'), 'こんにちは\n');
  writeFileSync(join(root, 'home', 'zoë', 'emoji-🎉.bin'), Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 7) & 0xff)));
  chmodSync(join(root, 'home', 'zoë', 'emoji-🎉.bin'), 0o755);
  symlinkSync('hosts', join(root, 'etc', 'hosts.link'));
  symlinkSync(LONG_TARGET, join(root, 'etc', 'long.link'));
  symlinkSync('../etc', join(root, 'home', 'etc-dir'));
  linkSync(join(root, 'etc', 'hosts'), join(root, 'home', 'hosts.hardlink'));
  const sparse = openSync(join(root, 'var', 'sparse.img'), 'w');
  ftruncateSync(sparse, 20 * 1024 * 1024);
  writeSync(sparse, Buffer.from('middle'), 0, 6, 10 * 1024 * 1024);
  if (options.dataAtEnd === true) writeSync(sparse, Buffer.from('end'), 0, 3, 20 * 1024 * 1024 - 3);
  closeSync(sparse);
  if (options.bigSparse === true) {
    const big = openSync(join(root, 'var', 'big-5g.img'), 'w');
    ftruncateSync(big, 5 * GIB + 4096);
    writeSync(big, Buffer.from('past four gibibytes'), 0, 19, 4 * GIB + 12345);
    writeSync(big, Buffer.from('the end'), 0, 7, 5 * GIB + 4096 - 7);
    closeSync(big);
  }
  for (let i = 0; i < (options.manyFiles ?? 400); i += 1) {
    writeFileSync(join(root, 'var', 'many', `entry-${String(i).padStart(4, '0')}-${'x'.repeat(i % 40)}.txt`), `${i}\n`);
  }
  writeFileSync(join(root, 'empty'), '');
  const when = new Date('2024-02-29T12:34:56.789Z');
  utimesSync(join(root, 'etc', 'hosts'), when, when);
}

function sha256Of(path: string, size: number): string {
  const hash = createHash('sha256');
  if (size < 64 * 1024 * 1024) return hash.update(readFileSync(path)).digest('hex');
  const fd = openSync(path, 'r');
  const buffer = Buffer.alloc(8 * 1024 * 1024);
  try {
    for (let at = 0; at < size; at += buffer.length) {
      const length = Math.min(buffer.length, size - at);
      readSync(fd, buffer, 0, length, at);
      hash.update(buffer.subarray(0, length));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Every entry under `root` (root itself excluded), sorted by path; paths start with '/'. */
export function walkTree(root: string, options: { hashes?: boolean } = {}): TreeEntry[] {
  const out: TreeEntry[] = [];
  const visit = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const info = lstatSync(path);
      const guestPath = `${prefix}/${name}`;
      const base = { path: guestPath, size: info.size, mode: info.mode & 0o7777, mtimeMs: Math.floor(info.mtimeMs) };
      if (info.isSymbolicLink()) out.push({ ...base, type: 'symlink', target: readlinkSync(path) });
      else if (info.isDirectory()) {
        out.push({ ...base, type: 'dir' });
        visit(path, guestPath);
      } else {
        out.push({ ...base, type: 'file', ...(options.hashes === false ? {} : { sha256: sha256Of(path, info.size) }) });
      }
    }
  };
  visit(root, '');
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** The same walk through a GuestFilesystem (lost+found skipped), for comparison with walkTree. */
export async function walkGuest(fs: GuestFilesystem, options: { hashes?: boolean } = {}): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const visit = async (dir: string): Promise<void> => {
    for (const entry of await fs.list(dir)) {
      const path = dir === '/' ? `/${entry.name}` : `${dir}/${entry.name}`;
      if (path === '/lost+found') continue;
      const base = { path, size: entry.size, mode: entry.mode, mtimeMs: entry.mtimeMs };
      if (entry.type === 'symlink') out.push({ ...base, type: 'symlink', target: entry.target as string });
      else if (entry.type === 'dir') {
        out.push({ ...base, type: 'dir' });
        await visit(path);
      } else if (entry.type === 'file') {
        let sha256: string | undefined;
        if (options.hashes !== false) {
          const hash = createHash('sha256');
          for await (const chunk of fs.readFile(path)) hash.update(chunk);
          sha256 = hash.digest('hex');
        }
        out.push({ ...base, type: 'file', ...(sha256 === undefined ? {} : { sha256 }) });
      }
    }
  };
  await visit('/');
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/**
 * What a reader must reproduce of a tree entry: directory sizes are the filesystem's own, and
 * mkfs -d keeps whole seconds of the modification times.
 */
export function comparable(entries: TreeEntry[]): TreeEntry[] {
  return entries.map((entry) => ({
    ...entry, mtimeMs: Math.floor(entry.mtimeMs / 1000) * 1000, ...(entry.type === 'dir' ? { size: 0 } : {}),
  }));
}
