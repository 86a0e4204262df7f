/**
 * A read-only FAT12/16/32 filesystem over a BlockSource. Directories are read whole (at
 * most 65536 entries, the specification's limit) and cached with a fixed budget; files
 * are read through their cluster chain, which must cover the size the entry claims. Names
 * compare exactly as listed (long name, or the 8.3 name with its case flags applied), and
 * then without case, as Windows finds them.
 */
import { recallRecent, rememberBounded } from '../../disk/bounded-cache.ts';
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import type { BlockSource, GuestCheckFinding, GuestEntry, GuestFilesystem } from '../guest-filesystem.ts';
import { guestDamage } from '../guest-errors.ts';
import { pathComponents } from '../guest-path.ts';
import { readFatBootSector } from './fat-boot-sector.ts';
import type { FatGeometry } from './fat-boot-sector.ts';
import { FatAttributes, parseFatDirectory } from './fat-directory.ts';
import type { FatDirent } from './fat-directory.ts';
import { FatTable } from './fat-table.ts';
import type { ClusterRun } from './fat-table.ts';
import { checkFatMetadata } from './fat-check.ts';

/** The specification's limit: 65536 entries of 32 bytes. */
const MAX_DIRECTORY_BYTES = 65536 * 32;
const CACHED_DIRS = 64;
const CACHED_CHAINS = 64;
const DEFAULT_CHUNK = 1024 * 1024;
const MAX_CHUNK = 16 * 1024 * 1024;

function notFound(path: string): LabvaultError {
  return new LabvaultError(ErrorCodes.NOT_FOUND, `${path} does not exist in this filesystem.`, { field: 'path', details: { path } });
}

/** A resolved entry: the root has no directory entry of its own. */
export interface FatNode {
  dirent: FatDirent | null;
  path: string;
}

export class FatFilesystem implements GuestFilesystem {
  readonly kind = 'vfat' as const;
  readonly label: string | undefined;
  readonly geometry: FatGeometry;
  readonly table: FatTable;
  private readonly source: BlockSource;
  /** Directories by first cluster (0: the root), so a path that loops back costs no rereads. */
  private readonly dirs = new Map<number, FatDirent[]>();
  private readonly chains = new Map<string, ClusterRun[]>();

  constructor(source: BlockSource, geometry: FatGeometry, label: string | undefined) {
    this.source = source;
    this.geometry = geometry;
    this.table = new FatTable(geometry, source);
    this.label = label;
  }

  clusterOffset(cluster: number): number {
    return this.geometry.dataOffset + (cluster - 2) * this.geometry.clusterSize;
  }

  private async readRuns(runs: ClusterRun[], bytes: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let left = bytes;
    for (const run of runs) {
      if (left <= 0) break;
      const length = Math.min(left, run.count * this.geometry.clusterSize);
      parts.push(await this.source.read(this.clusterOffset(run.cluster), length));
      left -= length;
    }
    return Buffer.concat(parts);
  }

  /** The raw bytes of the root directory (fixed area, or FAT32's cluster chain). */
  async rootBytes(): Promise<Buffer> {
    const g = this.geometry;
    if (g.type !== 32) return this.source.read(g.rootOffset, Math.min(g.rootBytes, this.source.size - g.rootOffset));
    return this.chainBytes(g.rootCluster, 'The FAT32 root directory');
  }

  private async chainBytes(first: number, what: string): Promise<Buffer> {
    const maxClusters = Math.ceil(MAX_DIRECTORY_BYTES / this.geometry.clusterSize);
    const { runs, clusters } = await this.table.chain(first, maxClusters + 1, what);
    if (clusters > maxClusters) throw guestDamage(what, `it is longer than ${MAX_DIRECTORY_BYTES} bytes`);
    return this.readRuns(runs, clusters * this.geometry.clusterSize);
  }

  firstCluster(dirent: FatDirent): number {
    return this.geometry.type === 32 ? dirent.firstCluster & 0x0fffffff : dirent.firstCluster & 0xffff;
  }

  /** The entries of a directory (root when `dirent` is null). */
  async directory(dirent: FatDirent | null, path: string): Promise<FatDirent[]> {
    // A directory whose first cluster is 0 is the root (what ".." of a top-level folder says).
    const first = dirent === null ? 0 : this.firstCluster(dirent);
    const cached = recallRecent(this.dirs, first);
    if (cached) return cached;
    const bytes = first === 0 ? await this.rootBytes() : await this.chainBytes(first, `The FAT directory ${path}`);
    const { entries } = parseFatDirectory(bytes, path);
    rememberBounded(this.dirs, first, entries, CACHED_DIRS);
    return entries;
  }

