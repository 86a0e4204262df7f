/**
 * Helpers for the vault store tests: a store in a temp dir, a one-call backup of a point,
 * and a restore-and-compare.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join, basename } from 'node:path';
import { makeTempDir } from '../../support/disk-fixtures.ts';
import { VaultStore, createEncryption } from '../../../electron/engine/vault/store/index.ts';
import type { BackupFileResult, StoreSettings, VaultKeys, ManifestFile } from '../../../electron/engine/vault/store/index.ts';

export const TEST_CHUNK = 64 * 1024;
export const FAST_KDF = { n: 1 << 12, r: 8, p: 1 };

export function testSettings(overrides: Partial<StoreSettings> = {}): StoreSettings {
  return { chunkSize: TEST_CHUNK, compression: 'zstd', compressionLevel: 3, ...overrides };
}

export interface TestVault {
  dir: string;
  store: VaultStore;
  settings: StoreSettings;
  keys: VaultKeys | undefined;
  logs: string[];
  cleanup(): void;
}

export async function makeVault(options: { encrypted?: boolean; passphrase?: string; settings?: Partial<StoreSettings> } = {}): Promise<TestVault> {
  const dir = makeTempDir('labvault-store-');
  const settings = testSettings(options.settings);
  let keys: VaultKeys | undefined;
  if (options.encrypted === true) {
    const created = await createEncryption(options.passphrase ?? 'correct horse', FAST_KDF);
    settings.encryption = created.settings;
    keys = created.keys;
  }
  const logs: string[] = [];
  const store = await VaultStore.create(join(dir, 'vault'), settings, keys, { log: (line) => logs.push(line) });
  return { dir, store, settings, keys, logs, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface PointResult {
  results: BackupFileResult[];
  files: ManifestFile[];
}

/** Backs up `paths` as one point of `itemId` under a writer lock and commits it. */
export async function backupPoint(store: VaultStore, itemId: string, pointId: string, paths: string[], previous?: ManifestFile[]): Promise<PointResult> {
  const writer = await store.beginWrite(`test ${itemId}/${pointId}`);
  try {
    const results: BackupFileResult[] = [];
    const files: ManifestFile[] = [];
    for (const path of paths) {
      const prevEntry = previous?.find((f) => f.path === basename(path));
      const previousIndex = prevEntry ? await store.readIndex(prevEntry.indexId) : undefined;
      const r = await store.backupFile({ sourcePath: path, ...(previousIndex ? { previousIndex } : {}) });
      results.push(r);
      files.push({ path: basename(path), role: 'disk', size: r.bytesRead, mode: r.stat.mode, mtimeMs: r.stat.mtimeMs, ino: r.stat.ino, dev: r.stat.dev, indexId: r.indexId, digest: r.indexId, digestKind: 'chunk-list', storedBytesNew: r.bytesWritten });
    }
    await store.commitPoint({ itemId, pointId, createdAt: new Date().toISOString(), files });
    return { results, files };
  } finally {
    await writer.release();
  }
}

/** Restores every file of a point into `outDir` and checks each against `sources` (basename -> path). */
export async function restoreAndCompare(store: VaultStore, itemId: string, pointId: string, outDir: string, sources: Record<string, string>): Promise<void> {
  const manifest = await store.readManifest(itemId, pointId);
  for (const file of manifest.files) {
    const out = join(outDir, `${pointId}-${file.path}`);
    await store.restoreFile({ index: await store.readIndex(file.indexId), outPath: out, expectedDigest: file.digest });
    const source = sources[file.path];
    if (source === undefined) throw new Error(`no source for ${file.path}`);
    if (!readFileSync(out).equals(readFileSync(source))) throw new Error(`restored ${file.path} of ${pointId} differs from ${source}`);
    rmSync(out);
  }
}
