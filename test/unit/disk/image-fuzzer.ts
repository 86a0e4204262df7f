/**
 * A small deterministic mutation fuzzer for disk image readers: bit flips and field
 * smashes in chosen byte windows (headers, tables), random truncation. Each mutant is
 * opened, partly read, mapped and checked; every failure must be a LabvaultError, and a
 * successful open must give a well-formed read and map. Bounded by count, not time.
 */
import { closeSync, ftruncateSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { isLabvaultError } from '../../../shared/errors.ts';
import type { DiskFormatModule, OpenContext } from '../../../electron/engine/disk/disk-format-module.ts';

export class Xorshift {
  private state: number;
  constructor(seed: number) {
    this.state = seed | 0 || 1;
  }
  next(): number {
    let x = this.state;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.state = x;
    return (x >>> 0) / 0x100000000;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

export interface ByteWindow {
  start: number;
  end: number;
}

/** Interesting integers for smashing 4- and 8-byte fields. */
const EDGE_VALUES = [0n, 1n, 2n, 0x7fn, 0x200n, 0xffffn, 0x7fffffffn, 0xfffffffen, 0xffffffffn, 0x100000000n, 2n ** 40n, 2n ** 62n, 2n ** 64n - 1n];

/** One mutant of `original`: bit flips / field smash inside a window, or a truncation. */
export function mutate(original: Buffer, windows: readonly ByteWindow[], random: Xorshift): Buffer {
  const roll = random.next();
  if (roll < 0.08) return Buffer.from(original.subarray(0, random.int(original.length)));
  const bytes = Buffer.from(original);
  const window = random.pick(windows);
  const span = Math.max(1, Math.min(window.end, bytes.length) - window.start);
  const at = (): number => window.start + random.int(span);
  if (roll < 0.45) {
    const flips = 1 + random.int(8);
    for (let index = 0; index < flips; index += 1) {
      const position = at();
      if (position < bytes.length) bytes[position]! ^= 1 << random.int(8);
    }
    return bytes;
  }
  const position = at() & ~3;
  const value = random.next() < 0.6 ? random.pick(EDGE_VALUES) : BigInt(random.int(0x100000000));
  if (random.next() < 0.5 && position + 8 <= bytes.length) bytes.writeBigUInt64LE(value & (2n ** 64n - 1n), position);
  else if (position + 4 <= bytes.length) bytes.writeUInt32LE(Number(value & 0xffffffffn), position);
  return bytes;
}

const READ_LIMIT = 1024 * 1024;

/** Opens, reads (bounded), maps and checks one mutant. Returns a problem description or null. */
export async function exerciseMutant(module: DiskFormatModule, path: string, ctx: OpenContext): Promise<string | null> {
  try {
    const disk = await module.open(path, ctx);
    try {
      const head = Math.min(disk.virtualSize, READ_LIMIT);
      await disk.read(Buffer.alloc(head), 0, head);
      const tail = Math.min(disk.virtualSize, 65536);
      await disk.read(Buffer.alloc(tail), disk.virtualSize - tail, tail);
      if (disk.virtualSize <= 64 * 1024 * 1024 * 1024) {
        const map = await disk.allocationMap();
        let position = 0;
        for (const range of map) {
          if (range.offset !== position || range.length <= 0) return `bad allocation map at ${position}`;
          position += range.length;
        }
        if (position !== disk.virtualSize) return `allocation map covers ${position} of ${disk.virtualSize}`;
      }
    } finally {
      await disk.close();
    }
  } catch (error) {
    if (!isLabvaultError(error)) return `untyped error: ${error instanceof Error ? error.stack : String(error)}`;
    if (error.code === 'INTERNAL' || error.code === 'IO_ERROR') return `unexpected code ${error.code}: ${error.message}`;
  }
  try {
    const result = await module.check(path);
    if (typeof result.clean !== 'boolean') return 'check returned no verdict';
  } catch (error) {
    return `check threw: ${error instanceof Error ? error.message : String(error)}`;
  }
  return null;
}

/** First and one-past-last index where two equal-length buffers differ, or null. */
function differingSpan(a: Buffer, b: Buffer): { start: number; end: number } | null {
  let start = 0;
  while (start < a.length && a[start] === b[start]) start += 1;
  if (start === a.length) return null;
  let end = a.length;
  while (end > start && a[end - 1] === b[end - 1]) end -= 1;
  return { start, end };
}

/**
 * Runs `count` mutants of `original` at `path`; returns the problems found (first 5).
 * The file is written once; each mutant patches only the bytes it changes (or truncates)
 * and is undone afterwards, so large images stay cheap to fuzz.
 */
export async function fuzzImage(module: DiskFormatModule, original: Buffer, windows: readonly ByteWindow[], path: string, count: number, seed: number, ctx: () => OpenContext): Promise<string[]> {
  const random = new Xorshift(seed);
  const problems: string[] = [];
  writeFileSync(path, original);
  const fd = openSync(path, 'r+');
  try {
    for (let index = 0; index < count && problems.length < 5; index += 1) {
      const mutant = mutate(original, windows, random);
      const span = mutant.length === original.length ? differingSpan(original, mutant) : null;
      if (mutant.length !== original.length) ftruncateSync(fd, mutant.length);
      else if (span) writeSync(fd, mutant, span.start, span.end - span.start, span.start);
      const problem = await exerciseMutant(module, path, ctx());
      if (problem) problems.push(`mutant ${index} (seed ${seed}): ${problem}`);
      if (mutant.length !== original.length) writeSync(fd, original, mutant.length, original.length - mutant.length, mutant.length);
      else if (span) writeSync(fd, original, span.start, span.end - span.start, span.start);
    }
  } finally {
    closeSync(fd);
  }
  return problems;
}
