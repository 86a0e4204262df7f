/**
 * backupFile: streams one file into the store as fixed-size chunks and writes its index.
 *
 * Holes: when the filesystem reports where the file holds data (fs/file-data-ranges.ts,
 * with its evidence checks), only chunks that overlap a data range are read; every other
 * chunk is an all-zero chunk without a read. Without such a report the whole file is read.
 *
 * Change tracking: given `unchanged` (ranges proven to hold the same bytes as the file
 * previousIndex describes, backup/clone-change-tracking.ts), a chunk whose whole range lies
 * in them, with the same length in both files, takes its id from previousIndex without
 * being read, when that id is the zero id or a chunk the store still has. Only while the
 * open file's stat equals the one the proof was made for; otherwise everything is read.
 *
 * Pipeline per read buffer (4 MiB, from a pool of 4 reused buffers, so memory is bounded
 * by the pool whatever the file size; two reads in flight, source-reader.ts): read ->
 * split into chunks -> all-zero chunks are only marked (never hashed or stored) -> hash
 * (chunk workers, reading the shared read buffer in place) -> when not already stored:
 * probe, compress and seal in a chunk worker (chunk-worker-pool.ts) -> write.
 * Up to poolSize x chunksPerBuffer chunks are in flight; a buffer returns to the pool
 * when all its chunks are done. After the last chunk: ChunkStore.syncAll() (durability
 * barrier), then the index is written. Cancelling (AbortSignal) throws CANCELLED before
 * any index is written; chunks already stored stay as orphans until the next GC.
 */
import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { BigIntStats, Stats } from 'node:fs';
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import { BufferPool } from './buffer-pool.ts';
import { alignedSharedBuffers } from './aligned-buffers.ts';
import { ZERO_CHUNK_ID, isAllZero } from './chunk-id.ts';
import { storeIoError } from './durable-fs.ts';
import { DIGEST_SIZE } from './format-constants.ts';
import { FixedIndex } from './fixed-index.ts';
import type { StoreContext } from './store-context.ts';
import type { ReadRateLimiter } from './read-rate-limiter.ts';
import { StageProfile } from './stage-profile.ts';
import { SourceReader } from './source-reader.ts';
import { findFileDataRanges } from '../../fs/file-data-ranges.ts';
import type { DataRange } from '../../fs/file-data-ranges.ts';
import { sameFileState } from '../../fs/file-extent-map.ts';

export interface TransferProgress {
  bytesDone: number;
  bytesTotal: number;
  bytesWritten: number;
}

export interface BackupFileOptions {
  store: StoreContext;
  sourcePath: string;
  /** An already open handle on sourcePath (for example of a frozen snapshot); not closed here. */
  fileHandle?: FileHandle;
  /** The same file's index in the previous point, to count changed chunks (chunksChanged). */
  previousIndex?: FixedIndex;
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
  /** Read buffer size (a multiple of the chunk size; default max(4 MiB, chunk size)). */
  readBufferSize?: number;
  /** Read buffers in the pool (default 4). */
  readBuffers?: number;
  /** Reads in flight (default 2; source-reader.ts). */
  readDepth?: number;
  /** Ask the filesystem for the file's data ranges and skip its holes (default true). */
  skipHoles?: boolean;
  /** Per-stage time and bytes are added here when given. */
  profile?: StageProfile;
  /** Reads wait on this limiter (the host's read limit), shared by every file of a job. */
  readLimiter?: ReadRateLimiter;
  /** Change tracking: ranges proven unchanged since previousIndex's file, for the file in state `stat`. */
  unchanged?: UnchangedRanges;
  /**
   * Read around the page cache (O_DIRECT, source-reader.ts) where the filesystem allows it: for
   * a file nothing else has in cache, such as a clone made for this backup (its page cache starts
   * empty whatever the VM's disk has cached). Off by default: a live file may be hot in cache.
   */
  directRead?: boolean;
}

export interface UnchangedRanges {
  /** Sorted byte ranges holding the same bytes as the file `previousIndex` was made of. */
  ranges: DataRange[];
  previousIndex: FixedIndex;
  /** The file's stat the proof holds for (size, times in ns, blocks, inode, device). */
  stat: BigIntStats;
}