  /** The clusters holding a file's `size` bytes; damage when the chain is shorter. */
  async fileRuns(dirent: FatDirent, path: string): Promise<ClusterRun[]> {
    const first = this.firstCluster(dirent);
    const needed = Math.ceil(dirent.size / this.geometry.clusterSize);
    const key = `${first}:${needed}`;
    const cached = recallRecent(this.chains, key);
    if (cached) return cached;
    if (needed > this.geometry.clusterCount) throw guestDamage(`The FAT entry of ${path}`, `its size ${dirent.size} is larger than the volume`);
    const { runs, clusters } = await this.table.chain(first, needed, `The file ${path}`);
    if (clusters < needed) {
      throw guestDamage(`The file ${path}`, `its cluster chain ends after ${clusters} clusters but its size ${dirent.size} needs ${needed}`);
    }
    rememberBounded(this.chains, key, runs, CACHED_CHAINS);
    return runs;
  }

  async resolve(path: string): Promise<FatNode> {
    let node: FatNode = { dirent: null, path: '/' };
    const stack: FatNode[] = [node];
    for (const name of pathComponents(path)) {
      if (name === '..') {
        if (stack.length > 1) stack.pop();
        node = stack[stack.length - 1] as FatNode;
        continue;
      }
      if (node.dirent !== null && (node.dirent.attributes & FatAttributes.DIRECTORY) === 0) throw notFound(path);
      const entries = await this.directory(node.dirent, node.path);
      const lower = name.toLowerCase();
      const found = entries.find((entry) => entry.name === name)
        ?? entries.find((entry) => entry.name.toLowerCase() === lower);
      if (!found) throw notFound(path);
      node = { dirent: found, path: node.path === '/' ? `/${found.name}` : `${node.path}/${found.name}` };
      if ((found.attributes & FatAttributes.DIRECTORY) !== 0) {
        const cluster = this.firstCluster(found);
        const rootCluster = this.geometry.type === 32 ? this.geometry.rootCluster : 0;
        const ancestors = stack.map((each) => (each.dirent === null ? rootCluster : this.firstCluster(each.dirent)));
        if (cluster === 0 || ancestors.includes(cluster)) {
          throw guestDamage(`The FAT directory ${node.path}`, 'it is one of its own parent folders (a directory loop)');
        }
      }
      stack.push(node);
    }
    return node;
  }

  entryOf(dirent: FatDirent): GuestEntry {
    const isDir = (dirent.attributes & FatAttributes.DIRECTORY) !== 0;
    const readOnly = (dirent.attributes & FatAttributes.READ_ONLY) !== 0;
    const first = this.firstCluster(dirent);
    const entry: GuestEntry = {
      name: dirent.name, type: isDir ? 'dir' : 'file', size: isDir ? 0 : dirent.size, mtimeMs: dirent.mtimeMs,
      mode: isDir ? 0o755 : readOnly ? 0o444 : 0o644,
    };
    if (first !== 0) entry.inode = first;
    return entry;
  }

  async list(path: string): Promise<GuestEntry[]> {
    const node = await this.resolve(path);
    if (node.dirent !== null && (node.dirent.attributes & FatAttributes.DIRECTORY) === 0) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, `${path} is not a folder.`, { field: 'path' });
    }
    return (await this.directory(node.dirent, node.path)).map((dirent) => this.entryOf(dirent));
  }

  async stat(path: string): Promise<GuestEntry> {
    const node = await this.resolve(path);
    if (node.dirent === null) return { name: '/', type: 'dir', size: 0, mtimeMs: 0, mode: 0o755 };
    return this.entryOf(node.dirent);
  }

  async *readFile(path: string, chunkSize = DEFAULT_CHUNK): AsyncIterable<Buffer> {
    const node = await this.resolve(path);
    const dirent = node.dirent;
    if (dirent === null || (dirent.attributes & FatAttributes.DIRECTORY) !== 0) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, `${path} is not a regular file.`, { field: 'path' });
    }
    if (dirent.size === 0) return;
    const runs = await this.fileRuns(dirent, node.path);
    const step = Math.max(4096, Math.min(chunkSize, MAX_CHUNK));
    const clusterSize = this.geometry.clusterSize;
    let runIndex = 0;
    let runStart = 0;
    for (let at = 0; at < dirent.size; at += step) {
      const end = Math.min(dirent.size, at + step);
      const out = Buffer.alloc(end - at);
      let position = at;
      while (position < end) {
        let run = runs[runIndex] as ClusterRun;
        while (position >= runStart + run.count * clusterSize) {
          runStart += run.count * clusterSize;
          runIndex += 1;
          run = runs[runIndex] as ClusterRun;
        }
        const within = position - runStart;
        const take = Math.min(end - position, run.count * clusterSize - within);
        (await this.source.read(this.clusterOffset(run.cluster) + within, take)).copy(out, position - at);
        position += take;
      }
      yield out;
    }
  }

  checkMetadata(options: { maxInodes: number }): Promise<GuestCheckFinding[]> {
    return checkFatMetadata(this, options.maxInodes);
  }
}

export async function openFatFilesystem(source: BlockSource): Promise<GuestFilesystem> {
  const geometry = await readFatBootSector(source);
  const probe = new FatFilesystem(source, geometry, geometry.label);
  // The root directory's volume label entry is the one Windows shows; the boot sector's is its copy.
  const { label } = parseFatDirectory(await probe.rootBytes(), '/');
  return label === undefined || label === geometry.label ? probe : new FatFilesystem(source, geometry, label);
}
