/**
 * A point's files for guest reading, on the main thread: each file at the path it had at
 * backup time (the manifest's `sources`, laid out as restore stages them, staged-point.ts
 * stagedLayout, with `/` as the root; files without one flat under `/.flat/`) and a
 * BlockSource over its chunks (PointDiskSource, made on the first read, through the shared
 * bounded ChunkCache). The guest worker opens the disk images among them
 * (point-disk-images.ts) and asks for bytes by file; nothing here parses an image.
 */
import { resolve } from 'node:path';
import { stagedLayout } from '../restore/staged-point.ts';
import type { Manifest, VaultStore } from '../vault/store/index.ts';
import type { ChunkCache } from './chunk-cache.ts';
import type { FileReader, SetFile } from './file-set-opener.ts';
import type { BlockSource } from './guest-filesystem.ts';
import { PointDiskSource } from './point-disk-source.ts';
import type { ReadCounters } from './point-disk-source.ts';

export type PointFileSource = BlockSource & FileReader;

export interface PointFiles {
  pointId: string;
  /** Every file of the point, in the manifest's order. */
  files: SetFile[];
  /** The bytes of each file (same order). */
  sources: PointFileSource[];
  /** Chunks read from the vault by these files so far. */
  counters: ReadCounters;
}

/** The point's files as the guest readers see them (no chunk is read until a file is). */
export function pointFilesOf(store: VaultStore, manifest: Manifest, cache: ChunkCache): PointFiles {
  const opened: PointDiskSource[] = [];
  const layout = stagedLayout(manifest, manifest.files, '/');
  const files: SetFile[] = layout.map((entry) => ({
    name: entry.file.path, path: resolve(entry.staged), size: entry.file.size, role: entry.file.role,
  }));
  const sources = layout.map((entry, index): PointFileSource => {
    let source: Promise<PointDiskSource> | undefined;
    const get = (): Promise<PointDiskSource> => {
      source ??= store.readIndex(entry.file.indexId, entry.file.size).then((fileIndex) => {
        const made = new PointDiskSource(fileIndex, store.chunks, cache,
          `${files[index]?.path} (${entry.file.path} of point ${manifest.pointId})`);
        opened.push(made);
        return made;
      });
      return source;
    };
    return {
      size: entry.file.size,
      read: async (offset, length) => (await get()).read(offset, length),
      readInto: async (out, outOffset, offset, length) => (await get()).readInto(out, outOffset, offset, length),
    };
  });
  const total = (counter: keyof ReadCounters): number =>
    opened.reduce((sum, source) => sum + source.counters[counter], 0);
  const counters = Object.defineProperties({} as ReadCounters, {
    chunksRead: { enumerable: true, get: () => total('chunksRead') },
    zeroChunks: { enumerable: true, get: () => total('zeroChunks') },
  });
  return { pointId: manifest.pointId, files, sources, counters };
}
