/**
 * A VMDK as a VirtualDisk: its extents laid end to end, over an optional parent (snapshot
 * chain through parentFileNameHint). Like qemu, a child whose parentCID differs from the
 * parent's CID opens, reads its own grains, and fails reads that fall through to the parent.
 */
import { ErrorCodes } from '../../../../shared/errors.ts';
import { badImage, imageError } from '../image-error.ts';
import { overlayAllocation, readFromParent } from '../disk-ranges.ts';
import type { LayerRange } from '../disk-ranges.ts';
import type { DiskRange, VirtualDisk } from '../virtual-disk.ts';
import { openerOf } from '../disk-format-module.ts';
import type { OpenContext } from '../disk-format-module.ts';
import { openVmdkLayout, readVmdkCid } from './vmdk-layout.ts';
import type { VmdkLayout } from './vmdk-layout.ts';
import { resolveVmdkPath } from './vmdk-descriptor.ts';

export class VmdkDisk implements VirtualDisk {
  readonly format = 'vmdk' as const;
  readonly path: string;
  readonly virtualSize: number;
  readonly layout: VmdkLayout;
  readonly parent: VirtualDisk | null;
  /** False when the parent's CID is not the parentCID this disk recorded (qemu: reads through fail). */
  readonly parentCidValid: boolean;
  private readonly starts: number[];

  /** CID read from the parent's descriptor, null when there is no VMDK parent. */
  readonly parentActualCid: number | null;

  private constructor(
    path: string, layout: VmdkLayout, parent: VirtualDisk | null, parentCidValid: boolean,
    parentActualCid: number | null,
  ) {
    this.path = path;
    this.parentActualCid = parentActualCid;
    this.layout = layout;
    this.parent = parent;
    this.parentCidValid = parentCidValid;
    this.starts = [];
    let total = 0;
    for (const extent of layout.extents) {
      this.starts.push(total);
      total += extent.size;
    }
    this.virtualSize = total;
  }

  get cid(): number {
    return this.layout.descriptor.cid;
  }

  static async open(path: string, ctx: OpenContext): Promise<VmdkDisk> {
    const opener = openerOf(ctx);
    const layout = await openVmdkLayout(path, opener);
    let parent: VirtualDisk | null = null;
    try {
      const hint = layout.descriptor.parentFileNameHint;
      if (hint !== null) {
        parent = await ctx.openParent(resolveVmdkPath(path, hint), path, 'vmdk');
      }
      const parentCid = parent === null ? null : await readVmdkCid(parent.path, parent.format, opener);
      const valid = parent === null || parentCid === layout.descriptor.parentCid;
      return new VmdkDisk(path, layout, parent, valid, parentCid);
    } catch (error) {
      await parent?.close().catch(() => undefined);
      for (const extent of layout.extents) await extent.close().catch(() => undefined);
      throw error;
    }
  }

  /** This image alone, parent not opened (for info): reads of unallocated grains give zeros. */
  static async openLayer(path: string): Promise<VmdkDisk> {
    return new VmdkDisk(path, await openVmdkLayout(path), null, true, null);
  }

  private parentRead(base: number) {
    return async (buffer: Buffer, bufferOffset: number, offset: number, length: number): Promise<void> => {
      if (this.parent && !this.parentCidValid) {
        const parentCid = this.parentActualCid === null ? 'none (not a VMDK)' : this.parentActualCid.toString(16).padStart(8, '0');
        throw imageError(ErrorCodes.BAD_IMAGE,
          `${this.path}: parentCID ${this.layout.descriptor.parentCid.toString(16).padStart(8, '0')} does not match the CID ${parentCid} of parent ${this.parent.path}: the parent changed after this snapshot was taken`,
          { file: this.path, field: 'vmdk.descriptor.parentCID' });
      }
      await readFromParent(this.parent, buffer, bufferOffset, base + offset, length);
    };
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<void> {
    if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > this.virtualSize) {
      throw badImage(this.path, 'read range', `bytes [${offset}, ${offset + length}) lie past the virtual size ${this.virtualSize}`);
    }
    let position = offset;
    const end = offset + length;
    let index = this.extentIndex(position);
    while (position < end) {
      const extent = this.layout.extents[index]!;
      const start = this.starts[index]!;
      const piece = Math.min(end, start + extent.size) - position;
      if (piece > 0) await extent.read(buffer, position - offset, position - start, piece, this.parentRead(start));
      position += Math.max(piece, 0);
      index += 1;
    }
  }

  private extentIndex(position: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= position) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /** This image's own layer (data / zero / unallocated), parents excluded. */
  async layerMap(): Promise<LayerRange[]> {
    const ranges: LayerRange[] = [];
    for (const [index, extent] of this.layout.extents.entries()) {
      const start = this.starts[index]!;
      for (const range of await extent.layerMap()) {
        const last = ranges[ranges.length - 1];
        if (last && last.state === range.state && last.offset + last.length === start + range.offset) {
          last.length += range.length;
        }
        else ranges.push({ offset: start + range.offset, length: range.length, state: range.state });
      }
    }
    return ranges;
  }

  async allocationMap(): Promise<DiskRange[]> {
    const parentMap = this.parent ? await this.parent.allocationMap() : null;
    return overlayAllocation(await this.layerMap(), parentMap);
  }

  async close(): Promise<void> {
    for (const extent of this.layout.extents) await extent.close().catch(() => undefined);
    await this.parent?.close();
  }
}
