/**
 * VaultStore: the facade over one vault's data directory (`<vault>/data/`). It ties the
 * chunk store, index store, manifest store and locks together and exposes the transfer,
 * verify, GC and stats operations. Plain Node; no Electron.
 *
 * Typical backup:
 *   const store = await VaultStore.open(dir, settings, keys);
 *   const writer = await store.beginWrite('backup of vm1');
 *   try {
 *     const r = await store.backupFile({ sourcePath });
 *     await store.commitPoint({ itemId, pointId, createdAt, files: [{ ..., indexId: r.indexId, digest: r.indexId }] });
 *   } finally { await writer.release(); }
 */
import { mkdir, readdir, access } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { ErrorCodes, LabvaultError, invalidInput } from '../../../../shared/errors.ts';
import { readUntrustedText } from '../../fs/untrusted-file.ts';
import { backupFile } from './backup-file.ts';
import type { BackupFileOptions, BackupFileResult } from './backup-file.ts';
import { ChunkStore } from './chunk-store.ts';
import { ChunkWorkerPool } from './chunk-worker-pool.ts';
import { storeIoError } from './durable-fs.ts';
import type { FixedIndex } from './fixed-index.ts';
import { gcStore } from './gc-store.ts';
import type { GcOptions, GcResult } from './gc-store.ts';
import { IndexStore } from './index-store.ts';
import type { Manifest, ManifestFile, ManifestInput } from './manifest.ts';
import { ManifestStore } from './manifest-store.ts';
import type { ManifestRef } from './manifest-store.ts';
import { restoreFile } from './restore-file.ts';
import type { RestoreFileOptions, RestoreFileResult } from './restore-file.ts';
import type { StoreContext } from './store-context.ts';
import { StoreLayout } from './store-layout.ts';
import { DEFAULT_COMPRESSION_LEVEL, validateStoreSettings } from './store-settings.ts';
import type { StoreSettings } from './store-settings.ts';
import { storeStats } from './store-stats.ts';
import type { StoreStats } from './store-stats.ts';
import { verifyStore } from './verify-store.ts';
import type { VerifyOptions, VerifyReport } from './verify-store.ts';
import { VaultLock } from './vault-lock.ts';
import type { HeldLock } from './vault-lock.ts';
import type { VaultKeys } from './vault-keys.ts';
import { assertKeyCheck } from './key-check.ts';

export interface VaultStoreOptions {
  /** Receives log lines (stale lock removal...). Default console.warn. */
  log?: (line: string) => void;
}

export class VaultStore implements StoreContext {
  readonly dir: string;
  readonly settings: StoreSettings;
  readonly layout: StoreLayout;
  readonly chunkSize: number;
  readonly keys: VaultKeys | undefined;
  readonly hasher: ChunkWorkerPool;
  readonly chunks: ChunkStore;
  readonly indexes: IndexStore;
  readonly manifests: ManifestStore;
  readonly lock: VaultLock;
  readonly log: (line: string) => void;
  private writers = 0;
  private seenGcEpoch: string | undefined;

  private constructor(dir: string, settings: StoreSettings, keys: VaultKeys | undefined, options: VaultStoreOptions) {
    this.dir = dir;
    this.settings = settings;
    this.layout = new StoreLayout(dir);
    this.chunkSize = settings.chunkSize;
    this.keys = keys;
    this.log = options.log ?? ((line) => console.warn(line));
    const level = settings.compression === 'zstd' ? (settings.compressionLevel ?? DEFAULT_COMPRESSION_LEVEL) : undefined;
    this.hasher = new ChunkWorkerPool(keys?.macKey, keys?.dataKey);
    this.chunks = new ChunkStore({
      layout: this.layout, compressionLevel: level, keys, hasher: this.hasher, chunkSize: settings.chunkSize,
    });
    this.indexes = new IndexStore(this.layout, level, keys, settings.chunkSize);
    this.manifests = new ManifestStore(this.layout, keys);
    this.lock = new VaultLock(this.layout);
  }

  private static checkKeys(settings: StoreSettings, keys: VaultKeys | undefined): void {
    validateStoreSettings(settings);
    if (settings.encryption !== undefined && keys === undefined) {
      throw new LabvaultError(ErrorCodes.BAD_PASSPHRASE, 'This vault is encrypted: unlock it with its passphrase first.', { field: 'passphrase' });
    }
    if (settings.encryption === undefined && keys !== undefined) throw invalidInput('keys', 'Keys were given for a vault whose settings have no encryption.');
  }

  /** Creates the data directory of a new vault. Refuses (CONFLICT) when it exists and is not empty. */
  static async create(
    dir: string, settings: StoreSettings, keys?: VaultKeys, options: VaultStoreOptions = {},
  ): Promise<VaultStore> {
    VaultStore.checkKeys(settings, keys);
    const store = new VaultStore(dir, settings, keys, options);
    const existing = await readdir(store.layout.dataDir).catch(() => [] as string[]);
    if (existing.length > 0) throw new LabvaultError(ErrorCodes.CONFLICT, `${store.layout.dataDir} already holds vault data; choose an empty directory.`, { field: 'dir' });
    await store.makeDirs();
    return store;
  }

