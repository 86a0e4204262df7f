/**
 * Worker side of HashWorkerPool: SHA-256 (or HMAC-SHA256 with the MAC key given in
 * workerData) of a byte range of a SharedArrayBuffer or transferred ArrayBuffer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createHash, createHmac } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

interface HashRequest {
  id: number;
  buffer: ArrayBufferLike;
  offset: number;
  length: number;
}

const key = (workerData as { macKey?: KeyObject } | undefined)?.macKey;

parentPort?.on('message', (request: HashRequest) => {
  const data = new Uint8Array(request.buffer, request.offset, request.length);
  const hash = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  const digest = hash.update(data).digest();
  parentPort?.postMessage({ id: request.id, digest: digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.length) });
});
