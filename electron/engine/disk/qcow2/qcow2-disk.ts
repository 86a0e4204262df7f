/**
 * A qcow2 image (v2 or v3) as a VirtualDisk: reads go through Qcow2ClusterMap; data runs
 * contiguous on the host are read with one positioned read straight into the caller's
 * buffer; unallocated runs read from the backing file (opened through the OpenContext).
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { badImage } from '../image-error.ts';
import { ImageFile } from '../image-file.ts';
import { overlayAllocation, readFromParent } from '../disk-ranges.ts';
import { readQcow2Header } from './qcow2-header.ts';
import { Qcow2ClusterMap } from './qcow2-cluster-map.ts';
import { decompressCluster } from './qcow2-decompress.ts';
import type { OpenContext } from '../disk-format-module.ts';
import type { DiskFormat, DiskRange, VirtualDisk } from '../virtual-disk.ts';
import type { Qcow2Header } from './qcow2-header.ts';
import type { Qcow2Extent } from './qcow2-cluster-map.ts';

const KNOWN_FORMATS: readonly DiskFormat[] = ['raw', 'qcow2', 'vmdk', 'vdi', 'vpc', 'vhdx'];

/** The backing format a qcow2 image records, when it is one we know. */
export function backingFormatHint(header: Qcow2Header): DiskFormat | undefined {
  const name = header.backingFormat;
  return name !== null && (KNOWN_FORMATS as readonly string[]).includes(name) ? (name as DiskFormat) : undefined;
}

/** Absolute path of the external data file, resolved against the image's directory. */
export function dataFilePath(imagePath: string, header: Qcow2Header): string | null {
  if (header.dataFile === null) return null;
  return isAbsolute(header.dataFile) ? header.dataFile : resolve(dirname(imagePath), header.dataFile);
}

export class Qcow2Disk implements VirtualDisk {
  readonly format = 'qcow2' as const;
  readonly concurrentReads: boolean;
  readonly path: string;
  readonly virtualSize: number;
  readonly header: Qcow2Header;
  private readonly file: ImageFile;
  private readonly dataFile: ImageFile;
  private readonly map: Qcow2ClusterMap;
  private readonly parent: VirtualDisk | null;
  private lastCompressed: { host: number; data: Buffer } | null = null;

  private constructor(file: ImageFile, dataFile: ImageFile, header: Qcow2Header, map: Qcow2ClusterMap, parent: VirtualDisk | null) {
    this.file = file;
    this.dataFile = dataFile;
    this.path = file.path;
    this.header = header;
    this.virtualSize = header.virtualSize;
    this.map = map;
    this.parent = parent;
    this.concurrentReads = parent === null || parent.concurrentReads === true;
  }

  static async open(path: string, ctx: OpenContext): Promise<Qcow2Disk> {
    const file = await ImageFile.open(path);
    let dataFile: ImageFile | null = null;
    try {
      const header = await readQcow2Header(file);
      const map = await Qcow2ClusterMap.load(file, header);
      const external = dataFilePath(path, header);
      dataFile = external ? await ImageFile.open(external) : file;
      const parent = header.backingFile === null ? null : await ctx.openParent(header.backingFile, path, backingFormatHint(header));
      return new Qcow2Disk(file, dataFile, header, map, parent);
    } catch (error) {
      if (dataFile && dataFile !== file) await dataFile.close().catch(() => undefined);
      await file.close().catch(() => undefined);
      throw error;
    }
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<void> {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > this.virtualSize) {
      throw badImage(this.path, 'read range', `bytes [${offset}, ${offset + length}) lie past the virtual size ${this.virtualSize}`);
    }
    const extents: Qcow2Extent[] = [];
    await this.map.extents(offset, length, (extent) => extents.push(extent));
    for (const extent of extents) {
      const at = extent.offset - offset;
      if (extent.kind === 'data') await this.dataFile.readZeroFilled(buffer, at, extent.length, extent.host);
      else if (extent.kind === 'zero') buffer.fill(0, at, at + extent.length);
      else if (extent.kind === 'unallocated') await readFromParent(this.parent, buffer, at, extent.offset, extent.length);
      else {
        const cluster = await this.compressedCluster(extent);
        const from = extent.offset - extent.clusterStart!;
        cluster.copy(buffer, at, from, from + extent.length);
      }
    }
  }

  private async compressedCluster(extent: Qcow2Extent): Promise<Buffer> {
    const location = extent.compressed!;
    if (this.lastCompressed?.host === location.hostOffset) return this.lastCompressed.data;
    const field = `qcow2 compressed cluster at virtual offset ${extent.clusterStart}`;
    if (location.hostOffset >= this.file.size) {
      throw badImage(this.path, field, `compressed data offset ${location.hostOffset} lies past the end of the file (${this.file.size} bytes)`, { reason: 'truncated' });
    }
    const span = Buffer.allocUnsafe(Math.min(location.size, this.file.size - location.hostOffset));
    await this.file.readInto(span, 0, span.length, location.hostOffset, field);
    const data = decompressCluster(this.path, span, this.header.clusterSize, this.header.compressionType, field);
    this.lastCompressed = { host: location.hostOffset, data };
    return data;
  }

  async allocationMap(): Promise<DiskRange[]> {
    const layer = await this.map.layerMap();
    const parentMap = this.parent ? await this.parent.allocationMap() : null;
    return overlayAllocation(layer, parentMap);
  }

  async close(): Promise<void> {
    if (this.dataFile !== this.file) await this.dataFile.close().catch(() => undefined);
    await this.file.close();
    if (this.parent) await this.parent.close();
  }
}
