/**
 * The chunk workers build and open the same blobs the main-thread codec does: a blob encoded
 * in a worker decodes on the main thread and the other way round, for plain and encrypted
 * vaults, compressible, incompressible, small and empty chunks. Damaged blobs come back as a
 * typed problem, and a damaged zstd frame never spoils the next healthy chunk (each frame
 * starts from a reset context). The same with workers warmed up before the first request
 * (a backup that will read data starts them before it clones its disks).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { constants, createZstdCompress } from 'node:zlib';
import { decodeBlob, encodeBlob, blobAdditionalData, readBlobHeader } from '../../../electron/engine/vault/store/blob-codec.ts';
import { CHUNK_BLOB_MAGIC, CODEC_NONE, CODEC_ZSTD, BLOB_HEADER_SIZE } from '../../../electron/engine/vault/store/format-constants.ts';
import { ChunkWorkerPool, encodedSizeBound } from '../../../electron/engine/vault/store/chunk-worker-pool.ts';
import { chunkBinding } from '../../../electron/engine/vault/store/blob-binding.ts';
import { createEncryption } from '../../../electron/engine/vault/store/index.ts';
import type { VaultKeys } from '../../../electron/engine/vault/store/vault-keys.ts';
import { FAST_KDF } from './store-test-kit.ts';

const MiB = 1024 * 1024;

function shared(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(size));
}

function sharedCopy(data: Buffer): Buffer {
  const copy = shared(data.length);
  data.copy(copy);
  return copy;
}

function textChunk(length: number, seed: number): Buffer {
  const words = ['vault', 'chunk', 'restore', 'policy', 'disk', 'zstd', 'backup', 'point'];
  const out = Buffer.alloc(length);
  let at = 0;
  let state = seed;
  while (at < length) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    at += out.write(`${words[state % words.length]} `, at);
  }
  return out;
}

const samples: Array<[string, Buffer]> = [
  ['text 1 MiB', textChunk(MiB, 7)],
  ['random 1 MiB', randomBytes(MiB)],
  ['half random, half text', Buffer.concat([randomBytes(MiB / 2), textChunk(MiB / 2, 3)])],
  ['small text (no sample probe)', textChunk(10_000, 5)],
  ['one byte', Buffer.from([42])],
  ['empty', Buffer.alloc(0)],
];

describe.each([
  [false, false], [true, false], [false, true], [true, true],
])('chunk workers (encrypted: %s, warmed up: %s)', (encrypted, warmed) => {
  let keys: VaultKeys | undefined;
  let pool: ChunkWorkerPool;
  const setup = async (): Promise<void> => {
    if (pool !== undefined) return;
    keys = encrypted ? (await createEncryption('pw', FAST_KDF)).keys : undefined;
    pool = new ChunkWorkerPool(keys?.macKey, keys?.dataKey, 2);
    expect(pool.started).toBe(false);
    if (warmed) {
      pool.warmUp();
      expect(pool.started).toBe(true);
      pool.warmUp(); // once only: the same workers take the requests
    }
  };
  afterAll(async () => { await pool?.close(); });

  const idOf = (data: Buffer): Buffer => (keys ? createHmac('sha256', keys.macKey) : createHash('sha256')).update(data).digest();

  it.each(samples)('%s: encoded in a worker, decoded on the main thread, and back', async (_name, data) => {
    await setup();
    const binding = chunkBinding(idOf(data).toString('hex'));
    const out = shared(encodedSizeBound(data.length));
    const input = sharedCopy(data);
    const encoded = await pool.encode({ data: input, level: 3, binding, out });
    expect(encoded).not.toBeNull();
    const blob = Buffer.concat(encoded!.parts);
    expect(blob.length).toBe(encoded!.bytes);
    const mainBlob = Buffer.concat(await encodeBlob(CHUNK_BLOB_MAGIC, data, { compressionLevel: 3, keys, binding }));
    // Same decision as the main-thread codec: compressed or raw, and the same header.
    expect(blob.subarray(0, BLOB_HEADER_SIZE).equals(mainBlob.subarray(0, BLOB_HEADER_SIZE))).toBe(true);
    if (blob[9] === CODEC_NONE) expect(blob.length).toBe(mainBlob.length);
    expect((await decodeBlob(CHUNK_BLOB_MAGIC, blob, keys, 'worker blob', binding)).equals(data)).toBe(true);

    for (const stored of [blob, mainBlob]) {
      const copy = sharedCopy(stored);
      const header = readBlobHeader(CHUNK_BLOB_MAGIC, copy, keys, 'stored');
      const decoded = await pool.decode({
        blob: copy, codec: header.codec, plainLength: header.plainLength, out: shared(data.length + 1),
        aad: header.encrypted ? blobAdditionalData(copy, header.version, binding) : undefined,
      });
      expect(decoded?.ok).toBe(true);
      if (decoded?.ok !== true) continue;
      expect(decoded.plain.equals(data)).toBe(true);
      expect(decoded.digest.equals(idOf(data))).toBe(true);
    }
  });

  it('text is compressed and random data is stored raw', async () => {
    await setup();
    const text = sharedCopy(textChunk(MiB, 11));
    const random = sharedCopy(randomBytes(MiB));
    const binding = chunkBinding('ab');
    const packed = await pool.encode({ data: text, level: 3, binding, out: shared(encodedSizeBound(MiB)) });
    const raw = await pool.encode({ data: random, level: 3, binding, out: shared(encodedSizeBound(MiB)) });
    expect(packed!.parts[0]![9]).toBe(CODEC_ZSTD);
    expect(packed!.bytes).toBeLessThan(MiB / 10);
    expect(raw!.parts[0]![9]).toBe(CODEC_NONE);
    if (!encrypted) {
      // A plain raw chunk is written from the caller's own bytes: header, then the data itself.
      expect(raw!.parts).toHaveLength(2);
      expect(raw!.parts[1]).toBe(random);
    }
    const none = await pool.encode({ data: text, level: undefined, binding, out: shared(encodedSizeBound(MiB)) });
    expect(none!.parts[0]![9]).toBe(CODEC_NONE);
  });

  it('each chunk is compressed at the level asked for, frame after frame on the same worker context', async () => {
    await setup();
    const text = sharedCopy(textChunk(MiB, 23));
    const sizes: Record<number, number[]> = { 1: [], 19: [] };
    for (const level of [1, 19, 1, 19]) {
      const encoded = await pool.encode({ data: text, level, binding: chunkBinding('cd'), out: shared(encodedSizeBound(MiB)) });
      sizes[level]!.push(encoded!.bytes);
      const blob = Buffer.concat(encoded!.parts);
      expect((await decodeBlob(CHUNK_BLOB_MAGIC, blob, keys, 'level blob', chunkBinding('cd'))).equals(text)).toBe(true);
    }
    expect(sizes[1]![0]).toBe(sizes[1]![1]);
    expect(sizes[19]![0]).toBe(sizes[19]![1]);
    expect(sizes[19]![0]!).toBeLessThan(sizes[1]![0]! * 0.8);
  });

  it('a damaged blob is a typed problem, and the next healthy chunk still decodes', async () => {
    await setup();
    const data = textChunk(MiB, 13);
    const binding = chunkBinding(idOf(data).toString('hex'));
    const blob = Buffer.concat((await pool.encode({ data: sharedCopy(data), level: 3, binding, out: shared(encodedSizeBound(MiB)) }))!.parts);
    const decodeCopy = async (bytes: Buffer, as = binding) => {
      const copy = sharedCopy(bytes);
      const header = readBlobHeader(CHUNK_BLOB_MAGIC, copy, keys, 'test');
      return pool.decode({
        blob: copy, codec: header.codec, plainLength: header.plainLength, out: shared(header.plainLength + 1),
        aad: header.encrypted ? blobAdditionalData(copy, header.version, as) : undefined,
      });
    };
    for (const at of [BLOB_HEADER_SIZE + 40, Math.floor(blob.length / 2), blob.length - 20]) {
      const damaged = Buffer.from(blob);
      damaged[at] = (damaged[at] ?? 0) ^ 0x5a;
      const outcome = await decodeCopy(damaged);
      // A plain vault's frame may still expand (to other bytes): the digest then differs from the id.
      if (outcome?.ok === true) expect(outcome.digest.equals(idOf(data))).toBe(false);
      else expect(outcome?.problem).toBe(encrypted ? 'auth' : 'zstd');
      const healthy = await decodeCopy(blob);
      expect(healthy?.ok && healthy.plain.equals(data)).toBe(true);
    }
    const truncated = await decodeCopy(blob.subarray(0, blob.length - 30));
    expect(truncated?.ok).toBe(false);
    expect((await decodeCopy(blob))?.ok).toBe(true);
    if (encrypted) expect((await decodeCopy(blob, chunkBinding('00')))?.ok).toBe(false);
  });

  it('a frame asking for a larger zstd window than Labvault ever writes is refused, level 19 still opens', async () => {
    await setup();
    const data = textChunk(4 * MiB, 19);
    const binding = chunkBinding(idOf(data).toString('hex'));
    // A streamed frame (size unknown to zstd) keeps the window it was told: 2^25 here, 2^23 at level 19.
    const frame = (params: Record<number, number>): Promise<Buffer> => new Promise((resolve) => {
      const parts: Buffer[] = [];
      const stream = createZstdCompress({ params });
      stream.on('data', (part: Buffer) => parts.push(part));
      stream.on('end', () => resolve(Buffer.concat(parts)));
      stream.write(data.subarray(0, MiB));
      stream.end(data.subarray(MiB));
    });
    const wide = await frame({ [constants.ZSTD_c_compressionLevel]: 3, [constants.ZSTD_c_windowLog]: 25 });
    const level19 = await frame({ [constants.ZSTD_c_compressionLevel]: 19 });
    const blobOf = (payload: Buffer): Buffer => {
      const header = Buffer.alloc(BLOB_HEADER_SIZE);
      CHUNK_BLOB_MAGIC.copy(header, 0);
      header.writeUInt8(1, 8);
      header.writeUInt8(CODEC_ZSTD, 9);
      header.writeUInt32LE(data.length, 12);
      return Buffer.concat([header, payload]);
    };
    if (encrypted) return; // the frames are built unsealed; sealing adds nothing to what is checked here
    for (const [payload, opens] of [[wide, false], [level19, true]] as const) {
      const blob = sharedCopy(blobOf(payload));
      const outcome = await pool.decode({ blob, codec: CODEC_ZSTD, plainLength: data.length, out: shared(data.length + 1), aad: undefined });
      expect(outcome?.ok, `worker, opens: ${opens}`).toBe(opens);
      const main = decodeBlob(CHUNK_BLOB_MAGIC, blobOf(payload), undefined, 'frame', binding);
      if (opens) expect((await main).equals(data)).toBe(true);
      else await expect(main).rejects.toMatchObject({ code: 'CORRUPT' });
    }
  });

  it('buffers that are not shared are left to the caller (null), hashing still works', async () => {
    await setup();
    const data = textChunk(4096, 17);
    expect(await pool.encode({ data, level: 3, binding: chunkBinding('aa'), out: Buffer.alloc(encodedSizeBound(4096)) })).toBeNull();
    expect((await pool.digest(data)).equals(idOf(data))).toBe(true);
  });
});