export interface BackupFileResult {
  index: FixedIndex;
  indexId: string;
  /** The source's stat taken when the read started (size, mtimeMs, ino, dev, mode). */
  stat: Stats;
  /** Bytes of the file the index covers (its size as read), holes included. */
  bytesRead: number;
  /** Of bytesRead, bytes of chunks inside holes the filesystem reported: all-zero, never read from disk. */
  bytesSkipped: number;
  /** Of bytesRead, bytes of chunks change tracking proved unchanged: ids from the previous index, never read. */
  bytesTracked: number;
  /** Where the hole map came from, or 'none' (the whole file was read). */
  holeMap: 'seek' | 'fiemap' | 'none';
  /** Bytes written to the vault for new chunks (after compression and encryption). */
  bytesWritten: number;
  /** Bytes of non-zero chunks that were already stored. */
  bytesDeduplicated: number;
  chunksNew: number;
  chunksReused: number;
  /** Non-zero chunks that differ from previousIndex at the same position (all, without one). */
  chunksChanged: number;
  zeroBytes: number;
}

export function cancelledError(what: string): LabvaultError {
  return new LabvaultError(ErrorCodes.CANCELLED, `${what} was cancelled; nothing was committed.`);
}

function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** Chunk-aligned spans to read: every chunk that overlaps a data range, neighbours merged. */
function readSpans(ranges: DataRange[], chunkSize: number, size: number): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  for (const range of ranges) {
    if (range.length <= 0) continue;
    const start = Math.floor(range.offset / chunkSize) * chunkSize;
    const end = Math.min(size, Math.ceil((range.offset + range.length) / chunkSize) * chunkSize);
    const last = spans.at(-1);
    if (last !== undefined && start <= last.end) last.end = Math.max(last.end, end);
    else if (end > start) spans.push({ start, end });
  }
  return spans;
}

/**
 * Marks (1) the chunks inside `spans` that `unchanged` proves equal to the previous index's
 * chunk at the same position: whole chunk inside one range, same length in both files, and
 * an id that is the zero id or still stored.
 */
async function trackedChunks(
  unchanged: UnchangedRanges, spans: Array<{ start: number; end: number }>, chunkSize: number, size: number,
  has: (id: Buffer) => Promise<boolean>,
): Promise<Uint8Array> {
  const previous = unchanged.previousIndex;
  const marks = new Uint8Array(Math.ceil(size / chunkSize));
  if (previous.chunkSize !== chunkSize) return marks;
  let r = 0;
  for (const span of spans) {
    for (let i = Math.floor(span.start / chunkSize); i * chunkSize < Math.min(span.end, size); i += 1) {
      const start = i * chunkSize;
      const end = Math.min(start + chunkSize, size);
      while (r < unchanged.ranges.length) {
        const range = unchanged.ranges[r] as DataRange;
        if (range.offset + range.length > start) break;
        r += 1;
      }
      const range = unchanged.ranges[r];
      if (range === undefined || range.offset > start || range.offset + range.length < end) continue;
      if (i >= previous.chunkCount || previous.chunkLength(i) !== end - start) continue;
      if (previous.isZero(i) || (await has(previous.idAt(i)))) marks[i] = 1;
    }
  }
  return marks;
}

/** `spans` without the marked chunks (chunk-aligned pieces; span ends are chunk-aligned or the file's size). */
function withoutMarked(
  spans: Array<{ start: number; end: number }>, marks: Uint8Array, chunkSize: number,
): Array<{ start: number; end: number }> {
  const left: Array<{ start: number; end: number }> = [];
  for (const span of spans) {
    let runStart: number | null = null;
    for (let at = span.start; at < span.end; at += chunkSize) {
      const marked = marks[at / chunkSize] === 1;
      if (!marked && runStart === null) runStart = at;
      if (marked && runStart !== null) {
        left.push({ start: runStart, end: at });
        runStart = null;
      }
    }
    if (runStart !== null) left.push({ start: runStart, end: span.end });
  }
  return left;
}

