/**
 * Which files of an item changed between two of its recovery points, from the two manifests:
 * each file's size and content digest. For a file in both points with another digest and
 * the same chunk count, the two chunk indexes are read (32 bytes per chunk, bounded by the
 * vault's index cap) and the bytes in chunks whose ids differ are counted, so a 32 GiB disk
 * where a few MiB changed says so. Read-only; names come from the manifests (schema-checked).
 */
import type { PointCompare } from '../../../shared/contract/point-compare-channels.ts';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { FixedIndex, Manifest, ManifestFile } from '../vault/store/index.ts';

export interface PointCompareStore {
  readManifest(itemId: string, pointId: string): Promise<Manifest>;
  readIndex(indexId: string, expectedFileSize?: number): Promise<FixedIndex>;
}

/** Bytes in chunks whose ids differ at the same position; undefined when the chunk counts differ. */
export function changedChunkBytes(from: FixedIndex, to: FixedIndex): number | undefined {
  if (from.chunkCount !== to.chunkCount || from.chunkSize !== to.chunkSize) return undefined;
  let bytes = 0;
  for (let i = 0; i < to.chunkCount; i += 1) {
    if (!from.idAt(i).equals(to.idAt(i))) bytes += to.chunkLength(i);
  }
  return bytes;
}

export async function comparePoints(
  store: PointCompareStore, item: { id: string; name: string }, fromId: string, toId: string,
): Promise<PointCompare> {
  if (fromId === toId) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Choose two different recovery points to compare.', { field: 'to' });
  }
  const [from, to] = await Promise.all([store.readManifest(item.id, fromId), store.readManifest(item.id, toId)]);
  const before = new Map<string, ManifestFile>(from.files.map((file) => [file.path, file]));
  const after = new Map<string, ManifestFile>(to.files.map((file) => [file.path, file]));
  const names = [...new Set([...after.keys(), ...before.keys()])];
  const files: PointCompare['files'] = [];
  for (const name of names) {
    const a = before.get(name);
    const b = after.get(name);
    const role = (b ?? a)!.role;
    const state = (file: ManifestFile) => ({ size: file.size, digest: file.digest });
    if (!a || !b) {
      files.push({ name, role, change: a ? 'removed' : 'added', ...(a ? { from: state(a) } : {}), ...(b ? { to: state(b) } : {}) });
      continue;
    }
    if (a.digest === b.digest && a.size === b.size) {
      files.push({ name, role, change: 'same', from: state(a), to: state(b) });
      continue;
    }
    const changedBytes = a.indexId === b.indexId ? 0
      : changedChunkBytes(await store.readIndex(a.indexId, a.size), await store.readIndex(b.indexId, b.size));
    files.push({ name, role, change: 'changed', from: state(a), to: state(b), ...(changedBytes !== undefined ? { changedBytes } : {}) });
  }
  return {
    item: item.name,
    from: { id: from.pointId, createdAt: from.createdAt },
    to: { id: to.pointId, createdAt: to.createdAt },
    files,
  };
}
