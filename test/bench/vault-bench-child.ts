/**
 * One Labvault operation for the bench, in its own process so its peak RSS is measured
 * like restic's and borg's. Usage:
 *   node vault-bench-child.ts backup <vaultDir> <file> <pointId> [--chunk-size N] [--encrypt]
 *   node vault-bench-child.ts restore <vaultDir> <pointId> <outPath> [--encrypt]
 * Prints one JSON line with the operation's figures.
 *
 * backup reuses the previous point's index when size, mtime and inode are unchanged
 * (the integrator's fast path), otherwise streams the file with the previous index.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { VaultStore, createEncryption, unlock, defaultStoreSettings } from '../../electron/engine/vault/store/index.ts';
import type { StoreSettings, VaultKeys } from '../../electron/engine/vault/store/index.ts';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const ITEM = 'bench-vm';
const PASSPHRASE = 'bench passphrase';

async function openOrCreate(vaultDir: string, chunkSize: number, encrypt: boolean): Promise<VaultStore> {
  const settingsPath = join(vaultDir, 'vault.json');
  if (existsSync(settingsPath)) {
    const settings = (JSON.parse(readFileSync(settingsPath, 'utf8')) as { store: StoreSettings }).store;
    const keys: VaultKeys | undefined = settings.encryption ? await unlock(settings.encryption, PASSPHRASE) : undefined;
    return VaultStore.open(vaultDir, settings, keys, { log: () => undefined });
  }
  const settings: StoreSettings = { ...defaultStoreSettings(), chunkSize };
  let keys: VaultKeys | undefined;
  if (encrypt) {
    const created = await createEncryption(PASSPHRASE);
    settings.encryption = created.settings;
    keys = created.keys;
  }
  const store = await VaultStore.create(vaultDir, settings, keys, { log: () => undefined });
  writeFileSync(settingsPath, JSON.stringify({ store: settings }));
  return store;
}

async function backup(vaultDir: string, file: string, pointId: string, chunkSize: number, encrypt: boolean): Promise<object> {
  const store = await openOrCreate(vaultDir, chunkSize, encrypt);
  const writer = await store.beginWrite('bench backup');
  try {
    const points = await store.listManifests({ itemId: ITEM });
    const last = points.at(-1);
    const previous = last ? (await store.readManifest(ITEM, last.pointId)).files[0] : undefined;
    const info = await stat(file);
    let entry;
    let figures: object;
    if (previous !== undefined && VaultStore.fileUnchanged(previous, info)) {
      entry = { ...previous, storedBytesNew: 0 };
      figures = { reused: true, bytesRead: 0, bytesWritten: 0 };
    } else {
      const previousIndex = previous ? await store.readIndex(previous.indexId) : undefined;
      const r = await store.backupFile({ sourcePath: file, ...(previousIndex ? { previousIndex } : {}) });
      entry = { path: basename(file), role: 'disk' as const, size: r.bytesRead, mode: r.stat.mode, mtimeMs: r.stat.mtimeMs, ino: r.stat.ino, dev: r.stat.dev, diskFormat: 'raw', indexId: r.indexId, digest: r.indexId, digestKind: 'chunk-list' as const, storedBytesNew: r.bytesWritten };
      figures = { reused: false, bytesRead: r.bytesRead, bytesWritten: r.bytesWritten, chunksNew: r.chunksNew, chunksReused: r.chunksReused, zeroBytes: r.zeroBytes };
    }
    await store.commitPoint({ itemId: ITEM, pointId, createdAt: new Date().toISOString(), files: [entry] });
    return figures;
  } finally {
    await writer.release();
  }
}

async function restore(vaultDir: string, pointId: string, outPath: string): Promise<object> {
  const store = await openOrCreate(vaultDir, 0, false);
  const file = (await store.readManifest(ITEM, pointId)).files[0]!;
  const index = await store.readIndex(file.indexId);
  return store.restoreFile({ index, outPath, expectedDigest: file.digest });
}

const [op, ...rest] = process.argv.slice(2);
const flag = (name: string): string | undefined => { const i = rest.indexOf(name); return i >= 0 ? rest[i + 1] : undefined; };
const encrypt = rest.includes('--encrypt');
const chunkSize = Number(flag('--chunk-size') ?? 1024 * 1024);
const started = performance.now();
const result = op === 'backup'
  ? await backup(rest[0]!, rest[1]!, rest[2]!, chunkSize, encrypt)
  : await restore(rest[0]!, rest[1]!, rest[2]!);
console.log(JSON.stringify({ ...result, seconds: (performance.now() - started) / 1000, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
