/**
 * Content-addressed chunk files: data/chunks/<first 2 hex>/<64 hex id>.
 *
 * Writing: the blob goes to data/tmp/ under a unique name (not synced), then the
 * ChunkCommitQueue makes batches of them durable and renames them into place, so a chunk
 * file under its final name always has durable content and no writer stalls on one fsync
 * per chunk. `syncAll()` is the barrier a committer calls before writing indexes and the
 * manifest.
 *
 * `has()` answers from an in-memory KnownChunkSet loaded lazily by listing the fan-out
 * directories, plus the ids written by this process (pending ones included).
 */
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import { BLOB_OVERHEAD_CAP, readUntrustedFile } from '../../fs/untrusted-file.ts';
import { assertBlobPlainLength } from './blob-limits.ts';
import { CHUNK_BLOB_MAGIC } from './format-constants.ts';
import { decodeBlob, encodeBlob } from './blob-codec.ts';
import { chunkBinding } from './blob-binding.ts';
import type { HashWorkerPool } from './hash-worker-pool.ts';
import { errnoCode, storeIoError } from './durable-fs.ts';
import { COMMITTED_FILE_MODE } from './durable-fs.ts';
import { KnownChunkSet } from './known-chunk-set.ts';
import { ChunkCommitQueue } from './chunk-commit-queue.ts';
import { StageProfile } from './stage-profile.ts';
import { isHexId, TMP_PREFIX } from './store-layout.ts';
import type { StoreLayout } from './store-layout.ts';
import type { VaultKeys } from './vault-keys.ts';

export interface ChunkStoreOptions {
  layout: StoreLayout;
  compressionLevel: number | undefined;
  keys: VaultKeys | undefined;
  hasher: HashWorkerPool;
  /** The vault's chunk size: no chunk read may declare or hold more. */
  chunkSize: number;
}

export class ChunkStore {
  private readonly layout: StoreLayout;
  private readonly compressionLevel: number | undefined;
  private readonly keys: VaultKeys | undefined;
  private readonly hasher: HashWorkerPool;
  private readonly chunkSize: number;
  private known: KnownChunkSet | null = null;
  private loading: Promise<KnownChunkSet> | null = null;
  private readonly inFlight = new Map<string, Promise<number>>();
  private readonly madeDirs = new Set<string>();
  private readonly commits: ChunkCommitQueue;

  constructor(options: ChunkStoreOptions) {
    this.layout = options.layout;
    this.compressionLevel = options.compressionLevel;
    this.keys = options.keys;
    this.hasher = options.hasher;
    this.chunkSize = options.chunkSize;
    // A failed batch lost chunks already counted as stored: reload the id set from disk.
    this.commits = new ChunkCommitQueue(this.layout.tmpDir, () => this.invalidateKnown());
  }