export async function backupFile(options: BackupFileOptions): Promise<BackupFileResult> {
  const { store, sourcePath, signal } = options;
  const profile = options.profile ?? new StageProfile();
  const chunkSize = store.chunkSize;
  const bufferSize = options.readBufferSize ?? Math.max(4 * 1024 * 1024, chunkSize);
  if (bufferSize % chunkSize !== 0) throw new RangeError(`readBufferSize ${bufferSize} is not a multiple of the chunk size ${chunkSize}`);
  const handle = options.fileHandle ?? await open(sourcePath, 'r').catch((error: unknown) => { throw storeIoError(sourcePath, 'open', error); });
  try {
    const stat = await handle.stat();
    const syncBefore = store.chunks.syncFigures();
    const dataMap = options.skipHoles === false
      ? null
      : await profile.time('map', 0, () => findFileDataRanges(handle, sourcePath).catch(() => null));
    // Change tracking holds only for the file state it was proven for.
    const unchanged = options.unchanged !== undefined
      && sameFileState(options.unchanged.stat, await handle.stat({ bigint: true }))
      && Number(options.unchanged.stat.size) === stat.size ? options.unchanged : undefined;
    // Without a map: one span to the end of the file, read until EOF (a file that grows is read as it is).
    const baseSpans = dataMap === null
      ? [{ start: 0, end: unchanged !== undefined ? stat.size : Number.POSITIVE_INFINITY }]
      : readSpans(dataMap.ranges, chunkSize, stat.size);
    const trackStart = StageProfile.now();
    const marks = unchanged === undefined
      ? null
      : await trackedChunks(unchanged, baseSpans, chunkSize, stat.size, (id) => store.chunks.has(id));
    const spans = marks === null ? baseSpans : withoutMarked(baseSpans, marks, chunkSize);
    const trackNs = StageProfile.now() - trackStart;
    const direct = options.directRead === true ? await openDirect(sourcePath, stat) : undefined;
    const aligned = direct === undefined ? null : alignedSharedBuffers(options.readBuffers ?? 4, bufferSize);
    const pool = new BufferPool(options.readBuffers ?? 4, bufferSize, aligned ?? undefined);
    const zeros = Buffer.alloc(chunkSize);
    const previous = options.previousIndex?.chunkSize === chunkSize ? options.previousIndex : undefined;
    let ids = Buffer.alloc(Math.max(1, Math.ceil(stat.size / chunkSize)) * DIGEST_SIZE);
    const result = {
      bytesRead: 0, bytesSkipped: 0, bytesTracked: 0, bytesWritten: 0, bytesDeduplicated: 0,
      chunksNew: 0, chunksReused: 0,
      chunksChanged: 0, zeroBytes: 0,
    };
    let failure: unknown;
    const running = new Set<Promise<void>>();
    const setId = (chunkIndex: number, id: Buffer): void => {
      while (ids.length < (chunkIndex + 1) * DIGEST_SIZE) ids = Buffer.concat([ids, Buffer.alloc(ids.length)]);
      id.copy(ids, chunkIndex * DIGEST_SIZE);
    };

    const storeChunk = async (data: Buffer, chunkIndex: number): Promise<void> => {
      const id = await store.hasher.digest(data, profile);
      setId(chunkIndex, id);
      if (previous === undefined || chunkIndex >= previous.chunkCount || !previous.idAt(chunkIndex).equals(id)) {
        result.chunksChanged += 1;
      }
      // Always through put(): it answers from the in-memory id set, and never trusts an
      // old index for a chunk a GC might have removed since.
      const written = await store.chunks.put(id, data, profile);
      if (written > 0) {
        result.chunksNew += 1;
        result.bytesWritten += written;
      } else {
        result.chunksReused += 1;
        result.bytesDeduplicated += data.length;
      }
    };

    /** Chunks of [from, to) are not read: proven unchanged (marked), else in a reported hole (all-zero). */
    const skipHole = (from: number, to: number): void => {
      for (let offset = from; offset < to; offset += chunkSize) {
        const length = Math.min(chunkSize, to - offset);
        const chunkIndex = offset / chunkSize;
        result.bytesRead += length;
        if (marks !== null && unchanged !== undefined && marks[chunkIndex] === 1) {
          result.bytesTracked += length;
          const id = unchanged.previousIndex.idAt(chunkIndex);
          setId(chunkIndex, id);
          if (unchanged.previousIndex.isZero(chunkIndex)) {
            result.zeroBytes += length;
          } else {
            result.chunksReused += 1;
            result.bytesDeduplicated += length;
            if (previous === undefined || chunkIndex >= previous.chunkCount || !previous.idAt(chunkIndex).equals(id)) {
              result.chunksChanged += 1;
            }
          }
          continue;
        }
        result.zeroBytes += length;
        result.bytesSkipped += length;
        setId(chunkIndex, ZERO_CHUNK_ID);
      }
    };

    let position = 0;
    let endOfFile = false;
    const reader = new SourceReader({
      handle, sourcePath, pool, spans, bufferSize, readLimiter: options.readLimiter, signal, profile,
      ...(aligned === null ? {} : { direct }),
      ...(options.readDepth === undefined ? {} : { depth: options.readDepth }),
    });
    try {
      for (;;) {
        if (aborted(signal) || failure !== undefined) break;
        const read = await reader.next();
        if (read === null) break;
        const { buffer, filled } = read;
        // A new span: the chunks between the last one and it were not read (holes or proven unchanged).
        skipHole(position, read.position);
        position = read.position;
        if (filled < read.want) endOfFile = true;
        if (filled === 0) {
          pool.release(buffer);
          break;
        }
        result.bytesRead += filled;
        const tasks: Array<Promise<void>> = [];
        const zeroStart = StageProfile.now();
        for (let offset = 0; offset < filled; offset += chunkSize) {
          const data = buffer.subarray(offset, Math.min(offset + chunkSize, filled));
          const index = (position + offset) / chunkSize;
          if (isAllZero(data, zeros)) {
            result.zeroBytes += data.length;
            setId(index, ZERO_CHUNK_ID);
            continue;
          }
          tasks.push(storeChunk(data, index).catch((error: unknown) => { failure ??= error; }));
        }
        profile.end('zero', zeroStart, filled);
        position += filled;
        const group = Promise.all(tasks).then(() => {
          pool.release(buffer);
          running.delete(group);
        });
        running.add(group);
        options.onProgress?.({ bytesDone: position, bytesTotal: stat.size, bytesWritten: result.bytesWritten });
        if (endOfFile) break;
      }
    } finally {
      await reader.close();
      await direct?.close().catch(() => undefined);
    }
    // With a map the file's size is the stat's (trailing holes included), unless it ended early.
    if ((dataMap !== null || marks !== null) && !endOfFile && failure === undefined) {
      skipHole(position, stat.size);
      position = stat.size;
    }
    if (marks !== null) profile.addNs('track', trackNs, result.bytesTracked);
    await Promise.all(running);
    if (failure !== undefined || aborted(signal)) {
      // Settle the chunks already written (they become orphans for GC), then report.
      await store.chunks.syncAll().catch(() => undefined);
      throw failure ?? cancelledError(`Backup of ${sourcePath}`);
    }
    await store.chunks.syncAll();
    const syncAfter = store.chunks.syncFigures();
    profile.addNs('sync', syncAfter.ns - syncBefore.ns, syncAfter.bytes - syncBefore.bytes);
    if (aborted(signal)) throw cancelledError(`Backup of ${sourcePath}`);
    const chunkCount = Math.ceil(position / chunkSize);
    const index = new FixedIndex(chunkSize, position, Buffer.from(ids.subarray(0, chunkCount * DIGEST_SIZE)));
    const indexId = await profile.time('index', 0, () => store.indexes.write(index));
    return { index, indexId, stat, holeMap: dataMap?.source ?? 'none', ...result };
  } finally {
    if (options.fileHandle === undefined) await handle.close().catch(() => undefined);
  }
}

/**
 * The source opened again with O_DIRECT, if the filesystem allows it and it is the same file
 * (device and inode) as `stat` names; else undefined, and every read is buffered.
 */
async function openDirect(sourcePath: string, stat: Stats): Promise<FileHandle | undefined> {
  // Linux has O_DIRECT; macOS and Windows have no such flag (node:fs leaves it undefined).
  if (typeof fsConstants.O_DIRECT !== 'number' || typeof fsConstants.O_NOFOLLOW !== 'number') return undefined;
  let handle: FileHandle | undefined;
  try {
    handle = await open(sourcePath, fsConstants.O_RDONLY | fsConstants.O_DIRECT | fsConstants.O_NOFOLLOW);
    const opened = await handle.stat();
    if (opened.dev === stat.dev && opened.ino === stat.ino) return handle;
  } catch {
    // No direct I/O here (tmpfs, some network filesystems): buffered reads only.
  }
  await handle?.close().catch(() => undefined);
  return undefined;
}
