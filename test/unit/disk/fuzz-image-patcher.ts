/**
 * Fuzz support: one image file on disk patched in place per case (and restored after), so
 * thousands of mutations cost a few small writes each instead of a copy of the image.
 * Every case must end in a typed LabvaultError or a successful (bounded) read.
 */
import { closeSync, ftruncateSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { expect } from 'vitest';
import { isLabvaultError } from '../../../shared/errors.ts';
import type { CheckResult, VirtualDisk } from '../../../electron/engine/disk/virtual-disk.ts';

export class Xorshift {
  private state: number;
  constructor(seed: number) { this.state = seed | 0 || 1; }
  next(): number {
    let x = this.state;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.state = x;
    return (x >>> 0) / 0x1_0000_0000;
  }
  int(limit: number): number { return Math.floor(this.next() * limit); }
  pick<T>(items: readonly T[]): T { return items[this.int(items.length)]!; }
}

export interface Patch { offset: number; bytes: Buffer }

export class PatchedImage {
  readonly path: string;
  readonly base: Buffer;
  constructor(path: string, base: Buffer) {
    this.path = path;
    this.base = base;
    writeFileSync(path, base);
  }

  /** Applies patches (and an optional truncation), runs `body`, then restores the file. */
  async with<T>(patches: Patch[], truncateTo: number | null, body: () => Promise<T>): Promise<T> {
    const fd = openSync(this.path, 'r+');
    try {
      for (const patch of patches) writeSync(fd, patch.bytes, 0, patch.bytes.length, patch.offset);
      if (truncateTo !== null) ftruncateSync(fd, truncateTo);
    } finally {
      closeSync(fd);
    }
    try {
      return await body();
    } finally {
      const restore = openSync(this.path, 'r+');
      try {
        for (const patch of patches) writeSync(restore, this.base, patch.offset, Math.min(patch.bytes.length, Math.max(0, this.base.length - patch.offset)), patch.offset);
        if (truncateTo !== null) writeSync(restore, this.base, truncateTo, this.base.length - truncateTo, truncateTo);
        ftruncateSync(restore, this.base.length);
      } finally {
        closeSync(restore);
      }
    }
  }
}

export interface FuzzOutcome { opened: boolean; errorField: string | null; errorCode: string | null }

/** Opens, reads a bounded sample, maps small disks, closes, then checks. Non-typed errors fail the test. */
export async function exerciseImage(open: () => Promise<VirtualDisk>, check: () => Promise<CheckResult>): Promise<FuzzOutcome> {
  const outcome: FuzzOutcome = { opened: false, errorField: null, errorCode: null };
  let disk: VirtualDisk | null = null;
  try {
    disk = await open();
    outcome.opened = true;
    const size = disk.virtualSize;
    const head = Math.min(size, 1024 * 1024);
    if (head > 0) await disk.read(Buffer.alloc(head), 0, head);
    const tail = Math.min(size, 4096);
    if (tail > 0) await disk.read(Buffer.alloc(tail), size - tail, tail);
    if (size <= 64 * 1024 * 1024) await disk.allocationMap();
  } catch (error) {
    if (!isLabvaultError(error)) throw error;
    outcome.errorField = error.field ?? null;
    outcome.errorCode = error.code;
  } finally {
    await disk?.close();
  }
  const result = await check();
  expect(typeof result.clean).toBe('boolean');
  expect(Array.isArray(result.findings)).toBe(true);
  return outcome;
}

export function u32be(value: number): Buffer { const b = Buffer.alloc(4); b.writeUInt32BE(value >>> 0); return b; }
export function u32le(value: number): Buffer { const b = Buffer.alloc(4); b.writeUInt32LE(value >>> 0); return b; }
export function u64be(value: bigint): Buffer { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt.asUintN(64, value)); return b; }
export function u64le(value: bigint): Buffer { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt.asUintN(64, value)); return b; }

/** Interesting 32-bit values: zero, one, powers of two, all ones, near limits. */
export function interesting32(rng: Xorshift): number {
  return rng.pick([0, 1, 2, 7, 0x1ff, 0x200, 0x1000, 0x10000, 0x100000, 0x200000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, rng.int(0x1_0000_0000)]);
}

export function interesting64(rng: Xorshift): bigint {
  return rng.pick([0n, 1n, 512n, 0x100000n, 0x7fffffffffffffffn, 0xffffffffffffffffn, 1n << 40n, 1n << 53n, BigInt(rng.int(0x1_0000_0000)) * 512n]);
}
