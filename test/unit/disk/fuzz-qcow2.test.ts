/**
 * Fuzzing the qcow2 reader: a bounded number of deterministic mutations of small qcow2
 * images (bit flips, extreme header values, L1/L2 entries pointing at metadata, past the
 * end or at themselves, truncation, self-referencing backing files). Every case must end
 * in a LabvaultError or a read that completes; check() must never throw; and no case may
 * allocate a buffer sized from a header claim beyond a small limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { makeTempDir, qemuImg, removeDir, writePatternRaw } from '../../support/disk-fixtures.ts';
import { checkDiskImage, openDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import { LabvaultError } from '../../../shared/errors.ts';

const CASES_PER_IMAGE = 750;
const MAX_ALLOCATION = 4 * 1024 * 1024;
const READ_WINDOW = 256 * 1024;
const MAP_LIMIT = 64 * 1024 * 1024;

let dir: string;
const images: { name: string; bytes: Buffer }[] = [];

class Prng {
  private state: number;
  constructor(seed: number) { this.state = seed >>> 0 || 1; }
  next(): number {
    let x = this.state;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
  below(limit: number): number { return this.next() % limit; }
  pick<T>(values: readonly T[]): T { return values[this.below(values.length)]!; }
}

const HEADER_FIELDS: readonly [number, 4 | 8][] = [
  [8, 8], [16, 4], [20, 4], [24, 8], [32, 4], [36, 4], [40, 8], [48, 8], [56, 4], [60, 4], [64, 8], [72, 8], [96, 4], [100, 4],
];

function writeField(bytes: Buffer, offset: number, width: 4 | 8, value: bigint): void {
  if (width === 4) bytes.writeUInt32BE(Number(value & 0xffffffffn), offset);
  else bytes.writeBigUInt64BE(value & 0xffffffffffffffffn, offset);
}

function l1Offset(bytes: Buffer): number {
  const value = bytes.readBigUInt64BE(40);
  return value < BigInt(bytes.length) ? Number(value) : 0;
}

function l2Offset(bytes: Buffer): number {
  const l1 = l1Offset(bytes);
  if (l1 === 0 || l1 + 8 > bytes.length) return 0;
  const value = bytes.readBigUInt64BE(l1) & 0x00fffffffffffe00n;
  return value > 0n && value < BigInt(bytes.length) ? Number(value) : 0;
}

/** One mutated copy of `source`, chosen by `random`. */
function mutate(source: Buffer, random: Prng, selfName: string): Buffer {
  let bytes = Buffer.from(source);
  const size = BigInt(bytes.length);
  const extremes = [0n, 1n, 0xffffffffn, 0x7fffffffn, 1n << 31n, 1n << 62n, (1n << 64n) - 1n, size, size + 65536n, BigInt(random.next()) << 9n];
  switch (random.below(9)) {
    case 0: {
      for (let flips = 1 + random.below(4); flips > 0; flips -= 1) bytes[random.below(Math.min(512, bytes.length))]! ^= 1 << random.below(8);
      break;
    }
    case 1: {
      for (let flips = 1 + random.below(8); flips > 0; flips -= 1) bytes[random.below(bytes.length)]! ^= 1 << random.below(8);
      break;
    }
    case 2: {
      const [offset, width] = random.pick(HEADER_FIELDS);
      writeField(bytes, offset, width, random.pick(extremes));
      break;
    }
    case 3: {
      const l1 = l1Offset(bytes);
      const targets = [BigInt(l1), 0n, BigInt(l2Offset(bytes)), size, 1n << 40n, BigInt(l1) + 512n, BigInt(bytes.readBigUInt64BE(48))];
      if (l1 > 0) bytes.writeBigUInt64BE((random.pick(targets) & 0x00fffffffffffe00n) | (1n << 63n), l1);
      break;
    }
    case 4: {
      const l2 = l2Offset(bytes);
      if (l2 === 0) break;
      const entry = l2 + 8 * random.below(16);
      const choices = [BigInt(l2) | (1n << 63n), BigInt(l1Offset(bytes)) | (1n << 63n), size << 1n, (1n << 55n) - 512n,
        BigInt(l2) + 512n, (1n << 62n) | BigInt(random.next()), (1n << 62n) | (BigInt(random.next()) << 20n), 1n, BigInt(random.next()) << 32n];
      if (entry + 8 <= bytes.length) bytes.writeBigUInt64BE(random.pick(choices), entry);
      break;
    }
    case 5: {
      bytes = bytes.subarray(0, random.below(bytes.length));
      break;
    }
    case 6: {
      bytes.writeUInt32BE(random.pick([1, 2, 1000, 65536, 0xffffffff]), 60);
      bytes.writeBigUInt64BE(random.pick([0n, 8n, BigInt(l1Offset(bytes)), size - 8n, size + 8n]), 64);
      break;
    }
    case 7: {
      // Backing file: this very file (a loop), a missing one, or a name past the header.
      const name = Buffer.from(random.pick([selfName, 'missing-parent.qcow2', '../../../../etc/passwd-not-an-image']));
      name.copy(bytes, 0x400);
      bytes.writeBigUInt64BE(random.pick([0x400n, 0x400n, 1n << 20n]), 8);
      bytes.writeUInt32BE(random.pick([name.length, name.length, 5000]), 16);
      break;
    }
    default: {
      // Every L1 entry at once: a table of pointers back into metadata.
      const l1 = l1Offset(bytes);
      for (let index = 0; l1 > 0 && index < 8 && l1 + index * 8 + 8 <= bytes.length; index += 1) {
        bytes.writeBigUInt64BE(BigInt(random.pick([0, l1, l2Offset(bytes), 65536 * random.below(8)])) | (1n << 63n), l1 + index * 8);
      }
    }
  }
  return bytes;
}

