/**
 * Walks every manifest (live and soft-deleted) and its indexes, and records which chunks
 * each point and file references. Shared by verify, GC and stats. Problems reading a
 * manifest or index are collected, not thrown, so the caller decides (verify reports,
 * GC refuses to sweep).
 */
import { LabvaultError } from '../../../../shared/errors.ts';
import type { FixedIndex } from './fixed-index.ts';
import type { Manifest } from './manifest.ts';
import type { ManifestRef } from './manifest-store.ts';
import type { StoreContext } from './store-context.ts';

export interface FileRef {
  itemId: string;
  pointId: string;
  path: string;
}

export interface ReferenceProblem {
  kind: 'manifest-damaged' | 'index-missing' | 'index-damaged';
  manifest: string;
  file?: string;
  indexId?: string;
  message: string;
}

export interface PointReferences {
  refs: ManifestRef[];
  manifests: Map<string, Manifest>;
  /** chunk id hex -> indexes into `files`. */
  chunkUsers: Map<string, number[]>;
  files: FileRef[];
  indexIds: Set<string>;
  problems: ReferenceProblem[];
}

export function pointKey(itemId: string, pointId: string): string {
  return `${itemId}/${pointId}`;
}

export interface CollectOptions {
  /**
   * Record which files use each chunk (default true: verify names the points a damaged chunk
   * affects, stats splits bytes per point). Without users (GC: which chunks are referenced
   * at all), every `chunkUsers` value is an empty array and each index is compared with the
   * same file's index in the item's point before, so only the ids of the blocks that differ
   * are taken: the work and memory follow the distinct chunks, not points x chunks.
   */
  users?: boolean;
}

const NO_USERS: number[] = [];
Object.freeze(NO_USERS);

export async function collectReferences(store: StoreContext, options: CollectOptions = {}): Promise<PointReferences> {
  const withUsers = options.users !== false;
  const refs = await store.manifests.list({ includeDeleted: true });
  const out: PointReferences = {
    refs, manifests: new Map(), chunkUsers: new Map(), files: [], indexIds: new Set(), problems: [],
  };
  // Without users: the indexes of the item's point read just before, by file name.
  let previousItem: string | undefined;
  let previousIndexes = new Map<string, FixedIndex>();
  for (const ref of refs) {
    const key = pointKey(ref.itemId, ref.pointId);
    if (ref.itemId !== previousItem) {
      previousItem = ref.itemId;
      previousIndexes = new Map();
    }
    let manifest: Manifest;
    try {
      manifest = await store.manifests.read(ref.itemId, ref.pointId);
    } catch (error) {
      out.problems.push({ kind: 'manifest-damaged', manifest: key, message: messageOf(error) });
      continue;
    }
    out.manifests.set(key, manifest);
    const indexes = new Map<string, FixedIndex>();
    for (const file of manifest.files) {
      out.indexIds.add(file.indexId);
      const fileNumber = out.files.push({ itemId: ref.itemId, pointId: ref.pointId, path: file.path }) - 1;
      let ids: Set<string>;
      try {
        const index = await store.indexes.read(file.indexId, file.size);
        if (withUsers) ids = index.distinctIds();
        else {
          ids = index.idsNotIn(previousIndexes.get(file.path));
          indexes.set(file.path, index);
        }
      } catch (error) {
        const missing = error instanceof LabvaultError && /missing/.test(error.message);
        out.problems.push({ kind: missing ? 'index-missing' : 'index-damaged', manifest: key, file: file.path, indexId: file.indexId, message: messageOf(error) });
        continue;
      }
      for (const id of ids) {
        const users = out.chunkUsers.get(id);
        if (!withUsers) {
          if (users === undefined) out.chunkUsers.set(id, NO_USERS);
        } else if (users === undefined) out.chunkUsers.set(id, [fileNumber]);
        else users.push(fileNumber);
      }
    }
    if (!withUsers) previousIndexes = indexes;
  }
  return out;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
