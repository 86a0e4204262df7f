/**
 * What the guest fuzz tests share: a seeded generator (a failure names a reproducible
 * case), a bounded walk of a mutated filesystem, and the check that a walk either works or
 * ends in a typed LabvaultError.
 */
import { expect } from 'vitest';
import { isLabvaultError } from '../../../shared/errors.ts';
import type { GuestFilesystem } from '../../../electron/engine/guest/guest-filesystem.ts';

const TYPED = new Set(['GUEST_UNREADABLE', 'UNSUPPORTED', 'NOT_FOUND', 'INVALID_INPUT', 'TIMEOUT']);

/** A small deterministic generator (mulberry32), so a failure names a reproducible case. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lists up to 200 folders, reads the first chunks of each file, then runs the metadata check. */
export async function walk(fs: GuestFilesystem): Promise<void> {
  const queue = ['/'];
  let visited = 0;
  while (queue.length > 0 && visited < 200) {
    const path = queue.shift() as string;
    visited += 1;
    for (const entry of await fs.list(path)) {
      const child = path === '/' ? `/${entry.name}` : `${path}/${entry.name}`;
      if (entry.type === 'dir') queue.push(child);
      else if (entry.type === 'file') {
        // A mutated size may claim terabytes of holes: read the first chunks only.
        let chunks = 0;
        for await (const chunk of fs.readFile(child)) {
          expect(chunk.length).toBeGreaterThan(0);
          chunks += 1;
          if (chunks >= 4) break;
        }
      }
    }
  }
  await fs.checkMetadata({ maxInodes: 200 });
}

/** Runs `work`; 'ok', or the code of the typed error it ended in (anything else fails the test). */
export async function expectTypedOrFine(work: () => Promise<void>, label: string): Promise<'ok' | string> {
  try {
    await work();
    return 'ok';
  } catch (error) {
    expect(isLabvaultError(error), `${label}: ${String(error)}`).toBe(true);
    const code = (error as { code: string }).code;
    expect(TYPED.has(code), `${label}: ${code} ${(error as Error).message}`).toBe(true);
    return code;
  }
}
