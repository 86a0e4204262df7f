/**
 * What the transfer, verify, GC and stats functions need from an open store. VaultStore
 * implements it; tests and tools may build one directly.
 */
import type { ChunkStore } from './chunk-store.ts';
import type { ChunkWorkerPool } from './chunk-worker-pool.ts';
import type { IndexStore } from './index-store.ts';
import type { ManifestStore } from './manifest-store.ts';
import type { StoreLayout } from './store-layout.ts';
import type { VaultLock } from './vault-lock.ts';
import type { VaultKeys } from './vault-keys.ts';

export interface StoreContext {
  readonly layout: StoreLayout;
  readonly chunkSize: number;
  readonly keys: VaultKeys | undefined;
  /** Chunk digests (SHA-256 or keyed) in worker threads. */
  readonly hasher: ChunkWorkerPool;
  readonly chunks: ChunkStore;
  readonly indexes: IndexStore;
  readonly manifests: ManifestStore;
  readonly lock: VaultLock;
  /** Where the store writes its log lines (stale locks, GC). */
  readonly log: (line: string) => void;
}
