/**
 * Deterministic synthetic VM disks for the vault bench. The disk is a cycle of 1 MiB
 * regions, 10 per cycle: 4 random (AES-CTR keystream, unique per region), 2 compressible
 * text (unique per region), 4 zero (holes). `rewriteRegions` makes the "day 2" disk by
 * overwriting a deterministic subset of regions in place with new random data.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

export const REGION_SIZE = 1024 * 1024;
const CYCLE = ['random', 'random', 'text', 'zero', 'zero', 'random', 'random', 'text', 'zero', 'zero'] as const;

function keystream(seed: string, length: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return cipher.update(Buffer.alloc(length));
}

function textRegion(region: number): Buffer {
  const out = Buffer.alloc(REGION_SIZE);
  let offset = 0;
  let line = 0;
  while (offset < REGION_SIZE) {
    offset += out.write(`${region}:${line} INFO kernel: eth0 link up 1000Mbps full duplex; sector ${region * 2048 + line} ok\n`, offset);
    line += 1;
  }
  return out;
}

export function regionKind(region: number): (typeof CYCLE)[number] {
  return CYCLE[region % CYCLE.length]!;
}

/** Writes the day-1 disk (sparse: zero regions are holes). */
export async function writeBenchDisk(path: string, size: number): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.truncate(size);
    const regions = Math.ceil(size / REGION_SIZE);
    for (let region = 0; region < regions; region += 1) {
      const kind = regionKind(region);
      if (kind === 'zero') continue;
      const data = kind === 'random' ? keystream(`day1-${region}`, REGION_SIZE) : textRegion(region);
      const length = Math.min(REGION_SIZE, size - region * REGION_SIZE);
      await handle.write(data, 0, length, region * REGION_SIZE);
    }
  } finally {
    await handle.close();
  }
}

/** Regions chosen for a rewrite: a deterministic `fraction` of all regions. */
export function changedRegions(size: number, fraction: number, salt: string): number[] {
  const regions = Math.ceil(size / REGION_SIZE);
  const out: number[] = [];
  for (let region = 0; region < regions; region += 1) {
    const value = createHash('sha256').update(`${salt}-${region}`).digest().readUInt32LE(0) / 2 ** 32;
    if (value < fraction) out.push(region);
  }
  return out;
}

/** Rewrites the chosen regions in place with new random data; returns bytes changed. */
export async function rewriteRegions(path: string, regions: number[], salt: string): Promise<number> {
  const handle = await open(path, 'r+');
  let changed = 0;
  try {
    for (const region of regions) {
      await handle.write(keystream(`${salt}-${region}`, REGION_SIZE), 0, REGION_SIZE, region * REGION_SIZE);
      changed += REGION_SIZE;
    }
  } finally {
    await handle.close();
  }
  return changed;
}

/** Writes `count` scattered 4 KiB random blocks (guest-like small writes); returns bytes changed. */
export async function scatterSmallWrites(path: string, size: number, count: number, salt: string): Promise<number> {
  const handle = await open(path, 'r+');
  try {
    const block = 4096;
    const blocks = Math.floor(size / block);
    for (let i = 0; i < count; i += 1) {
      const pick = createHash('sha256').update(`${salt}-${i}`).digest().readUInt32LE(0) % blocks;
      await handle.write(keystream(`${salt}-w${i}`, block), 0, block, pick * block);
    }
  } finally {
    await handle.close();
  }
  return count * 4096;
}

/** A thin disk: `size` bytes, one 1 MiB random region every `every` bytes, the rest holes. */
export async function writeThinDisk(path: string, size: number, every: number): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.truncate(size);
    for (let offset = 0; offset + REGION_SIZE <= size; offset += every) {
      await handle.write(keystream(`thin-${offset}`, REGION_SIZE), 0, REGION_SIZE, offset);
    }
  } finally {
    await handle.close();
  }
}
