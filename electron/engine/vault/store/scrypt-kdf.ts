/**
 * scrypt (RFC 7914), the passphrase KDF of encrypted vaults, with its memory-hard part
 * (ROMix) in WebAssembly SIMD and each of its p lanes in a worker thread of its own.
 *
 * Why: every command on an encrypted vault derives the key once, and OpenSSL's scrypt (what
 * node:crypto runs) is portable C, one lane after another: N = 2^17, r = 8 took 0.45-0.50 s
 * here. ROMix with four 32-bit words per SIMD operation takes about 0.23 s for the same lane
 * (0.16 s once its memory is mapped), and p lanes run side by side on p cores.
 * The two PBKDF2-HMAC-SHA256 steps (one iteration each) stay in node:crypto.
 *
 * The result is scrypt's, byte for byte (tested against node:crypto over many parameters).
 * Where WebAssembly SIMD is not available, a worker cannot start, or V would not fit in a
 * WebAssembly memory, node:crypto's scrypt computes the same key.
 */
import { pbkdf2Sync, scrypt as scryptCallback } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { SCRYPT_ROMIX_WASM_BASE64 } from './scrypt-romix-wasm.ts';
import { SCRYPT_LANE_WORKER_SOURCE } from './scrypt-lane-worker-source.ts';

export interface ScryptParams {
  n: number;
  r: number;
  p: number;
}