let largestAllocation = 0;
const originalAlloc = Buffer.alloc;
const originalAllocUnsafe = Buffer.allocUnsafe;

function trackAllocations(): void {
  largestAllocation = 0;
  Buffer.alloc = ((size: number, ...rest: unknown[]) => {
    largestAllocation = Math.max(largestAllocation, size);
    return (originalAlloc as (...args: unknown[]) => Buffer)(size, ...rest);
  }) as typeof Buffer.alloc;
  Buffer.allocUnsafe = ((size: number) => {
    largestAllocation = Math.max(largestAllocation, size);
    return originalAllocUnsafe(size);
  }) as typeof Buffer.allocUnsafe;
}

function restoreAllocations(): void {
  Buffer.alloc = originalAlloc;
  Buffer.allocUnsafe = originalAllocUnsafe;
}

beforeAll(() => {
  dir = makeTempDir('labvault-fuzz-qcow2-');
  const raw = writePatternRaw(join(dir, 'seed.raw'), { size: 512 * 1024, region: 16 * 1024, seed: 17 });
  const variants: [string, string[]][] = [
    ['v3-4k', ['-o', 'cluster_size=4096']],
    ['v2-512', ['-o', 'compat=0.10,cluster_size=512']],
    ['compressed-4k', ['-c', '-o', 'cluster_size=4096']],
    ['extl2-16k', ['-o', 'extended_l2=on,cluster_size=16384']],
  ];
  for (const [name, options] of variants) {
    const path = join(dir, `${name}.qcow2`);
    qemuImg(['convert', '-f', 'raw', '-O', 'qcow2', ...options, raw, path]);
    images.push({ name, bytes: readFileSync(path) });
  }
});
afterAll(() => {
  restoreAllocations();
  removeDir(dir);
});

async function exercise(path: string): Promise<'read' | 'error'> {
  const window = originalAlloc(READ_WINDOW);
  try {
    const disk = await openDiskImage(path, { format: 'qcow2', maxChainDepth: 4 });
    try {
      const length = Math.min(READ_WINDOW, disk.virtualSize);
      await disk.read(window.subarray(0, length), 0, length);
      if (disk.virtualSize > READ_WINDOW) await disk.read(window.subarray(0, 4096), Math.floor(disk.virtualSize / 4096 / 2) * 4096, 4096);
      if (disk.virtualSize <= MAP_LIMIT) await disk.allocationMap();
    } finally {
      await disk.close();
    }
    return 'read';
  } catch (error) {
    if (!(error instanceof LabvaultError)) throw error;
    expect(error.message.length).toBeGreaterThan(10);
    return 'error';
  }
}

describe('qcow2 fuzzing', () => {
  it(`survives ${CASES_PER_IMAGE} mutations of each of 4 images with typed errors and bounded memory`, async () => {
    const outcomes = { read: 0, error: 0 };
    let seed = 1;
    for (const image of images) {
      const random = new Prng(0x5eed + seed);
      seed += 1;
      const path = join(dir, `fuzz-${image.name}.qcow2`);
      for (let index = 0; index < CASES_PER_IMAGE; index += 1) {
        const bytes = mutate(image.bytes, random, basename(path));
        writeFileSync(path, bytes);
        trackAllocations();
        let outcome: 'read' | 'error';
        try {
          outcome = await exercise(path);
          const check = await checkDiskImage(path, { format: 'qcow2' });
          expect(typeof check.clean).toBe('boolean');
        } catch (error) {
          throw new Error(`case ${image.name} #${index}: ${error instanceof Error ? error.stack : String(error)}`);
        } finally {
          restoreAllocations();
        }
        expect(largestAllocation, `case ${image.name} #${index} allocated ${largestAllocation} bytes`).toBeLessThanOrEqual(MAX_ALLOCATION);
        outcomes[outcome] += 1;
      }
    }
    expect(outcomes.read + outcomes.error).toBe(4 * CASES_PER_IMAGE);
    expect(outcomes.error).toBeGreaterThan(100);
    expect(outcomes.read).toBeGreaterThan(100);
  });
});
