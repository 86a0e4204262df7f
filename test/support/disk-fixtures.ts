/**
 * Test-time disk image generation: deterministic raw patterns (holes, written zeros,
 * random and text data) and qemu-img as the reference tool. Nothing here is committed
 * as a binary; every image is made in a temp dir when the test runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, writeSync, ftruncateSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from './required-tools.ts';

/** A small deterministic PRNG (xorshift32) so images are identical on every run. */
export function deterministicBytes(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = (seed | 0) || 0x9e3779b9;
  for (let i = 0; i < length; i += 4) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out.writeInt32LE(x | 0, Math.min(i, length - 4) === i ? i : length - 4);
  }
  return out;
}

const TEXT = Buffer.from('Labvault test pattern: the quick brown fox jumps over the lazy dog 0123456789\n');

export interface PatternOptions {
  /** Size of the raw image in bytes. */
  size: number;
  /** Size of one pattern region; default 64 KiB. */
  region?: number;
  seed?: number;
}

/**
 * Writes a sparse raw file whose regions cycle through: random, hole, text, written
 * zeros, random, hole, hole, random-with-zero-tail. Returns the path.
 */
export function writePatternRaw(path: string, options: PatternOptions): string {
  const region = options.region ?? 64 * 1024;
  const seed = options.seed ?? 1;
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, options.size);
    let index = 0;
    for (let offset = 0; offset < options.size; offset += region, index += 1) {
      const length = Math.min(region, options.size - offset);
      const kind = index % 8;
      let data: Buffer | null = null;
      if (kind === 0 || kind === 4) data = deterministicBytes(length, seed * 7919 + index);
      else if (kind === 2) { data = Buffer.alloc(length); for (let i = 0; i < length; i += TEXT.length) TEXT.copy(data, i); }
      else if (kind === 3) data = Buffer.alloc(length);
      else if (kind === 7) { data = deterministicBytes(length, seed * 104729 + index); data.fill(0, Math.floor(length / 2)); }
      if (data) writeSync(fd, data, 0, length, offset);
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

export function makeTempDir(prefix = 'labvault-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Runs qemu-img and returns stdout. Throws with stderr on failure. */
export function qemuImg(args: string[]): string {
  return execFileSync('qemu-img', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `qemu-img info --output=json` parsed. */
export function qemuInfo(path: string, extra: string[] = []): Record<string, unknown> {
  return JSON.parse(qemuImg(['info', '--output=json', ...extra, path])) as Record<string, unknown>;
}

/** Converts any image to raw with qemu-img and returns the bytes (for small test images). */
export function qemuRawBytes(path: string, dir: string): Buffer {
  const out = join(dir, `ref-${Math.random().toString(36).slice(2)}.raw`);
  qemuImg(['convert', '-O', 'raw', path, out]);
  const bytes = readFileSync(out);
  rmSync(out);
  return bytes;
}

/**
 * True when qemu-img runs; when it is missing, throws (the test file fails saying to install
 * qemu-utils) unless LABVAULT_ALLOW_MISSING_TOOLS=1 asks to skip (see required-tools.ts).
 */
export function requireQemuImg(): boolean {
  return requireTool('qemu-img', 'qemu-utils');
}
