/**
 * The files of a recovery point as an ImageOpener (disk/image-opener.ts), so the disk
 * format readers open a point's images in place, straight from the vault's chunks, without
 * staging anything: each file sits at the path it had at backup time (the manifest's
 * `sources`, laid out as restore stages them, staged-point.ts stagedLayout, with `/` as the
 * root) and reads through a PointDiskSource, so only the chunks a reader asks for are
 * fetched (a qcow2 header, L1 and L2 tables, then the data clusters), through the shared
 * bounded ChunkCache.
 *
 * Parent and extent names read out of an image resolve against these paths only: a path
 * that is not one of the point's files does not exist here (ENOENT), and nothing on this
 * machine is ever opened, stat'ed or listed for it.
 */
import { basename, dirname, resolve } from 'node:path';
import { ImageFile } from '../disk/image-file.ts';
import { noSuchFile } from '../disk/image-opener.ts';
import type { FolderFile, ImageFileStat, ImageOpener } from '../disk/image-opener.ts';
import { stagedLayout } from '../restore/staged-point.ts';
import type { FixedIndex, Manifest, ManifestFile, VaultStore } from '../vault/store/index.ts';
import type { ChunkCache } from './chunk-cache.ts';
import { PointDiskSource } from './point-disk-source.ts';
import type { ReadCounters } from './point-disk-source.ts';

export class PointImageOpener implements ImageOpener {
  private readonly store: VaultStore;
  private readonly manifest: Manifest;
  private readonly cache: ChunkCache;
  private readonly byPath = new Map<string, ManifestFile>();
  private readonly pathByName = new Map<string, string>();
  private readonly indexes = new Map<string, Promise<FixedIndex>>();
  private readonly sources: PointDiskSource[] = [];
  /** Files open now, by handle number: what a disk opened holds tells which files it reads. */
  private readonly held = new Map<number, string>();
  private nextHandle = 1;

  constructor(store: VaultStore, manifest: Manifest, cache: ChunkCache) {
    this.store = store;
    this.manifest = manifest;
    this.cache = cache;
    for (const entry of stagedLayout(manifest, manifest.files, '/')) {
      this.byPath.set(entry.staged, entry.file);
      this.pathByName.set(entry.file.path, entry.staged);
    }
  }

  /** Chunks read by every file this opener opened. */
  readonly counters: ReadCounters = Object.defineProperties({} as ReadCounters, {
    chunksRead: { enumerable: true, get: () => this.total('chunksRead') },
    zeroChunks: { enumerable: true, get: () => this.total('zeroChunks') },
  });

  private total(counter: keyof ReadCounters): number {
    return this.sources.reduce((sum, source) => sum + source.counters[counter], 0);
  }

  /** The path a point file is opened at (its source path at backup time). */
  pathOf(file: ManifestFile): string {
    return this.pathByName.get(file.path) ?? resolve('/.flat', file.path);
  }

  /** The point file at `path`, if any. */
  fileAt(path: string): ManifestFile | undefined {
    return this.byPath.get(resolve(path));
  }

  /** A block source over the point file at `path` (reads straight from its chunks). */
  async sourceOf(path: string): Promise<PointDiskSource> {
    const file = this.fileAt(path);
    if (!file) throw noSuchFile(path, 'open');
    let index = this.indexes.get(file.indexId);
    if (!index) {
      index = this.store.readIndex(file.indexId, file.size);
      this.indexes.set(file.indexId, index);
    }
    const source = new PointDiskSource(await index, this.store.chunks, this.cache,
      `${resolve(path)} (${file.path} of point ${this.manifest.pointId})`);
    this.sources.push(source);
    return source;
  }

  async open(path: string): Promise<ImageFile> {
    const source = await this.sourceOf(path);
    const handle = this.nextHandle;
    this.nextHandle += 1;
    this.held.set(handle, resolve(path));
    return ImageFile.over({
      readInto: (buffer, bufferOffset, position, length) => source.readInto(buffer, bufferOffset, position, length),
      close: () => this.held.delete(handle),
    }, source.size, resolve(path));
  }

  async stat(path: string): Promise<ImageFileStat> {
    const file = this.fileAt(path);
    if (!file) throw noSuchFile(path, 'stat');
    return { kind: 'file', size: file.size };
  }

  async realpath(path: string): Promise<string> {
    if (!this.fileAt(path)) throw noSuchFile(path, 'realpath');
    return resolve(path);
  }

  async listFiles(dir: string, max: number): Promise<FolderFile[]> {
    const folder = resolve(dir);
    return [...this.byPath.keys()].filter((path) => dirname(path) === folder).slice(0, max)
      .map((path) => ({ name: basename(path), symlink: false }));
  }

  /**
   * A differencing VDI's parent (named by UUID only) is looked for in every folder of the
   * point, nearest first: VirtualBox 2.x keeps a base in HardDisks/ and its snapshots far
   * from it, under Machines/ (restore does the same among the staged VDIs).
   */
  parentSearchFolders(childPath: string): string[] {
    const child = dirname(resolve(childPath));
    const folders = new Set([child, dirname(child)]);
    for (const path of [...this.byPath.keys()].sort()) folders.add(dirname(path));
    return [...folders];
  }

  /** Handle numbers of the files open now. */
  openHandles(): Set<number> {
    return new Set(this.held.keys());
  }

  /** Paths of the files opened since `before` (openHandles()) and still open. */
  pathsOpenedSince(before: Set<number>): string[] {
    const paths: string[] = [];
    for (const [handle, path] of this.held) if (!before.has(handle) && !paths.includes(path)) paths.push(path);
    return paths;
  }
}
