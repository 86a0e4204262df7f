/**
 * A qcow2 image (v2 or v3) as a VirtualDisk: reads go through Qcow2ClusterMap; data runs
 * contiguous on the host are read with one positioned read straight into the caller's
 * buffer; unallocated runs read from the backing file (opened through the OpenContext).
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { badImage } from '../image-error.ts';
import type { ImageFile } from '../image-file.ts';
import { overlayAllocation, readFromParent } from '../disk-ranges.ts';
import { readQcow2Header } from './qcow2-header.ts';
import { Qcow2ClusterMap } from './qcow2-cluster-map.ts';
import { decompressCluster } from './qcow2-decompress.ts';
import { openerOf } from '../disk-format-module.ts';
import type { OpenContext } from '../disk-format-module.ts';
import type { DiskFormat, DiskRange, VirtualDisk } from '../virtual-disk.ts';
import type { Qcow2Header } from './qcow2-header.ts';
import type { Qcow2Extent } from './qcow2-cluster-map.ts';

/** Most bytes of compressed data read at once for a run of compressed clusters. */
const COMPRESSED_RUN_BYTES = 4 * 1024 * 1024;
/** Compressed clusters this close on the host are read in one go (gap bytes read too). */
const COMPRESSED_RUN_GAP = 4096;

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

  private constructor(
    file: ImageFile, dataFile: ImageFile, header: Qcow2Header, map: Qcow2ClusterMap, parent: VirtualDisk | null,
  ) {
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
    const opener = openerOf(ctx);
    const file = await opener.open(path);
    let dataFile: ImageFile | null = null;
    try {
      const header = await readQcow2Header(file);
      const map = await Qcow2ClusterMap.load(file, header);
      const external = dataFilePath(path, header);
      dataFile = external ? await opener.open(external) : file;
      const parent = header.backingFile === null
        ? null
        : await ctx.openParent(header.backingFile, path, backingFormatHint(header));
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
    for (let index = 0; index < extents.length;) {
      const extent = extents[index]!;
      const at = extent.offset - offset;
      if (extent.kind === 'compressed') {
        index = await this.readCompressedRun(extents, index, buffer, offset);
        continue;
      }
      if (extent.kind === 'data') await this.dataFile.readZeroFilled(buffer, at, extent.length, extent.host);
      else if (extent.kind === 'zero') buffer.fill(0, at, at + extent.length);
      else await readFromParent(this.parent, buffer, at, extent.offset, extent.length);
      index += 1;
    }
  }

  /**
   * Reads a run of compressed clusters that lie one after another in the file with one
   * read (at most COMPRESSED_RUN_BYTES), decompresses them in parallel, and copies each
   * into place. Returns the index of the first extent after the run.
   */
  private async readCompressedRun(
    extents: readonly Qcow2Extent[], first: number, buffer: Buffer, offset: number,
  ): Promise<number> {
    const head = extents[first]!.compressed!;
    let start = head.hostOffset;
    let end = head.hostOffset + head.size;
    let last = first;
    while (last + 1 < extents.length) {
      const next = extents[last + 1]!;
      if (next.kind !== 'compressed') break;
      const location = next.compressed!;
      const nextEnd = Math.max(end, location.hostOffset + location.size);
      if (location.hostOffset < start || location.hostOffset > end + COMPRESSED_RUN_GAP) break;
      if (nextEnd - start > COMPRESSED_RUN_BYTES) break;
      end = nextEnd;
      last += 1;
    }
    const field = `qcow2 compressed cluster at virtual offset ${extents[first]!.clusterStart}`;
    if (start >= this.file.size) {
      throw badImage(this.path, field, `compressed data offset ${start} lies past the end of the file (${this.file.size} bytes)`, { reason: 'truncated' });
    }
    end = Math.min(end, this.file.size);
    const span = Buffer.allocUnsafe(end - start);
    await this.file.readInto(span, 0, span.length, start, field);
    const run = extents.slice(first, last + 1);
    await Promise.all(run.map(async (extent) => {
      const location = extent.compressed!;
      const cached = this.lastCompressed?.host === location.hostOffset ? this.lastCompressed.data : null;
      const compressedEnd = Math.min(location.hostOffset + location.size, end);
      const compressed = span.subarray(location.hostOffset - start, compressedEnd - start);
      const cluster = cached ?? await decompressCluster(this.path, compressed, this.header.clusterSize,
        this.header.compressionType, `qcow2 compressed cluster at virtual offset ${extent.clusterStart}`);
      const from = extent.offset - extent.clusterStart!;
      cluster.copy(buffer, extent.offset - offset, from, from + extent.length);
      if (extent.offset + extent.length < extent.clusterStart! + this.header.clusterSize) {
        this.lastCompressed = { host: location.hostOffset, data: cluster };
      }
    }));
    return last + 1;
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
