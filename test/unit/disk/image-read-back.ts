/**
 * Test helpers for the VMDK and VDI readers: open through the real chain opener, read a
 * whole (small) disk in uneven pieces, and check an allocation map against the bytes.
 */
import { expect } from 'vitest';
import { openDiskImage } from '../../../electron/engine/disk/open-disk-image.ts';
import type { DiskRange, VirtualDisk } from '../../../electron/engine/disk/virtual-disk.ts';

/** Reads the whole disk in pieces of `piece` bytes (uneven on purpose, crossing grains). */
export async function readWholeImage(disk: VirtualDisk, piece = 300_007): Promise<Buffer> {
  const out = Buffer.alloc(disk.virtualSize);
  for (let offset = 0; offset < disk.virtualSize; offset += piece) {
    const length = Math.min(piece, disk.virtualSize - offset);
    await disk.read(out.subarray(offset, offset + length), offset, length);
  }
  return out;
}

/** Opens `path` with the production opener and returns its bytes and map. */
export async function openAndRead(path: string): Promise<{ bytes: Buffer; map: DiskRange[]; disk: VirtualDisk }> {
  const disk = await openDiskImage(path);
  try {
    return { bytes: await readWholeImage(disk), map: await disk.allocationMap(), disk };
  } finally {
    await disk.close();
  }
}

/** The map covers [0, size) in order, and every zero range reads as zeros. */
export function expectMapConsistent(map: DiskRange[], bytes: Buffer): void {
  let position = 0;
  for (const range of map) {
    expect(range.offset).toBe(position);
    if (range.zero) expect(bytes.subarray(range.offset, range.offset + range.length).every((byte) => byte === 0)).toBe(true);
    position += range.length;
  }
  expect(position).toBe(bytes.length);
}

/** `count` reads at pseudo-random offsets and lengths (crossing grains, extents and layers) compared with `reference`. */
export async function expectRandomReadsMatch(disk: VirtualDisk, reference: Buffer, count = 200, seed = 1): Promise<void> {
  let x = seed | 0 || 1;
  const next = (max: number): number => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) % Math.max(1, max);
  };
  for (let index = 0; index < count; index += 1) {
    const offset = next(disk.virtualSize);
    const length = Math.min(disk.virtualSize - offset, 1 + next(index % 4 === 0 ? 400_000 : 5000));
    const bytes = Buffer.alloc(length);
    await disk.read(bytes, offset, length);
    expect(bytes.equals(reference.subarray(offset, offset + length)), `read of ${length} bytes at ${offset}`).toBe(true);
  }
}
