/**
 * Allocation maps of a backing chain. A format reader describes its own layer with
 * LayerRange (data / zero / unallocated); overlayAllocation merges it over the parent's
 * merged map: unallocated ranges fall through to the parent, zero ranges mask it.
 */
import type { DiskRange, VirtualDisk } from './virtual-disk.ts';

/** State of a range in one layer of a chain. */
export type LayerState = 'data' | 'zero' | 'unallocated';

export interface LayerRange {
  offset: number;
  length: number;
  state: LayerState;
}

/** Appends a range, merging it into the last one when adjacent and of the same kind. */
export function pushDiskRange(ranges: DiskRange[], offset: number, length: number, zero: boolean): void {
  if (length <= 0) return;
  const last = ranges[ranges.length - 1];
  if (last && last.zero === zero && last.offset + last.length === offset) {
    last.length += length;
    return;
  }
  ranges.push({ offset, length, zero });
}

/** Appends a layer range, merging it into the last one when adjacent and of the same state. */
export function pushLayerRange(ranges: LayerRange[], offset: number, length: number, state: LayerState): void {
  if (length <= 0) return;
  const last = ranges[ranges.length - 1];
  if (last && last.state === state && last.offset + last.length === offset) {
    last.length += length;
    return;
  }
  ranges.push({ offset, length, state });
}

/**
 * Merges one layer over its parent's merged map. `parent` null: no backing file, so
 * unallocated reads as zeros. Parent ranges past the parent's size read as zeros.
 */
export function overlayAllocation(layer: readonly LayerRange[], parent: readonly DiskRange[] | null): DiskRange[] {
  const merged: DiskRange[] = [];
  let parentIndex = 0;
  for (const range of layer) {
    if (range.state !== 'unallocated' || parent === null) {
      pushDiskRange(merged, range.offset, range.length, range.state !== 'data');
      continue;
    }
    let position = range.offset;
    const end = range.offset + range.length;
    while (position < end) {
      while (parentIndex < parent.length) {
        const candidate = parent[parentIndex]!;
        if (candidate.offset + candidate.length > position) break;
        parentIndex += 1;
      }
      const covering = parent[parentIndex];
      if (!covering || covering.offset > position) {
        const gapEnd = covering ? Math.min(end, covering.offset) : end;
        pushDiskRange(merged, position, gapEnd - position, true);
        position = gapEnd;
        continue;
      }
      const pieceEnd = Math.min(end, covering.offset + covering.length);
      pushDiskRange(merged, position, pieceEnd - position, covering.zero);
      position = pieceEnd;
    }
  }
  return merged;
}

/** Bytes of data (not zero) in a map. */
export function dataBytes(ranges: readonly DiskRange[]): number {
  let total = 0;
  for (const range of ranges) if (!range.zero) total += range.length;
  return total;
}

/**
 * Reads [offset, offset+length) from a parent disk into buffer[bufferOffset..]; the part
 * past the parent's virtual size (a parent smaller than its child) reads as zeros.
 */
export async function readFromParent(
  parent: VirtualDisk | null, buffer: Buffer, bufferOffset: number, offset: number, length: number,
): Promise<void> {
  const inParent = parent ? Math.max(0, Math.min(length, parent.virtualSize - offset)) : 0;
  if (parent && inParent > 0) {
    await parent.read(buffer.subarray(bufferOffset, bufferOffset + inParent), offset, inParent);
  }
  if (inParent < length) buffer.fill(0, bufferOffset + inParent, bufferOffset + length);
}
