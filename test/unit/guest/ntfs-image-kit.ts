/**
 * NTFS test images made with the real tools: mkntfs -F -Q on a file, the known tree applied
 * with wimcapture + wimapply (unicode names, reparse-point symlinks, hardlinks, sparse
 * files) without mounting, then, where FUSE works, the rest written through an ntfs-3g
 * mount: alternate data streams, an LZNT1-compressed folder (ntfs-3g -o compression), a
 * file with 80 hardlinks (its names overflow the record: an $ATTRIBUTE_LIST), a sparse
 * file past 4 GiB (in the image only, not in the expected tree), a DOS name beside a long
 * one (ntfs-3g's system.ntfs_dos_name) and an Interix symlink (what ntfs-3g writes for ln -s).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, linkSync, lutimesSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync,
  writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run } from './guest-image-kit.ts';

const GIB = 1024 * 1024 * 1024;
export const HARDLINKS = 80;

/** mkntfs on a whole file of `bytes` (its own file: copy it into a disk with copyInto). */
export function mkntfs(image: string, bytes: number, label: string): void {
  run('truncate', ['-s', String(bytes), image]);
  run('mkntfs', ['-F', '-Q', '-q', '-L', label, image]);
}

/** Applies `tree` onto the NTFS in `image` with wimlib (no mount). */
export function applyTree(image: string, tree: string): void {
  const wim = join(dirname(image), `${Date.now()}-${Math.random().toString(16).slice(2)}.wim`);
  run('wimcapture', [tree, wim, '--compress=none', '--no-acls']);
  run('wimapply', [wim, '1', image]);
  run('rm', ['-f', wim]);
}

/**
 * Unmounts an ntfs-3g mount and waits for its daemon (the one this kit started for `image`)
 * to exit: umount returns before ntfs-3g has finished writing the volume back.
 */
function unmount(mountPoint: string, image: string): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  // A mount just written to can be busy for a moment: retry, then detach it lazily.
  let unmounted = false;
  for (let attempt = 0; attempt < 50 && !unmounted; attempt += 1) {
    unmounted = spawnSync('umount', [mountPoint], { stdio: 'ignore' }).status === 0;
    if (!unmounted) Atomics.wait(pause, 0, 0, 100);
  }
  if (!unmounted) run('umount', ['-l', mountPoint]);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && daemonsOf(image).length > 0) Atomics.wait(pause, 0, 0, 50);
}

