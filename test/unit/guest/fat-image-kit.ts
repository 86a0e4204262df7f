/**
 * FAT test images made with the real tools: mkfs.vfat (-F 12/16/32, at an offset inside a
 * partitioned disk when asked) filled by mcopy from a known tree, with code page 437 and
 * UTC set for mtools, plus a fragmented file (files written, one deleted, a larger one
 * written into the gap and past it).
 */
import { closeSync, mkdirSync, openSync, readSync, utimesSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { patchFile, run } from './guest-image-kit.ts';

/** mtools with code page 437 and UTC (FAT times are local time), quiet about geometry. */
function mtoolsEnv(dir: string): NodeJS.ProcessEnv {
  const rc = join(dir, 'mtoolsrc');
  writeFileSync(rc, 'mtools_skip_check=1\ndefault_codepage=437\n');
  return { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TZ: 'UTC', MTOOLSRC: rc, MTOOLS_SKIP_CHECK: '1' };
}

function mtools(dir: string, command: string, args: string[]): void {
  execFileSync(command, args, { env: mtoolsEnv(dir), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Bytes with a pattern of their own, so a misplaced cluster shows in the digest. */
export function patterned(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) out[i] = (i * 31 + seed * 17 + (i >> 9)) & 0xff;
  return out;
}

/**
 * The known FAT tree: long unicode names (BMP and astral), mixed-case and lowercase 8.3
 * names (NT case flags), non-ASCII 8.3 names in code page 437, deep folders, empty files,
 * a long name past 100 characters; times at even seconds (FAT keeps 2-second steps).
 */
export function writeFatTree(root: string): void {
  const files: [string, Buffer][] = [
    ['README.TXT', Buffer.from('upper 8.3\n')],
    ['readme2.txt', Buffer.from('lowercase 8.3 (case flags)\n')],
    ['lower.TXT', Buffer.from('lowercase base only\n')],
    ['UPPER.txt', Buffer.from('lowercase extension only\n')],
    ['ReadMe3.md', Buffer.from('mixed case: a long name\n')],
    ['CAFÉ.TXT', Buffer.from('non-ASCII 8.3 in code page 437\n')],
    ['é.txt', Buffer.from('lowercase non-ASCII 8.3\n')],
    ['empty.bin', Buffer.alloc(0)],
    ['Документы/日本語 ファイル.txt', Buffer.from('こんにちは\n')],
    // mtools writes astral characters as their low 16 bits (not surrogate pairs): a BMP symbol here.
    ['Документы/snowman-☃.bin', patterned(70000, 1)],
    [`Документы/${'a long name that goes on '.repeat(4)}end.txt`, Buffer.from('long\n')],
    ['deep/a/b/c/d/e/f/g/h/leaf.txt', Buffer.from('deep\n')],
    ['deep/a/b/empty', Buffer.alloc(0)],
  ];
  for (let i = 0; i < 40; i += 1) files.push([`many/File Number ${String(i).padStart(3, '0')}.dat`, patterned(100 + i * 37, i)]);
  let second = 0;
  for (const [path, bytes] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), bytes);
    const when = new Date(Date.UTC(2023, 5, 15, 10, 20, 0) + second * 2000);
    second += 1;
    utimesSync(join(root, path), when, when);
  }
}

export interface FatImageOptions {
  fatBits: 12 | 16 | 32;
  /** Byte offset of the filesystem inside `image` (a partition) and its size. */
  offset?: number;
  bytes: number;
  label?: string;
  /** Sectors per cluster (mkfs.vfat -s). */
  sectorsPerCluster?: number;
}

/** mkfs.vfat at `offset` of `image` (which exists, sized), then the tree copied in with mcopy. */
export function buildFatImage(image: string, tree: string, options: FatImageOptions): void {
  const offset = options.offset ?? 0;
  const args = ['-F', String(options.fatBits), '--offset', String(offset / 512)];
  if (options.label) args.push('-n', options.label);
  if (options.sectorsPerCluster) args.push('-s', String(options.sectorsPerCluster));
  args.push(image, String(Math.floor(options.bytes / 1024)));
  run('mkfs.vfat', args);
  const target = `${image}@@${offset}`;
  const dir = dirname(image);
  mtools(dir, 'mcopy', ['-s', '-p', '-m', '-Q', '-i', target, ...readdirNames(tree).map((name) => join(tree, name)), '::/']);
}

function readdirNames(dir: string): string[] {
  return execFileSync('ls', ['-A', dir], { encoding: 'utf8' }).split('\n').filter((name) => name !== '');
}

/**
 * Makes a fragmented file in the image: three files written, the middle one deleted, then
 * `fragmented.bin` written, which fills the gap and continues after the third. Writes the
 * same files into `tree` (without the deleted one) so the tree stays the expected listing.
 */
export function addFragmentedFile(image: string, tree: string, options: { offset?: number; clusterSize: number }): void {
  const target = `${image}@@${options.offset ?? 0}`;
  const dir = dirname(image);
  const staging = join(dir, 'fragment-staging');
  mkdirSync(staging, { recursive: true });
  const when = new Date(Date.UTC(2022, 0, 2, 3, 4, 6));
  const write = (name: string, bytes: Buffer): string => {
    const path = join(staging, name);
    writeFileSync(path, bytes);
    utimesSync(path, when, when);
    return path;
  };
  const cluster = options.clusterSize;
  mtools(dir, 'mcopy', ['-p', '-m', '-Q', '-i', target, write('first.bin', patterned(cluster * 3, 3)), '::/first.bin']);
  mtools(dir, 'mcopy', ['-p', '-m', '-Q', '-i', target, write('gap.bin', patterned(cluster * 2, 4)), '::/gap.bin']);
  mtools(dir, 'mcopy', ['-p', '-m', '-Q', '-i', target, write('third.bin', patterned(cluster * 2 + 5, 5)), '::/third.bin']);
  mtools(dir, 'mdel', ['-i', target, '::/gap.bin']);
  forgetNextFreeHint(image, options.offset ?? 0);
  mtools(dir, 'mcopy', ['-p', '-m', '-Q', '-i', target, write('fragmented.bin', patterned(cluster * 5 + 123, 6)), '::/fragmented.bin']);
  for (const name of ['first.bin', 'third.bin', 'fragmented.bin']) {
    execFileSync('cp', ['-p', join(staging, name), join(tree, name)]);
  }
}

/**
 * FAT32 keeps a next-free-cluster hint in its FSInfo sector, so a writer allocates after the
 * last file instead of reusing a gap: set it to "unknown" (0xFFFFFFFF), as a volume written
 * by a system that does not keep the hint has it.
 */
function forgetNextFreeHint(image: string, offset: number): void {
  const boot = Buffer.alloc(512);
  const fd = openSync(image, 'r');
  try {
    readSync(fd, boot, 0, 512, offset);
  } finally {
    closeSync(fd);
  }
  if (boot.toString('latin1', 82, 87) !== 'FAT32') return;
  const fsInfo = boot.readUInt16LE(48);
  patchFile(image, offset + fsInfo * boot.readUInt16LE(11) + 492, Buffer.from([0xff, 0xff, 0xff, 0xff]));
}
