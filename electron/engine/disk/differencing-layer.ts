/**
 * What every differencing format (VHD, VHDX) does the same way: open the parent through the
 * chain opener and check it is the disk the child was made from, read the bytes a child
 * does not hold (zeros, or the parent's) and merge allocation maps.
 */
import { badImage } from './image-error.ts';
import { overlayAllocation, pushDiskRange, readFromParent } from './disk-ranges.ts';
import type { LayerRange } from './disk-ranges.ts';
import type { DiskFormat, DiskRange, VirtualDisk } from './virtual-disk.ts';
import type { OpenContext } from './disk-format-module.ts';

/** Opens `parentPath` for `childPath`; `verify` throws when the parent is not the right disk (it is closed then). */
export async function openVerifiedParent(
  ctx: OpenContext | undefined, childPath: string, field: string, parentPath: string, format: DiskFormat,
  verify: (parent: VirtualDisk) => void,
): Promise<VirtualDisk> {
  if (!ctx) throw badImage(childPath, field, 'differencing disk opened without a chain opener');
  const parent = await ctx.openParent(parentPath, childPath, format);
  try {
    verify(parent);
  } catch (error) {
    await parent.close().catch(() => undefined);
    throw error;
  }
  return parent;
}

/** Bytes a layer does not hold: zeros for a base disk, the parent's bytes for a differencing one. */
export async function readAbsentBytes(
  childPath: string, field: string, differencing: boolean, parent: VirtualDisk | null,
  buffer: Buffer, at: number, virtualOffset: number, length: number,
): Promise<void> {
  if (!differencing) {
    buffer.fill(0, at, at + length);
    return;
  }
  if (!parent) throw badImage(childPath, field, 'differencing disk was opened without its parent');
  await readFromParent(parent, buffer, at, virtualOffset, length);
}

/** The merged view's map: this layer over its parent, or the layer alone. */
export async function mergeLayerAllocation(layer: LayerRange[], parent: VirtualDisk | null): Promise<DiskRange[]> {
  if (parent) return overlayAllocation(layer, await parent.allocationMap());
  const merged: DiskRange[] = [];
  for (const range of layer) pushDiskRange(merged, range.offset, range.length, range.state !== 'data');
  return merged;
}
