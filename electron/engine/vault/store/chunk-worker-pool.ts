/**
 * Chunk work in worker threads: hashing (chunk ids), and a new chunk's whole encoding
 * (compression probe, zstd, AES-256-GCM) or a stored chunk's decoding (GCM, zstd, hash).
 *
 * Why here: measured on 2 cores, a full backup spent its time waiting, not computing (CPU
 * 1.7 s over a 1.7 s transfer): zstd ran on the libuv threadpool, whose 4 threads the
 * chunk writes, reads and fsyncs also need, so reads queued behind compression, and
 * encryption ran on the main thread between reads. Now each chunk's CPU work is done in
 * one worker, synchronously, and the threadpool is left to file I/O. Read buffers and the
 * output slots are SharedArrayBuffers, so workers read and write them in place: the main
 * thread posts offsets. Other buffers are copied once into a transferred ArrayBuffer.
 * If workers cannot start, the same work runs on the main thread (blob-codec.ts).
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { createHash, createHmac } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Stage, StageProfile } from './stage-profile.ts';
import { CHUNK_WORKER_SOURCE } from './chunk-worker-source.ts';
import {
  BLOB_CODEC_OFFSET, BLOB_FLAGS_OFFSET, BLOB_FORMAT_VERSION, BLOB_FORMAT_VERSION_BOUND, BLOB_HEADER_SIZE,
  BLOB_MAGIC_OFFSET, BLOB_PLAIN_LENGTH_OFFSET, BLOB_RESERVED_OFFSET, BLOB_VERSION_OFFSET, CHUNK_BLOB_MAGIC,
  CODEC_NONE, CODEC_ZSTD, FLAG_ENCRYPTED, GCM_NONCE_SIZE, GCM_TAG_SIZE,
} from './format-constants.ts';
import {
  MIN_SAVING, PROBE_LEVEL, SAMPLE_PIECES, SAMPLE_PIECE_SIZE, SAMPLE_THRESHOLD_SIZE,
} from './blob-compression.ts';
import { ZSTD_WINDOW_LOG_MAX } from './zstd-window.ts';

type Times = Partial<Record<Stage, [bigint, number]>>;

interface Reply {
  id: number;
  times: Times;
  error?: string;
  digest?: ArrayBuffer;
  raw?: boolean;
  length?: number;
  problem?: 'auth' | 'zstd' | 'length';
  at?: 'out' | 'blob';
  start?: number;
}

interface Pending {
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
  profile: StageProfile | undefined;
}

interface Lane {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** A new chunk's blob, ready to write: `parts` (header first), valid until `release()`. */
export interface EncodedChunk {
  parts: Buffer[];
  bytes: number;
}

export interface EncodeRequest {
  /** The plain chunk (a view of a SharedArrayBuffer is posted in place). */
  data: Buffer;
  /** zstd level, or undefined to store uncompressed. */
  level: number | undefined;
  /** The blob's binding ("chunk/<id>"), authenticated when the vault is encrypted. */
  binding: string;
  /** Where the blob is written: a SharedArrayBuffer-backed buffer of at least encodedSizeBound(data.length). */
  out: Buffer;
}

export type DecodeOutcome =
  | { ok: true; plain: Buffer; digest: Buffer }
  | { ok: false; problem: 'auth' | 'zstd' | 'length'; length?: number };

export interface DecodeRequest {
  /** The whole blob as read, in a SharedArrayBuffer-backed buffer (decryption overwrites it in place). */
  blob: Buffer;
  codec: number;
  plainLength: number;
  /** The GCM additional data (header + binding), for an encrypted vault. */
  aad: Buffer | undefined;
  /** Where a zstd payload expands: a SharedArrayBuffer-backed buffer of at least plainLength + 1 bytes. */
  out: Buffer;
}

/** Bytes an encoded blob of a `length`-byte chunk may take while it is built (zstd's bound, GCM, header). */
export function encodedSizeBound(length: number): number {
  const zstdBound = length + (length >>> 8) + (length < 131072 ? (131072 - length) >>> 11 : 0) + 64;
  return BLOB_HEADER_SIZE + GCM_NONCE_SIZE + zstdBound + GCM_TAG_SIZE;
}

