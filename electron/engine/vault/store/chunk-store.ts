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
import { CHUNK_BLOB_MAGIC, CODEC_ZSTD } from './format-constants.ts';
import {
  authenticationProblem, blobAdditionalData, corruptBlob, decodeBlob, encodeBlob, readBlobHeader,
} from './blob-codec.ts';
import { chunkBinding } from './blob-binding.ts';
import { encodedSizeBound } from './chunk-worker-pool.ts';
import type { ChunkWorkerPool, DecodeOutcome } from './chunk-worker-pool.ts';
import { BufferPool } from './buffer-pool.ts';
import { errnoCode, storeIoError } from './durable-fs.ts';
import { COMMITTED_FILE_MODE } from './durable-fs.ts';
import { KnownChunkSet } from './known-chunk-set.ts';
import { ChunkCommitQueue } from './chunk-commit-queue.ts';
import { StageProfile } from './stage-profile.ts';
import { isHexId, TMP_PREFIX } from './store-layout.ts';
import type { StoreLayout } from './store-layout.ts';
import type { VaultKeys } from './vault-keys.ts';

/** Blobs being built at once (a backup keeps at most 4 read buffers of 4 chunks in flight). */
const OUTPUT_SLOTS = 16;
/** Chunks decoded at once by callers that bring no scratch of their own (verify, rekey). */
const DECODE_SCRATCH = 4;

export interface ChunkStoreOptions {
  layout: StoreLayout;
  compressionLevel: number | undefined;
  keys: VaultKeys | undefined;
  hasher: ChunkWorkerPool;
  /** The vault's chunk size: no chunk read may declare or hold more. */
  chunkSize: number;
}

export class ChunkStore {
  private readonly layout: StoreLayout;
  private readonly compressionLevel: number | undefined;
  private readonly keys: VaultKeys | undefined;
  private readonly hasher: ChunkWorkerPool;
  private readonly chunkSize: number;
  private known: KnownChunkSet | null = null;
  private loading: Promise<KnownChunkSet> | null = null;
  private readonly inFlight = new Map<string, Promise<number>>();
  private readonly madeDirs = new Set<string>();
  private readonly commits: ChunkCommitQueue;
  private outputSlots: BufferPool | null = null;
  private decodeScratch: BufferPool | null = null;

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

  /** Shared buffers the workers build new chunks' blobs in: as many as chunks a backup has in flight. */
  private slots(): BufferPool {
    this.outputSlots ??= new BufferPool(OUTPUT_SLOTS, encodedSizeBound(this.chunkSize));
    return this.outputSlots;
  }

  private async write(hex: string, plain: Buffer, profile?: StageProfile): Promise<number> {
    const slots = this.slots();
    const slot = await slots.acquire();
    try {
      return await this.writeEncoded(hex, plain, slot, profile);
    } finally {
      slots.release(slot);
    }
  }

  private async writeEncoded(hex: string, plain: Buffer, slot: Buffer, profile?: StageProfile): Promise<number> {
    const binding = chunkBinding(hex);
    const request = { data: plain, level: this.compressionLevel, binding, out: slot };
    const encoded = await this.hasher.encode(request, profile);
    const parts = encoded?.parts ?? await encodeBlob(CHUNK_BLOB_MAGIC, plain, {
      compressionLevel: this.compressionLevel, keys: this.keys, binding,
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

  /** Bytes a `scratch` for get() needs: the stored blob, then room for the chunk expanded. */
  static scratchSize(chunkSize: number): number {
    return chunkSize + BLOB_OVERHEAD_CAP + chunkSize + 1;
  }

  /**
   * Reads, decodes and checks a chunk against its id. Missing or damaged: CORRUPT.
   * With `scratch` (a SharedArrayBuffer-backed buffer of ChunkStore.scratchSize bytes), the
   * blob is read into it and opened, expanded and hashed by a worker in place: the result is
   * then a view into `scratch`, valid until the next get() with it. Without, the result is
   * the caller's own buffer.
   */
  async get(id: Buffer, scratch?: Buffer, profile?: StageProfile): Promise<Buffer> {
    if (scratch !== undefined && scratch.length >= ChunkStore.scratchSize(this.chunkSize)) {
      return this.getInto(id, scratch, profile);
    }
    this.decodeScratch ??= new BufferPool(DECODE_SCRATCH, ChunkStore.scratchSize(this.chunkSize));
    const own = await this.decodeScratch.acquire();
    try {
      return Buffer.from(await this.getInto(id, own, profile));
    } finally {
      this.decodeScratch.release(own);
    }
  }

  private async getInto(id: Buffer, scratch: Buffer, profile?: StageProfile): Promise<Buffer> {
    const hex = id.toString('hex');
    const path = this.layout.chunkPath(hex);
    const capBytes = this.chunkSize + BLOB_OVERHEAD_CAP;
    const blobArea = scratch.subarray(0, capBytes);
    const outArea = scratch.subarray(capBytes);
    let bytes: Buffer;
    const readStart = StageProfile.now();
    try {
      bytes = await readUntrustedFile(path, 'chunk', { capBytes, scratch: blobArea });
      profile?.end('read', readStart, bytes.length);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') throw new LabvaultError(ErrorCodes.CORRUPT, `Chunk ${hex} is missing from the vault (${path}).`, { details: { chunkId: hex, path } });
      throw storeIoError(path, 'read chunk', error);
    }
    const what = `Chunk ${hex} (${path})`;
    assertBlobPlainLength(bytes, this.chunkSize, what);
    const header = readBlobHeader(CHUNK_BLOB_MAGIC, bytes, this.keys, what);
    const binding = chunkBinding(hex);
    const outcome: DecodeOutcome | null = await this.hasher.decode({
      blob: bytes, codec: header.codec, plainLength: header.plainLength, out: outArea,
      aad: header.encrypted ? blobAdditionalData(bytes, header.version, binding) : undefined,
    }, profile);
    let plain: Buffer;
    let actual: Buffer;
    if (outcome === null) {
      plain = await decodeBlob(CHUNK_BLOB_MAGIC, bytes, this.keys, what, binding, profile, bytes);
      actual = await this.hasher.digest(plain, profile);
    } else if (!outcome.ok) {
      throw corruptBlob(what, outcome.problem === 'auth'
        ? authenticationProblem(header.version, binding)
        : outcome.problem === 'zstd' || header.codec === CODEC_ZSTD
          ? `zstd frame does not decompress to the ${header.plainLength} bytes its header declares`
          : `decoded ${outcome.length ?? 0} bytes, header says ${header.plainLength}`);
    } else {
      plain = outcome.plain;
      actual = outcome.digest;
    }
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