const opensslScrypt = promisify(scryptCallback) as (
  password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** V and the two blocks must fit in one WebAssembly memory (kept well under its 4 GiB). */
const WASM_MEMORY_LIMIT = 2 ** 31;

let romixModule: WebAssembly.Module | null | undefined;

/** The compiled ROMix module, or null where this runtime has no WebAssembly SIMD. */
export function scryptRomixModule(): WebAssembly.Module | null {
  if (romixModule !== undefined) return romixModule;
  try {
    const bytes = Buffer.from(SCRYPT_ROMIX_WASM_BASE64, 'base64');
    romixModule = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    romixModule = null;
  }
  return romixModule;
}

/** How the key was made: in the lane workers, or by node:crypto (and why). */
export type ScryptPath = 'wasm-workers' | 'openssl';

interface LaneAnswer { index?: number; block?: ArrayBuffer; error?: string }

/**
 * Starts ROMix on `lanes` in one worker (synchronously: the worker is made and the lanes
 * posted before this returns); the promise settles with each lane's result in place in `b`.
 */
function startLanes(
  module: WebAssembly.Module, params: ScryptParams, b: Buffer, indexes: number[],
): { done: Promise<void>; worker: Worker } {
  const laneLength = 128 * params.r;
  const lanes = indexes.map((index) => {
    const block = new ArrayBuffer(laneLength);
    new Uint8Array(block).set(b.subarray(index * laneLength, (index + 1) * laneLength));
    return { index, block };
  });
  const worker = new Worker(SCRYPT_LANE_WORKER_SOURCE, { eval: true });
  const done = new Promise<void>((resolve, reject) => {
    let left = indexes.length;
    const fail = (error: Error): void => {
      left = -1;
      reject(error);
    };
    worker.on('message', (answer: LaneAnswer) => {
      if (left <= 0) return;
      if (answer.error !== undefined || answer.block === undefined || answer.index === undefined) {
        fail(new Error(`scrypt lane worker: ${answer.error ?? 'no result'}`));
        return;
      }
      const result = new Uint8Array(answer.block);
      b.set(result, answer.index * laneLength);
      result.fill(0);
      left -= 1;
      if (left === 0) {
        worker.unref(); // it zeroes its memory and ends by itself
        resolve();
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => { if (left > 0) fail(new Error(`scrypt lane worker exited with code ${code}`)); });
  });
  worker.postMessage({ module, n: params.n, r: params.r, lanes }, lanes.map((lane) => lane.block));
  return { done, worker };
}

/** Lanes side by side hold a V each: at most this much at once (the default vault: 2 x 64 MiB). */
const PARALLEL_MEMORY_BUDGET = 512 * 1024 * 1024;

/**
 * Lane i goes to worker i mod w, with w = min(p, cores, lanes whose V fit in the budget). Also
 * beside start-up (a background run): measured on 2 cores, an encrypted vault's unchanged
 * backup took 0.35 s with two lane workers beside the loading thread, 0.45 s with one, and
 * 0.38 s deriving after start-up.
 */
function laneGroups(params: ScryptParams): number[][] {
  const { p } = params;
  const byMemory = Math.floor(PARALLEL_MEMORY_BUDGET / (128 * params.n * params.r));
  const workers = Math.max(1, Math.min(p, availableParallelism(), byMemory));
  const groups: number[][] = Array.from({ length: workers }, () => []);
  for (let lane = 0; lane < p; lane += 1) groups[lane % workers]!.push(lane);
  return groups;
}

/** A derivation under way. */
export interface ScryptRun {
  readonly key: Promise<Buffer>;
  /** How it was computed (tests, the bench), once `key` resolved. */
  readonly path: () => ScryptPath | undefined;
  /** Lets the process wait for it (a run started with `background` does not hold the process open). */
  keepAlive(): void;
}

export interface ScryptStartOptions {
  /** Do not keep the process alive for this run (a speculative derivation) until keepAlive(). */
  background?: boolean;
}

async function opensslKey(passphrase: string, salt: Buffer, keyLength: number, params: ScryptParams): Promise<Buffer> {
  const maxmem = 128 * params.n * params.r + 64 * 1024 * 1024;
  return opensslScrypt(passphrase, salt, keyLength, { N: params.n, r: params.r, p: params.p, maxmem });
}

/**
 * Starts scrypt(passphrase, salt, N, r, p) -> keyLength bytes. The lane workers are started
 * and given their lanes before this returns, so they run even while this thread is busy
 * (loading modules). The passphrase is taken as UTF-8, as node:crypto does.
 */
export function startScrypt(
  passphrase: string, salt: Buffer, keyLength: number, params: ScryptParams, options: ScryptStartOptions = {},
): ScryptRun {
  let path: ScryptPath | undefined;
  let workers: Worker[] = [];
  let held = options.background !== true;
  let settled = false;
  const fallback = async (): Promise<Buffer> => {
    const key = await opensslKey(passphrase, salt, keyLength, params);
    path = 'openssl';
    return key;
  };
  const laneLength = 128 * params.r;
  const module = scryptRomixModule();
  let key: Promise<Buffer>;
  if (module === null || 2 * laneLength + params.n * laneLength > WASM_MEMORY_LIMIT) {
    key = fallback();
  } else {
    const b = pbkdf2Sync(passphrase, salt, 1, params.p * laneLength, 'sha256');
    try {
      const started = laneGroups(params).map((lanes) => startLanes(module, params, b, lanes));
      workers = started.map((run) => run.worker);
      if (!held) for (const worker of workers) worker.unref();
      key = Promise.all(started.map((run) => run.done)).then(() => {
        path = 'wasm-workers';
        return pbkdf2Sync(passphrase, b, 1, keyLength, 'sha256');
      }, fallback).finally(() => b.fill(0));
    } catch {
      // A worker could not start: node:crypto computes the same key.
      b.fill(0);
      key = fallback();
    }
  }
  key = key.finally(() => { settled = true; });
  return {
    key,
    path: () => path,
    keepAlive: () => {
      if (held || settled) return;
      held = true;
      for (const worker of workers) worker.ref();
    },
  };
}

/** scrypt(passphrase, salt, N, r, p) -> keyLength bytes (see startScrypt). */
export async function scryptKey(
  passphrase: string, salt: Buffer, keyLength: number, params: ScryptParams,
  path?: (how: ScryptPath) => void,
): Promise<Buffer> {
  const run = startScrypt(passphrase, salt, keyLength, params);
  const key = await run.key;
  const how = run.path();
  if (how !== undefined) path?.(how);
  return key;
}
