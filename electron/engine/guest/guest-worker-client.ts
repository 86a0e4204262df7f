/**
 * The main-thread side of the guest worker: starts it with a memory bound
 * (resourceLimits), bounds every request in time, and serves the worker's disk reads from
 * the point's BlockSources. A request that runs past its bound, or a worker that dies or
 * runs out of memory, ends the worker and fails every pending request with TIMEOUT (or
 * GUEST_UNREADABLE for a crash), naming the operation; the app itself never hangs.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { ErrorCodes, LabvaultError, isLabvaultError } from '../../../shared/errors.ts';
import type { BlockSource } from './guest-filesystem.ts';
import type { FromWorker, GuestRequest, GuestResults, GuestWorkerData, ToWorker } from './guest-worker-protocol.ts';

export interface GuestWorkerLimits {
  /** Each request's time bound (default 30 s). */
  requestTimeoutMs: number;
  /** The worker's heap bound in MiB (default 256). */
  maxHeapMb: number;
}

export const DEFAULT_GUEST_LIMITS: GuestWorkerLimits = { requestTimeoutMs: 30_000, maxHeapMb: 256 };

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  what: string;
}

/**
 * The worker's program: guest-worker.ts beside this file when running from sources (Node
 * strips its types), or guest-worker.mjs beside the bundle that contains this code.
 */
function workerEntry(): URL {
  const source = new URL('./guest-worker.ts', import.meta.url);
  if (existsSync(source)) return source;
  return new URL('./guest-worker.mjs', import.meta.url);
}

function describe(request: GuestRequest): string {
  switch (request.op) {
    case 'layout': return 'reading the partition tables and volumes';
    case 'list': return `listing ${request.path}`;
    case 'stat': return `looking up ${request.path}`;
    case 'open-file': return `opening ${request.path}`;
    case 'next-chunk': return 'reading a file';
    case 'close-file': return 'closing a file';
    case 'check': return 'checking the filesystem metadata';
  }
}

export class GuestWorker {
  private readonly worker: Worker;
  private readonly disks: BlockSource[];
  private readonly limits: GuestWorkerLimits;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: LabvaultError | undefined;

  /** `disks` are the disks, or with `pointFiles` a point's files the worker opens the disk images among. */
  constructor(disks: { name: string; source: BlockSource }[], limits: Partial<GuestWorkerLimits> = {},
    pointFiles?: GuestWorkerData['pointFiles']) {
    this.limits = { ...DEFAULT_GUEST_LIMITS, ...limits };
    this.disks = disks.map((disk) => disk.source);
    const data: GuestWorkerData = {
      disks: disks.map((disk) => ({ name: disk.name, size: disk.source.size })), ...(pointFiles ? { pointFiles } : {}),
    };
    this.worker = new Worker(workerEntry(), {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: this.limits.maxHeapMb, maxYoungGenerationSizeMb: 32 },
      stdout: false,
      stderr: false,
    });
    this.worker.on('message', (message: FromWorker) => this.onMessage(message));
    this.worker.on('error', (error: Error & { code?: string }) => {
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.fail(new LabvaultError(outOfMemory ? ErrorCodes.TIMEOUT : ErrorCodes.GUEST_UNREADABLE, outOfMemory
        ? `Reading the guest filesystem ran past its memory bound (${this.limits.maxHeapMb} MiB) and was stopped: `
          + 'the filesystem is damaged or crafted.'
        : `The guest reader stopped: ${error.message}`));
    });
    this.worker.on('exit', () => this.fail(new LabvaultError(ErrorCodes.GUEST_UNREADABLE, 'The guest reader exited.')));
  }

  request<O extends GuestRequest['op']>(request: Extract<GuestRequest, { op: O }>): Promise<GuestResults[O]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId;
    this.nextId += 1;
    const what = describe(request);
    return new Promise<GuestResults[O]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new LabvaultError(ErrorCodes.TIMEOUT, `The guest reader took longer than ${this.limits.requestTimeoutMs} ms `
          + `${what} and was stopped: the filesystem is damaged or crafted, or the vault is very slow.`,
        { details: { operation: request.op } }));
        void this.worker.terminate();
      }, this.limits.requestTimeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer, what });
      this.post({ type: 'request', id, request });
    });
  }

  async close(): Promise<void> {
    this.fail(new LabvaultError(ErrorCodes.CANCELLED, 'The guest reader was closed.'));
    await this.worker.terminate();
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private fail(error: LabvaultError): void {
    this.failure ??= error;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
      this.pending.delete(id);
    }
  }

  private onMessage(message: FromWorker): void {
    if (message.type === 'read') {
      void this.serveRead(message.readId, message.disk, message.offset, message.length);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.error) {
      const info = message.error;
      pending.reject(new LabvaultError(info.code, info.message, {
        ...(info.field === undefined ? {} : { field: info.field }),
        ...(info.details === undefined ? {} : { details: info.details }),
      }));
    } else {
      pending.resolve(message.result);
    }
  }

  private async serveRead(readId: number, disk: number, offset: number, length: number): Promise<void> {
    try {
      const source = this.disks[disk];
      if (!source) throw new LabvaultError(ErrorCodes.GUEST_UNREADABLE, `The guest reader asked for disk ${disk}, which does not exist.`);
      const bytes = await source.read(offset, length);
      this.post({ type: 'read-result', readId, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) });
    } catch (error) {
      const info = isLabvaultError(error) ? error.toInfo() : { code: ErrorCodes.IO_ERROR, message: String(error) };
      this.post({ type: 'read-result', readId, error: info });
    }
  }
}
