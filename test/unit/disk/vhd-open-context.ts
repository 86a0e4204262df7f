/**
 * Test helpers for VHD/VHDX readers: the real chain opener as OpenContext, and a whole-disk
 * read in uneven pieces.
 */
import type { OpenContext } from '../../../electron/engine/disk/disk-format-module.ts';
import type { VirtualDisk } from '../../../electron/engine/disk/virtual-disk.ts';
import { topChainContext } from '../../../electron/engine/disk/chain-opener.ts';

/** The registry's chain opener (loops, depth, missing parents handled there). */
export function testOpenContext(): OpenContext {
  return topChainContext();
}

/** Reads a whole (small) disk through `read` in uneven pieces to exercise block edges. */
export async function readWholeDisk(disk: VirtualDisk, piece = 300_000): Promise<Buffer> {
  const out = Buffer.alloc(disk.virtualSize);
  for (let offset = 0; offset < disk.virtualSize; offset += piece) {
    const length = Math.min(piece, disk.virtualSize - offset);
    const target = Buffer.alloc(length);
    await disk.read(target, offset, length);
    target.copy(out, offset);
  }
  return out;
}
