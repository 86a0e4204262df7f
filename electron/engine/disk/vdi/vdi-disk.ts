/**
 * A VDI image (dynamic, fixed or differencing) as a VirtualDisk. The block map (4 bytes
 * per block, bounded by the file size and MAX_BLOCKS) is loaded once; data is read in
 * runs of blocks that are contiguous in the file. Byte layout: vdi-header.ts.
 * Differencing images read unallocated blocks from the parent (see vdi-parent-search.ts).
 */
import { ErrorCodes } from '../../../../shared/errors.ts';
import type { ImageFile } from '../image-file.ts';
import { localImageOpener } from '../image-opener.ts';
import type { ImageOpener } from '../image-opener.ts';
import { badImage, imageError, truncatedImage } from '../image-error.ts';
import { overlayAllocation, pushLayerRange, readFromParent } from '../disk-ranges.ts';
import type { LayerRange } from '../disk-ranges.ts';
import { openerOf } from '../disk-format-module.ts';
import type { OpenContext } from '../disk-format-module.ts';
import type { DiskRange, VirtualDisk } from '../virtual-disk.ts';
import { BLOCK_UNALLOCATED, BLOCK_ZERO, VDI_HEADER_BYTES, VDI_TYPE_DIFF, formatVdiUuid, parseVdiHeader } from './vdi-header.ts';
import type { VdiHeader } from './vdi-header.ts';
import { findVdiParent } from './vdi-parent-search.ts';

export interface VdiOpenOptions {
  /** Parent of a differencing image, when the caller knows it (from the .vbox file). */
  parentPath?: string;
}

export class VdiDisk implements VirtualDisk {
  readonly format = 'vdi' as const;
  readonly path: string;
  readonly virtualSize: number;
  readonly header: VdiHeader;
  readonly blockMap: Uint32Array;
  readonly parent: VirtualDisk | null;
  private readonly file: ImageFile;

  private constructor(file: ImageFile, header: VdiHeader, blockMap: Uint32Array, parent: VirtualDisk | null) {
    this.file = file;
    this.path = file.path;
    this.header = header;
    this.blockMap = blockMap;
    this.parent = parent;
    this.virtualSize = header.diskSize;
  }

  /** Reads header and block map of `file`. */
  static async readLayout(file: ImageFile): Promise<{ header: VdiHeader; blockMap: Uint32Array }> {
    if (file.size < VDI_HEADER_BYTES) throw truncatedImage(file.path, 'vdi.header', 0, VDI_HEADER_BYTES, file.size);
    const header = parseVdiHeader(file.path, await file.readAt(0, VDI_HEADER_BYTES, 'vdi.header'), file.size);
    const raw = await file.readAt(header.offsetBlocks, header.blocksInImage * 4, 'vdi.blockMap');
    const blockMap = new Uint32Array(header.blocksInImage);
    for (let index = 0; index < blockMap.length; index += 1) blockMap[index] = raw.readUInt32LE(index * 4);
    return { header, blockMap };
  }

  /** Opens the image alone (no parent), e.g. for info. */
  static async openLayer(path: string, opener: ImageOpener = localImageOpener): Promise<VdiDisk> {
    const file = await opener.open(path);
    try {
      const { header, blockMap } = await VdiDisk.readLayout(file);
      return new VdiDisk(file, header, blockMap, null);
    } catch (error) {
      await file.close().catch(() => undefined);
      throw error;
    }
  }

  static async open(path: string, ctx: OpenContext, options: VdiOpenOptions = {}): Promise<VdiDisk> {
    const opener = openerOf(ctx);
    const file = await opener.open(path);
    let parent: VirtualDisk | null = null;
    try {
      const { header, blockMap } = await VdiDisk.readLayout(file);
      if (header.imageType === VDI_TYPE_DIFF) {
        const parentPath = options.parentPath ?? (await findVdiParent(path, header.uuidLink, opener));
        if (parentPath === null) {
          throw imageError(ErrorCodes.NOT_FOUND,
            `${path}: differencing image needs its parent with UUID ${formatVdiUuid(header.uuidLink)}, and no .vdi file with that UUID is in its folder or the folder above; VirtualBox records the parent's path in the VM's .vbox file`,
            { file: path, field: 'vdi.header.uuidLink', details: { parentUuid: formatVdiUuid(header.uuidLink) } });
        }
        parent = await ctx.openParent(parentPath, path, 'vdi');
      }
      return new VdiDisk(file, header, blockMap, parent);
    } catch (error) {
      await parent?.close().catch(() => undefined);
      await file.close().catch(() => undefined);
      throw error;
    }
  }

  /** File offset of block `index`'s data, or a state. */
  private blockPosition(index: number): number {
    const entry = this.blockMap[index]!;
    return this.header.offsetData + entry * (this.header.blockSize + this.header.blockExtra) + this.header.blockExtra;
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<void> {
    if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > this.virtualSize) {
      throw badImage(this.path, 'read range', `bytes [${offset}, ${offset + length}) lie past the virtual size ${this.virtualSize}`);
    }
    const { blockSize } = this.header;
    const end = offset + length;
    let run: { kind: 'data' | 'parent'; virtual: number; file: number; buf: number; length: number } | null = null;
    const flush = async (): Promise<void> => {
      const current = run;
      run = null;
      if (!current) return;
      if (current.kind === 'parent') {
        await readFromParent(this.parent, buffer, current.buf, current.virtual, current.length);
        return;
      }
      await this.file.readZeroFilled(buffer, current.buf, current.length, current.file);
    };
    let position = offset;
    while (position < end) {
      const index = Math.floor(position / blockSize);
      const inBlock = position - index * blockSize;
      const piece = Math.min(blockSize - inBlock, end - position);
      const target = position - offset;
      const entry = this.blockMap[index] ?? BLOCK_UNALLOCATED;
      const kind = entry === BLOCK_ZERO || (entry === BLOCK_UNALLOCATED && this.parent === null) ? 'zero' : entry === BLOCK_UNALLOCATED ? 'parent' : 'data';
      if (kind === 'zero') {
        await flush();
        buffer.fill(0, target, target + piece);
      } else {
        const filePosition = kind === 'data' ? this.blockPosition(index) + inBlock : 0;
        if (kind === 'data' && filePosition - inBlock >= this.file.size) {
          throw truncatedImage(this.path, `vdi.block[${index}]`, filePosition - inBlock, blockSize, this.file.size);
        }
        if (run && run.kind === kind && run.buf + run.length === target && (kind === 'parent' || run.file + run.length === filePosition)) {
          run.length += piece;
        } else {
          await flush();
          run = { kind, virtual: position, file: filePosition, buf: target, length: piece };
        }
      }
      position += piece;
    }
    await flush();
  }

  /** This image's own layer. */
  layerMap(): LayerRange[] {
    const ranges: LayerRange[] = [];
    const { blockSize } = this.header;
    for (let index = 0; index * blockSize < this.virtualSize; index += 1) {
      const entry = this.blockMap[index] ?? BLOCK_UNALLOCATED;
      const state = entry === BLOCK_ZERO ? 'zero' : entry === BLOCK_UNALLOCATED ? 'unallocated' : 'data';
      pushLayerRange(ranges, index * blockSize, Math.min(blockSize, this.virtualSize - index * blockSize), state);
    }
    return ranges;
  }

  async allocationMap(): Promise<DiskRange[]> {
    const parentMap = this.parent ? await this.parent.allocationMap() : null;
    return overlayAllocation(this.layerMap(), parentMap);
  }

  async close(): Promise<void> {
    await this.file.close().catch(() => undefined);
    await this.parent?.close();
  }
}