const FORMAT = {
  chunkMagic: CHUNK_BLOB_MAGIC, magicOffset: BLOB_MAGIC_OFFSET, versionOffset: BLOB_VERSION_OFFSET,
  codecOffset: BLOB_CODEC_OFFSET, flagsOffset: BLOB_FLAGS_OFFSET, reservedOffset: BLOB_RESERVED_OFFSET,
  plainLengthOffset: BLOB_PLAIN_LENGTH_OFFSET, headerSize: BLOB_HEADER_SIZE, nonceSize: GCM_NONCE_SIZE,
  tagSize: GCM_TAG_SIZE, plainVersion: BLOB_FORMAT_VERSION, boundVersion: BLOB_FORMAT_VERSION_BOUND,
  codecNone: CODEC_NONE, codecZstd: CODEC_ZSTD, flagEncrypted: FLAG_ENCRYPTED, minSaving: MIN_SAVING,
  samplePieces: SAMPLE_PIECES, samplePieceSize: SAMPLE_PIECE_SIZE, sampleThreshold: SAMPLE_THRESHOLD_SIZE,
  probeLevel: PROBE_LEVEL, windowLogMax: ZSTD_WINDOW_LOG_MAX,
};

function isShared(data: Uint8Array): boolean {
  return data.buffer instanceof SharedArrayBuffer;
}

export class ChunkWorkerPool {
  private readonly macKey: KeyObject | undefined;
  private readonly dataKey: KeyObject | undefined;
  private readonly size: number;
  private lanes: Lane[] | null = null;
  private failed = false;
  private nextId = 1;

  constructor(
    macKey: KeyObject | undefined, dataKey?: KeyObject, size = Math.max(1, Math.min(4, availableParallelism())),
  ) {
    this.macKey = macKey;
    this.dataKey = dataKey;
    this.size = size;
  }

  /** Digest on this thread (small data, or when workers are unavailable). */
  digestHere(data: Uint8Array): Buffer {
    return (this.macKey === undefined ? createHash('sha256') : createHmac('sha256', this.macKey)).update(data).digest();
  }

  /**
   * Starts the workers now rather than at the first request, so that their start (about 40 ms of
   * CPU each, here) overlaps other work: a backup that will read data warms them up before it
   * clones its disks (backup/chunk-worker-warmup.ts). Does nothing once they run.
   */
  warmUp(): void {
    this.lanesOrNull();
  }

  /** Whether the workers were started (tests). */
  get started(): boolean {
    return this.lanes !== null;
  }

  /** False when worker threads could not start: callers then do the work on this thread. */
  get available(): boolean {
    return this.lanesOrNull() !== null;
  }

  private startLane(): Lane {
    const worker = new Worker(CHUNK_WORKER_SOURCE, {
      eval: true, workerData: { macKey: this.macKey, dataKey: this.dataKey, format: FORMAT },
    });
    worker.unref();
    const lane: Lane = { worker, pending: new Map() };
    worker.on('message', (reply: Reply) => {
      const entry = lane.pending.get(reply.id);
      lane.pending.delete(reply.id);
      if (entry === undefined) return;
      for (const [stage, figure] of Object.entries(reply.times) as Array<[Stage, [bigint, number]]>) {
        entry.profile?.addNs(stage, figure[0], figure[1]);
      }
      if (reply.error !== undefined) entry.reject(new Error(`chunk worker: ${reply.error}`));
      else entry.resolve(reply);
    });
    const failAll = (error: Error): void => {
      for (const entry of lane.pending.values()) entry.reject(error);
      lane.pending.clear();
      if (this.lanes !== null) this.lanes = this.lanes.map((l) => (l === lane ? this.startLane() : l));
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => { if (lane.pending.size > 0) failAll(new Error(`chunk worker exited with code ${code}`)); });
    return lane;
  }