  /** Opens an existing vault's data directory. */
  static async open(
    dir: string, settings: StoreSettings, keys?: VaultKeys, options: VaultStoreOptions = {},
  ): Promise<VaultStore> {
    VaultStore.checkKeys(settings, keys);
    const store = new VaultStore(dir, settings, keys, options);
    const present = await access(store.layout.manifestsDir).then(() => true, () => false);
    if (!present) throw new LabvaultError(ErrorCodes.NOT_FOUND, `${dir} is not a Labvault vault: ${store.layout.manifestsDir} is missing.`, { field: 'dir' });
    await store.makeDirs();
    return store;
  }

  private async makeDirs(): Promise<void> {
    for (const path of this.layout.allDirs()) await mkdir(path, { recursive: true }).catch((error: unknown) => { throw storeIoError(path, 'create directory', error); });
  }

  /**
   * Takes a shared writer lock for a backup (several may run at once; GC waits or refuses
   * while any is held). Hold it from the first backupFile until commitPoint returns.
   */
  async beginWrite(purpose: string, options: { waitMs?: number } = {}): Promise<HeldLock> {
    const lock = await this.lock.acquireShared({ purpose, log: this.log, ...options });
    // After a rekey by another process this process's key would seal blobs the vault cannot open.
    await assertKeyCheck(this.layout.dataDir, this.keys).catch(async (error: unknown) => {
      await lock.release();
      throw error;
    });
    const epoch = await readUntrustedText(this.layout.gcEpochPath, 'gc-epoch').catch(() => '');
    if (epoch !== this.seenGcEpoch) {
      this.chunks.invalidateKnown();
      this.seenGcEpoch = epoch;
    }
    this.writers += 1;
    return {
      info: lock.info,
      path: lock.path,
      release: async () => {
        await lock.release();
        this.writers = Math.max(0, this.writers - 1);
      },
    };
  }

  private requireWriter(what: string): void {
    if (this.writers === 0) throw new LabvaultError(ErrorCodes.INTERNAL, `${what} needs a writer lock: call VaultStore.beginWrite() first.`);
  }

  async backupFile(options: Omit<BackupFileOptions, 'store'>): Promise<BackupFileResult> {
    this.requireWriter('backupFile');
    return backupFile({ ...options, store: this });
  }

  async restoreFile(options: Omit<RestoreFileOptions, 'store'>): Promise<RestoreFileResult> {
    return restoreFile({ ...options, store: this });
  }

  /**
   * Commits a recovery point: makes every chunk durable, checks every index the manifest
   * names exists (so a previous point's index id may be reused as is), writes the manifest.
   */
  async commitPoint(input: ManifestInput): Promise<Manifest> {
    this.requireWriter('commitPoint');
    await this.chunks.syncAll();
    for (const file of input.files) {
      if (!(await this.indexes.exists(file.indexId))) {
        throw new LabvaultError(ErrorCodes.CORRUPT, `Cannot commit point ${input.pointId}: index ${file.indexId} of ${file.path} is not in the vault.`, { field: 'files', details: { indexId: file.indexId } });
      }
    }
    return this.manifests.write(input);
  }

  /**
   * The "unchanged file" fast path: true when `stat` matches the previous point's entry
   * (size, mtime, inode, device), so its index can be reused without reading the file.
   */
  static fileUnchanged(previous: ManifestFile, stat: Stats): boolean {
    return previous.size === stat.size && previous.mtimeMs === stat.mtimeMs
      && (previous.ino === undefined || previous.ino === stat.ino)
      && (previous.dev === undefined || previous.dev === stat.dev);
  }

  listManifests(options: { itemId?: string; includeDeleted?: boolean } = {}): Promise<ManifestRef[]> {
    return this.manifests.list(options);
  }

  readManifest(itemId: string, pointId: string): Promise<Manifest> {
    return this.manifests.read(itemId, pointId);
  }

  softDeleteManifest(
    itemId: string, pointId: string, options: { deletedAt: string; purgeAt: string | null },
  ): Promise<void> {
    return this.manifests.softDelete(itemId, pointId, options);
  }

  undeleteManifest(itemId: string, pointId: string): Promise<void> {
    return this.manifests.restoreDeleted(itemId, pointId);
  }

  deleteManifest(itemId: string, pointId: string): Promise<void> {
    return this.manifests.delete(itemId, pointId);
  }

  /** Reads an index; with `expectedFileSize` (the manifest's file size) it must describe that many bytes. */
  readIndex(indexId: string, expectedFileSize?: number): Promise<FixedIndex> {
    return this.indexes.read(indexId, expectedFileSize);
  }

  verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    return verifyStore(this, options);
  }

  gc(options: GcOptions = {}): Promise<GcResult> {
    return gcStore(this, options);
  }

  stats(): Promise<StoreStats> {
    return storeStats(this);
  }

  /** Stops the hash workers (they never keep the process alive; this frees them early). */
  close(): Promise<void> {
    return this.hasher.close();
  }
}