/** Processes whose command line is ntfs-3g on `image`. */
function daemonsOf(image: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let command = '';
    try {
      command = readFileSync(`/proc/${name}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const parts = command.split('\0');
    if ((parts[0] ?? '').endsWith('ntfs-3g') && parts.includes(image)) found.push(Number(name));
  }
  return found;
}

/** True when an ntfs-3g FUSE mount works here (/dev/fuse usable). */
export function fuseWorks(scratch: string): boolean {
  const image = join(scratch, 'fuse-probe.img');
  mkntfs(image, 8 * 1024 * 1024, 'probe');
  const mountPoint = join(scratch, 'fuse-probe');
  mkdirSync(mountPoint, { recursive: true });
  const mounted = spawnSync('ntfs-3g', ['-o', 'ro', image, mountPoint], { stdio: 'ignore' }).status === 0;
  if (mounted) unmount(mountPoint, image);
  return mounted;
}

/** Deterministic bytes that do not compress (xorshift32). */
function noise(length: number): Buffer {
  const out = Buffer.alloc(length);
  let state = 0x9e3779b9;
  for (let i = 0; i < length; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

const WHEN = new Date(Date.UTC(2021, 3, 5, 6, 7, 8, 123));

/**
 * The extras written the same way into a plain folder (the expected tree) and into the
 * ntfs-3g mount (where `compress` marks the folder compressed before its files are written).
 */
export function writeNtfsExtras(root: string, compress: (dir: string) => void = () => undefined, withBig = false): void {
  mkdirSync(join(root, 'compressed'), { recursive: true });
  compress(join(root, 'compressed'));
  writeFileSync(join(root, 'compressed', 'text.log'), 'a line of a log that compresses well 0123456789\n'.repeat(8000));
  writeFileSync(join(root, 'compressed', 'random.bin'), noise(150_000));
  const holey = openSync(join(root, 'compressed', 'holey.bin'), 'w');
  ftruncateSync(holey, 3 * 1024 * 1024);
  writeSync(holey, Buffer.from('start of holey\n'.repeat(100)), 0, undefined, 0);
  writeSync(holey, Buffer.from('end of holey\n'), 0, undefined, 3 * 1024 * 1024 - 13);
  closeSync(holey);
  mkdirSync(join(root, 'links'));
  writeFileSync(join(root, 'links', 'target.txt'), 'one file, many names\n');
  for (let i = 0; i < HARDLINKS; i += 1) {
    linkSync(join(root, 'links', 'target.txt'), join(root, 'links', `another name for the same file number ${String(i).padStart(3, '0')}.txt`));
  }
  if (withBig) {
    mkdirSync(join(root, 'big'));
    const big = openSync(join(root, 'big', 'big-5g.img'), 'w');
    ftruncateSync(big, 5 * GIB + 4096);
    writeSync(big, Buffer.from('past four gibibytes'), 0, 19, 4 * GIB + 12345);
    writeSync(big, Buffer.from('the end'), 0, 7, 5 * GIB + 4096 - 7);
    closeSync(big);
    utimesSync(join(root, 'big', 'big-5g.img'), WHEN, WHEN);
  }
  writeFileSync(join(root, 'streams.txt'), 'main stream\n');
  writeFileSync(join(root, 'A long file name.txt'), 'has a DOS name too\n');
  symlinkSync('streams.txt', join(root, 'interix.link'));
  for (const path of ['compressed/text.log', 'compressed/random.bin', 'compressed/holey.bin', 'links/target.txt', 'streams.txt',
    'A long file name.txt']) {
    utimesSync(join(root, path), WHEN, WHEN);
  }
  lutimesSync(join(root, 'interix.link'), WHEN, WHEN);
  for (const folder of ['compressed', 'links', ...(withBig ? ['big'] : [])]) utimesSync(join(root, folder), WHEN, WHEN);
}

export const STREAMS: Record<string, string> = { alpha: 'first alternate stream\n', 'beta gamma': 'x'.repeat(5000) };

/** Mounts `image` with ntfs-3g (compression on), writes the extras and streams, unmounts. */
export function writeExtrasThroughMount(image: string): void {
  const mountPoint = join(dirname(image), `mount-${Date.now()}`);
  mkdirSync(mountPoint);
  run('ntfs-3g', ['-o', 'compression', image, mountPoint]);
  try {
    const setAttribute = (dir: string): void => {
      // FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_COMPRESSED: files written inside are compressed.
      execFileSync('python3', ['-c', 'import os,sys; os.setxattr(sys.argv[1], "system.ntfs_attrib_be", (0x10|0x800).to_bytes(4, "big"))', dir]);
    };
    writeNtfsExtras(mountPoint, setAttribute, true);
    const streamsFile = join(mountPoint, 'streams.txt');
    const script = 'import os,sys\nfor i in range(2, len(sys.argv), 2): os.setxattr(sys.argv[1], "user." + sys.argv[i], sys.argv[i + 1].encode())';
    execFileSync('python3', ['-c', script, streamsFile, ...Object.entries(STREAMS).flat()]);
    utimesSync(streamsFile, WHEN, WHEN);
    // A DOS (8.3) name beside the long one: the index then holds a Win32 and a DOS entry for it.
    const longName = join(mountPoint, 'A long file name.txt');
    execFileSync('python3', ['-c', 'import os,sys; os.setxattr(sys.argv[1], "system.ntfs_dos_name", "ALONGF~1.TXT".encode())', longName]);
    utimesSync(longName, WHEN, WHEN);
  } finally {
    unmount(mountPoint, image);
  }
}

/**
 * Fragments $MFT through an ntfs-3g mount: 40 small files written, the volume filled, every
 * other small file deleted, then empty files created until the volume is full, so $MFT grows
 * into the scattered holes. Returns the names created in /many.
 */
export function fragmentMftThroughMount(image: string): string[] {
  const mountPoint = join(dirname(image), `mount-frag-${Date.now()}`);
  mkdirSync(mountPoint);
  run('ntfs-3g', [image, mountPoint]);
  const created: string[] = [];
  try {
    for (let i = 0; i < 40; i += 1) writeFileSync(join(mountPoint, `small-${i}`), noise(65536));
    const filler = openSync(join(mountPoint, 'filler'), 'w');
    try {
      const block = Buffer.alloc(256 * 1024, 0x5a);
      for (;;) writeSync(filler, block);
    } catch {
      // The volume is full.
    } finally {
      closeSync(filler);
    }
    for (let i = 0; i < 40; i += 2) rmSync(join(mountPoint, `small-${i}`));
    mkdirSync(join(mountPoint, 'many'));
    for (let i = 0; i < 3000; i += 1) {
      try {
        writeFileSync(join(mountPoint, 'many', `record-${i}`), '');
        created.push(`record-${i}`);
      } catch {
        break;
      }
    }
  } finally {
    unmount(mountPoint, image);
  }
  return created;
}