  private lanesOrNull(): Lane[] | null {
    if (this.failed) return null;
    if (this.lanes === null) {
      try {
        this.lanes = Array.from({ length: this.size }, () => this.startLane());
      } catch {
        this.failed = true;
        return null;
      }
    }
    return this.lanes;
  }

  private post(
    lanes: Lane[], message: Record<string, unknown>, transfer: ArrayBuffer[], profile?: StageProfile,
  ): Promise<Reply> {
    let lane = lanes[0]!;
    for (const candidate of lanes) if (candidate.pending.size < lane.pending.size) lane = candidate;
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      lane.pending.set(id, { resolve, reject, profile });
      lane.worker.postMessage({ ...message, id }, transfer);
      if (lane.pending.size === 1) lane.worker.ref();
    }).finally(() => { if (lane.pending.size === 0) lane.worker.unref(); });
  }

  /** The chunk id of `data`; with `profile`, the worker's hashing time is added to its 'hash' stage. */
  async digest(data: Buffer, profile?: StageProfile): Promise<Buffer> {
    const lanes = this.lanesOrNull();
    if (lanes === null) {
      const start = process.hrtime.bigint();
      const digest = this.digestHere(data);
      profile?.end('hash', start, data.length);
      return digest;
    }
    const shared = isShared(data);
    const buffer = shared ? data.buffer : data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
    const reply = await this.post(lanes, {
      op: 'hash', buffer, offset: shared ? data.byteOffset : 0, length: data.length,
    }, shared ? [] : [buffer as ArrayBuffer], profile);
    return Buffer.from(reply.digest as ArrayBuffer);
  }

  /**
   * A new chunk's blob built in a worker, written into `request.out` (shared memory). Null
   * when workers are unavailable or `data`/`out` are not shared (the caller encodes on its thread).
   */
  async encode(request: EncodeRequest, profile?: StageProfile): Promise<EncodedChunk | null> {
    const lanes = this.lanesOrNull();
    const { data, out } = request;
    if (lanes === null || !isShared(out) || out.length < encodedSizeBound(data.length)) return null;
    const shared = isShared(data);
    const buffer = shared ? data.buffer : data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
    const reply = await this.post(lanes, {
      op: 'encode', buffer, offset: shared ? data.byteOffset : 0, length: data.length,
      out: out.buffer, outOffset: out.byteOffset, outLength: out.length,
      level: request.level ?? null, binding: request.binding,
    }, shared ? [] : [buffer as ArrayBuffer], profile);
    const length = reply.length as number;
    const parts = reply.raw === true ? [out.subarray(0, BLOB_HEADER_SIZE), data] : [out.subarray(0, length)];
    return { parts, bytes: length };
  }

  /**
   * A stored chunk opened, expanded and hashed in a worker (the caller checked the header
   * and compares the digest with the id). Null when workers are unavailable or the buffers are not shared.
   */
  async decode(request: DecodeRequest, profile?: StageProfile): Promise<DecodeOutcome | null> {
    const lanes = this.lanesOrNull();
    const { blob, out } = request;
    if (lanes === null || !isShared(blob) || !isShared(out) || out.length < request.plainLength + 1) return null;
    const reply = await this.post(lanes, {
      op: 'decode', buffer: blob.buffer, offset: blob.byteOffset, length: blob.length,
      out: out.buffer, outOffset: out.byteOffset, outLength: out.length,
      codec: request.codec, plainLength: request.plainLength, aad: request.aad ?? null,
    }, [], profile);
    if (reply.problem !== undefined) {
      return { ok: false, problem: reply.problem, ...(reply.length === undefined ? {} : { length: reply.length }) };
    }
    const start = reply.start as number;
    const plain = (reply.at === 'out' ? out : blob).subarray(start, start + (reply.length as number));
    return { ok: true, plain, digest: Buffer.from(reply.digest as ArrayBuffer) };
  }

  async close(): Promise<void> {
    const lanes = this.lanes;
    this.lanes = null;
    if (lanes !== null) await Promise.all(lanes.map((lane) => lane.worker.terminate()));
  }
}
