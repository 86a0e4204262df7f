/**
 * The proof the change-tracking tests share: a point's stored index equals a full read of the
 * same bytes (every chunk id, the index id), made by a reference store that tracks nothing.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { FixedIndex, ManifestFile, VaultStore } from '../../electron/engine/vault/store/index.ts';

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Where two indexes first differ ("sizes ...", "chunk i: ..."), or 'none'. */
export function firstDifference(a: FixedIndex, b: FixedIndex): string {
  if (a.fileSize !== b.fileSize) return `sizes ${a.fileSize} and ${b.fileSize}`;
  for (let i = 0; i < a.chunkCount; i += 1) {
    if (!a.idAt(i).equals(b.idAt(i))) return `chunk ${i}: ${a.idAt(i).toString('hex').slice(0, 12)} vs ${b.idAt(i).toString('hex').slice(0, 12)}`;
  }
  return 'none';
}

/**
 * Fails the test unless the first file of point `pointId` in `store` is exactly what
 * `reference` stores from reading `source` whole (holes read too). Returns that file and the
 * reference's read, for further checks.
 */
export async function expectPointIsFullRead(
  store: VaultStore, reference: VaultStore, itemId: string, pointId: string, source: string, label: string,
): Promise<{ file: ManifestFile; full: Awaited<ReturnType<VaultStore['backupFile']>> }> {
  const file = (await store.readManifest(itemId, pointId)).files[0];
  if (file === undefined) throw new Error(`${label}: no file in the point`);
  const writer = await reference.beginWrite(`reference ${label}`);
  let full;
  try {
    full = await reference.backupFile({ sourcePath: source, skipHoles: false });
  } finally {
    await writer.release();
  }
  const stored = await store.readIndex(file.indexId, file.size);
  expect(firstDifference(stored, full.index), `${label}: first chunk that differs from a full read`).toBe('none');
  expect(file.indexId, label).toBe(full.indexId);
  return { file, full };
}
