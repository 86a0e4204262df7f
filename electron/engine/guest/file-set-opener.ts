/**
 * A fixed set of files as an ImageOpener (disk/image-opener.ts): the files of a recovery
 * point, each at the path it had at backup time, its bytes from a positioned reader (in the
 * guest worker: reads asked of the main thread, which serves them from the vault's chunks).
 * The disk format readers then open a point's images in place: only the bytes a reader asks
 * for are read (a qcow2 header, L1 and L2 tables, then the data clusters).
 *
 * Parent, extent and data file names read out of an image resolve against these paths
 * only: a path that is not one of the set does not exist here (ENOENT), and nothing on this
 * machine is ever opened, stat'ed or listed for it.
 */
import { basename, dirname, resolve } from 'node:path';
import { ImageFile } from '../disk/image-file.ts';
import { noSuchFile } from '../disk/image-opener.ts';
import type { FolderFile, ImageFileStat, ImageOpener } from '../disk/image-opener.ts';

/** One file of the set: its name in the point, the absolute path it is opened at, its size and role. */
export interface SetFile {
  name: string;
  path: string;
  size: number;
  role: string;
}

/** Reads a file's bytes at any position inside it. */
export interface FileReader {
  readInto(out: Buffer, outOffset: number, offset: number, length: number): Promise<void>;
}

export class FileSetOpener implements ImageOpener {
  readonly files: readonly SetFile[];
  private readonly readerOf: (index: number) => FileReader;
  private readonly byPath = new Map<string, number>();
  /** Files open now, by handle number: what a disk opened holds tells which files it reads. */
  private readonly held = new Map<number, string>();
  private nextHandle = 1;

  constructor(files: readonly SetFile[], readerOf: (index: number) => FileReader) {
    this.files = files;
    this.readerOf = readerOf;
    for (const [index, file] of files.entries()) this.byPath.set(resolve(file.path), index);
  }

  /** The index of the file at `path`, if it is one of the set. */
  indexAt(path: string): number | undefined {
    return this.byPath.get(resolve(path));
  }

  /** The reader of the file at `path` (ENOENT when it is not one of the set). */
  readerAt(path: string): { reader: FileReader; file: SetFile } {
    const index = this.indexAt(path);
    if (index === undefined) throw noSuchFile(path, 'open');
    return { reader: this.readerOf(index), file: this.files[index] as SetFile };
  }

  async open(path: string): Promise<ImageFile> {
    const { reader, file } = this.readerAt(path);
    const handle = this.nextHandle;
    this.nextHandle += 1;
    this.held.set(handle, resolve(path));
    return ImageFile.over({
      readInto: (buffer, bufferOffset, position, length) => reader.readInto(buffer, bufferOffset, position, length),
      close: () => this.held.delete(handle),
    }, file.size, resolve(path));
  }

  async stat(path: string): Promise<ImageFileStat> {
    const index = this.indexAt(path);
    if (index === undefined) throw noSuchFile(path, 'stat');
    return { kind: 'file', size: (this.files[index] as SetFile).size };
  }

  async realpath(path: string): Promise<string> {
    if (this.indexAt(path) === undefined) throw noSuchFile(path, 'realpath');
    return resolve(path);
  }

  async listFiles(dir: string, max: number): Promise<FolderFile[]> {
    const folder = resolve(dir);
    return [...this.byPath.keys()].filter((path) => dirname(path) === folder).slice(0, max)
      .map((path) => ({ name: basename(path), symlink: false }));
  }

  /**
   * A differencing VDI's parent (named by UUID only) is looked for in every folder of the
   * set, nearest first: VirtualBox 2.x keeps a base in HardDisks/ and its snapshots far
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