  /** Lists every stored chunk id (hex), fan-out directory by directory. */
  async *listIds(): AsyncGenerator<string> {
    let prefixes: string[];
    try {
      prefixes = await readdir(this.layout.chunksDir);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return;
      throw storeIoError(this.layout.chunksDir, 'list', error);
    }
    for (const prefix of prefixes.sort()) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      const names = await readdir(join(this.layout.chunksDir, prefix)).catch(() => [] as string[]);
      for (const name of names) if (isHexId(name) && name.startsWith(prefix)) yield name;
    }
  }

  private async knownSet(): Promise<KnownChunkSet> {
    if (this.known !== null) return this.known;
    this.loading ??= (async () => {
      const set = new KnownChunkSet();
      for await (const hex of this.listIds()) set.add(Buffer.from(hex, 'hex'));
      this.known = set;
      this.loading = null;
      return set;
    })();
    return this.loading;
  }

  /** Forget the cached id set (after GC removed chunks); it reloads on next use. */
  invalidateKnown(): void {
    this.known = null;
  }

  async has(id: Buffer): Promise<boolean> {
    return (await this.knownSet()).has(id);
  }

  /**
   * Stores `plain` under `id` unless present. Returns the bytes written (0 when the chunk
   * was already stored). The caller computed `id` with the store's hasher.
   */
  async put(id: Buffer, plain: Buffer, profile?: StageProfile): Promise<number> {
    const known = await this.knownSet();
    if (known.has(id)) return 0;
    const hex = id.toString('hex');
    const running = this.inFlight.get(hex);
    if (running !== undefined) return running.then(() => 0);
    const task = this.write(hex, plain, profile);
    this.inFlight.set(hex, task);
    try {
      const written = await task;
      known.add(id);
      return written;
    } finally {
      this.inFlight.delete(hex);
    }
  }

  private async write(hex: string, plain: Buffer, profile?: StageProfile): Promise<number> {
    const parts = await encodeBlob(CHUNK_BLOB_MAGIC, plain, {
      compressionLevel: this.compressionLevel, keys: this.keys, binding: chunkBinding(hex),
      ...(profile === undefined ? {} : { profile }),
    });
    const start = StageProfile.now();
    const dir = this.layout.chunkDir(hex);
    if (!this.madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true }).catch((error: unknown) => { throw storeIoError(dir, 'create directory', error); });
      this.madeDirs.add(dir);
    }
    const tmpPath = join(this.layout.tmpDir, `${TMP_PREFIX}chunk-${hex}-${randomBytes(4).toString('hex')}`);
    let bytes = 0;
    let handle: FileHandle | undefined;
    try {
      handle = await open(tmpPath, 'wx', COMMITTED_FILE_MODE);
      bytes = await writeAll(handle, parts);
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await rm(tmpPath, { force: true }).catch(() => undefined);
      throw storeIoError(tmpPath, 'write chunk', error);
    }
    profile?.end('write', start, bytes);
    await this.commits.add({ handle, tmpPath, finalPath: this.layout.chunkPath(hex), dir, bytes });
    return bytes;
  }

  /** Durability barrier: returns when every chunk put so far is durable under its final name. */
  async syncAll(): Promise<void> {
    await Promise.all([...this.inFlight.values()].map((task) => task.catch(() => undefined)));
    await this.commits.syncAll();
  }

  /** Time and bytes the commit queue spent making chunks durable and renaming them, since the store opened. */
  syncFigures(): { ns: bigint; bytes: number } {
    return this.commits.figures();
  }

  /**
   * Reads, decodes and checks a chunk against its id. Missing or damaged: CORRUPT.
   * With `scratch` (a SharedArrayBuffer-backed buffer large enough for the stored blob),
   * the file is read into it, so a raw chunk is hashed in place by the workers, without
   * a copy; the result may then be a view into `scratch`.
   */
  async get(id: Buffer, scratch?: Buffer, profile?: StageProfile): Promise<Buffer> {
    const hex = id.toString('hex');
    const path = this.layout.chunkPath(hex);
    let bytes: Buffer;
    const readStart = StageProfile.now();
    try {
      const capBytes = this.chunkSize + BLOB_OVERHEAD_CAP;
      bytes = await readUntrustedFile(path, 'chunk', scratch === undefined ? { capBytes } : { capBytes, scratch });
      profile?.end('read', readStart, bytes.length);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') throw new LabvaultError(ErrorCodes.CORRUPT, `Chunk ${hex} is missing from the vault (${path}).`, { details: { chunkId: hex, path } });
      throw storeIoError(path, 'read chunk', error);
    }
    assertBlobPlainLength(bytes, this.chunkSize, `Chunk ${hex} (${path})`);
    const plain = await decodeBlob(
      CHUNK_BLOB_MAGIC, bytes, this.keys, `Chunk ${hex} (${path})`, chunkBinding(hex), profile, scratch,
    );
    const actual = await this.hasher.digest(plain, profile);
    if (!actual.equals(id)) {
      throw new LabvaultError(ErrorCodes.CORRUPT, `Chunk ${hex} (${path}) is damaged: its content does not match its id.`, { details: { chunkId: hex, path } });
    }
    return plain;
  }

  /** Size of a stored chunk file, or undefined when missing. */
  async storedSize(hex: string): Promise<number | undefined> {
    try {
      return (await stat(this.layout.chunkPath(hex))).size;
    } catch {
      return undefined;
    }
  }
}

/** writev, then finish a short write (a nearly full disk) so the real error (ENOSPC) surfaces. */
async function writeAll(handle: FileHandle, parts: Buffer[]): Promise<number> {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  let done = (await handle.writev(parts)).bytesWritten;
  if (done === total) return total;
  const rest = Buffer.concat(parts).subarray(done);
  while (done < total) {
    const { bytesWritten } = await handle.write(rest, done - (total - rest.length), total - done, done);
    if (bytesWritten === 0) throw Object.assign(new Error('no space left on device (short write)'), { code: 'ENOSPC' });
    done += bytesWritten;
  }
  return total;
}
