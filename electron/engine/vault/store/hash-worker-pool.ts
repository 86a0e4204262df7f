/**
 * Chunk hashing in worker threads. Measured here, WebCrypto's async `subtle.digest` does
 * most of its work on the calling thread (1,351 ms of 1,771 ms for 256 x 1 MiB), so it
 * cannot use the second core; node:crypto in workers can. Read buffers are
 * SharedArrayBuffers (BufferPool), so a worker hashes them in place: the main thread only
 * posts {offset, length}. Other buffers are copied once into a transferred ArrayBuffer.
 * If workers cannot start, hashing falls back to the main thread.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { createHash, createHmac } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { StageProfile } from './stage-profile.ts';

interface Pending {
  resolve: (digest: Buffer) => void;
  profile: StageProfile | undefined;
  bytes: number;
  reject: (error: Error) => void;
}

interface HashLane {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * The worker's whole program, plain JavaScript evaluated in the worker: no file to ship in
 * a bundle, and no TypeScript loader (which costs each worker about 40 MiB) in the worker.
 * It hashes a byte range of a SharedArrayBuffer or transferred ArrayBuffer with SHA-256,
 * or HMAC-SHA256 when workerData carries the MAC key.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash, createHmac } = require('node:crypto');
const key = workerData && workerData.macKey;
parentPort.on('message', (request) => {
  const start = process.hrtime.bigint();
  const data = new Uint8Array(request.buffer, request.offset, request.length);
  const digest = (key ? createHmac('sha256', key) : createHash('sha256')).update(data).digest();
  const out = digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.length);
  parentPort.postMessage({ id: request.id, digest: out, ns: process.hrtime.bigint() - start }, [out]);
});
`;

export class HashWorkerPool {
  private readonly macKey: KeyObject | undefined;
  private readonly size: number;
  private lanes: HashLane[] | null = null;
  private failed = false;
  private nextId = 1;

  constructor(macKey: KeyObject | undefined, size = Math.max(1, Math.min(4, availableParallelism()))) {
    this.macKey = macKey;
    this.size = size;
  }

  /** Digest on this thread (small data, or when workers are unavailable). */
  digestHere(data: Uint8Array): Buffer {
    return (this.macKey === undefined ? createHash('sha256') : createHmac('sha256', this.macKey)).update(data).digest();
  }

  private startLane(): HashLane {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { macKey: this.macKey } });
    worker.unref();
    const lane: HashLane = { worker, pending: new Map() };
    worker.on('message', (message: { id: number; digest: ArrayBuffer; ns: bigint }) => {
      const entry = lane.pending.get(message.id);
      lane.pending.delete(message.id);
      entry?.profile?.addNs('hash', message.ns, entry.bytes);
      entry?.resolve(Buffer.from(message.digest));
    });
    const failAll = (error: Error): void => {
      for (const entry of lane.pending.values()) entry.reject(error);
      lane.pending.clear();
      if (this.lanes !== null) this.lanes = this.lanes.map((l) => (l === lane ? this.startLane() : l));
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => { if (lane.pending.size > 0) failAll(new Error(`hash worker exited with code ${code}`)); });
    return lane;
  }

  private lanesOrNull(): HashLane[] | null {
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

  /** The chunk id of `data`; with `profile`, the worker's hashing time is added to its 'hash' stage. */
  async digest(data: Buffer, profile?: StageProfile): Promise<Buffer> {
    const lanes = this.lanesOrNull();
    if (lanes === null) {
      const start = process.hrtime.bigint();
      const digest = this.digestHere(data);
      profile?.end('hash', start, data.length);
      return digest;
    }
    let lane = lanes[0]!;
    for (const candidate of lanes) if (candidate.pending.size < lane.pending.size) lane = candidate;
    const id = this.nextId++;
    const shared = data.buffer instanceof SharedArrayBuffer;
    const buffer = shared ? data.buffer : data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
    return new Promise<Buffer>((resolve, reject) => {
      lane.pending.set(id, { resolve, reject, profile, bytes: data.length });
      const message = { id, buffer, offset: shared ? data.byteOffset : 0, length: data.length };
      if (shared) lane.worker.postMessage(message);
      else lane.worker.postMessage(message, [buffer as ArrayBuffer]);
      if (lane.pending.size === 1) lane.worker.ref();
    }).finally(() => { if (lane.pending.size === 0) lane.worker.unref(); });
  }

  async close(): Promise<void> {
    const lanes = this.lanes;
    this.lanes = null;
    if (lanes !== null) await Promise.all(lanes.map((lane) => lane.worker.terminate()));
  }
}
