/**
 * Proof that a disk written by a restore (merged or converted) holds what the point's chain
 * holds: the staged chain and the written image opened side by side and compared byte for
 * byte (disk-content-compare.ts), both closed whatever the outcome.
 */
import { openDiskImage } from '../disk/open-disk-image.ts';
import type { DiskFormat } from '../disk/virtual-disk.ts';
import { assertSameContent } from './disk-content-compare.ts';
import { openStagedDisk, type StagedRoot } from './staged-disk-chain.ts';

/** Throws CORRUPT at the first difference; `onBytes` gets each compared window's length. */
export async function assertRestoredDiskMatches(
  staged: string, staging: StagedRoot, written: string, format: DiskFormat,
  onBytes: (bytes: number) => void, signal: AbortSignal,
): Promise<void> {
  const expected = await openStagedDisk(staged, staging);
  try {
    const actual = await openDiskImage(written, { format });
    try {
      await assertSameContent(expected, actual, written, onBytes, signal);
    } finally {
      await actual.close();
    }
  } finally {
    await expected.close();
  }
}
