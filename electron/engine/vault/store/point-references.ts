/**
 * Walks every manifest (live and soft-deleted) and its indexes, and records which chunks
 * each point and file references. Shared by verify, GC and stats. Problems reading a
 * manifest or index are collected, not thrown, so the caller decides (verify reports,
 * GC refuses to sweep).
 */
import { LabvaultError } from '../../../../shared/errors.ts';
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

export async function collectReferences(store: StoreContext): Promise<PointReferences> {
  const refs = await store.manifests.list({ includeDeleted: true });
  const out: PointReferences = {
    refs, manifests: new Map(), chunkUsers: new Map(), files: [], indexIds: new Set(), problems: [],
  };
  for (const ref of refs) {
    const key = pointKey(ref.itemId, ref.pointId);
    let manifest: Manifest;
    try {
      manifest = await store.manifests.read(ref.itemId, ref.pointId);
    } catch (error) {
      out.problems.push({ kind: 'manifest-damaged', manifest: key, message: messageOf(error) });
      continue;
    }
    out.manifests.set(key, manifest);
    for (const file of manifest.files) {
      out.indexIds.add(file.indexId);
      const fileNumber = out.files.push({ itemId: ref.itemId, pointId: ref.pointId, path: file.path }) - 1;
      let ids: Set<string>;
      try {
        ids = (await store.indexes.read(file.indexId, file.size)).distinctIds();
      } catch (error) {
        const missing = error instanceof LabvaultError && /missing/.test(error.message);
        out.problems.push({ kind: missing ? 'index-missing' : 'index-damaged', manifest: key, file: file.path, indexId: file.indexId, message: messageOf(error) });
        continue;
      }
      for (const id of ids) {
        const users = out.chunkUsers.get(id);
        if (users === undefined) out.chunkUsers.set(id, [fileNumber]);
        else users.push(fileNumber);
      }
    }
  }
  return out;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
