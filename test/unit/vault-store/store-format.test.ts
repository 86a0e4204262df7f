/** Byte-level format checks: blob header layout, raw storage of incompressible data, ids set, index codec. */
import { describe, it, expect } from 'vitest';
import { createCipheriv, randomBytes } from 'node:crypto';
import { encodeBlob, decodeBlob } from '../../../electron/engine/vault/store/blob-codec.ts';
import { CHUNK_BLOB_MAGIC, INDEX_BLOB_MAGIC, BLOB_HEADER_SIZE, CODEC_NONE, CODEC_ZSTD } from '../../../electron/engine/vault/store/format-constants.ts';
import { KnownChunkSet } from '../../../electron/engine/vault/store/known-chunk-set.ts';
import { FixedIndex } from '../../../electron/engine/vault/store/fixed-index.ts';
import { createEncryption } from '../../../electron/engine/vault/store/index.ts';
import { chunkBinding, recordBinding } from '../../../electron/engine/vault/store/blob-binding.ts';
import { FAST_KDF } from './store-test-kit.ts';

describe('blob format', () => {
  it('writes the documented 16-byte header and round-trips', async () => {
    const text = Buffer.from('compressible '.repeat(100000));
    const bind = chunkBinding('aa');
    const blob = Buffer.concat(await encodeBlob(CHUNK_BLOB_MAGIC, text, { compressionLevel: 3, keys: undefined, binding: bind }));
    expect(blob.subarray(0, 8).toString('hex')).toBe('6aea1f073d7d69a7');
    expect([blob[8], blob[9], blob[10], blob[11]]).toEqual([1, CODEC_ZSTD, 0, 0]);
    expect(blob.readUInt32LE(12)).toBe(text.length);
    expect(blob.length).toBeLessThan(text.length / 10);
    expect((await decodeBlob(CHUNK_BLOB_MAGIC, blob, undefined, 'test blob', bind)).equals(text)).toBe(true);
    await expect(decodeBlob(INDEX_BLOB_MAGIC, blob, undefined, 'test blob', bind)).rejects.toMatchObject({ code: 'CORRUPT' });
  });

  it('stores incompressible data raw, and sealed blobs carry nonce and tag', async () => {
    const random = randomBytes(1024 * 1024);
    const bind = chunkBinding('bb');
    const raw = Buffer.concat(await encodeBlob(CHUNK_BLOB_MAGIC, random, { compressionLevel: 3, keys: undefined, binding: bind }));
    expect(raw[9]).toBe(CODEC_NONE);
    expect(raw.length).toBe(BLOB_HEADER_SIZE + random.length);
    const { keys } = await createEncryption('pw', FAST_KDF);
    const sealed = Buffer.concat(await encodeBlob(CHUNK_BLOB_MAGIC, random, { compressionLevel: 3, keys, binding: bind }));
    expect(sealed[8]).toBe(2); // version 2: the AAD binds the blob's kind and id
    expect(sealed[10]).toBe(1);
    expect(sealed.length).toBe(BLOB_HEADER_SIZE + 12 + random.length + 16);
    expect((await decodeBlob(CHUNK_BLOB_MAGIC, sealed, keys, 'sealed', bind)).equals(random)).toBe(true);
    await expect(decodeBlob(CHUNK_BLOB_MAGIC, sealed, keys, 'sealed', chunkBinding('cc')))
      .rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringContaining('chunk/cc') as unknown });
    sealed[11] = 1; // the header is authenticated: changing the reserved byte breaks the tag
    await expect(decodeBlob(CHUNK_BLOB_MAGIC, sealed, keys, 'sealed', bind)).rejects.toMatchObject({ code: 'CORRUPT' });
  });

  it('still opens a version 1 sealed blob (AAD = header only), whatever binding it is read as', async () => {
    const { keys } = await createEncryption('pw', FAST_KDF);
    const plain = Buffer.from('{"id":"x"}');
    const header = Buffer.alloc(BLOB_HEADER_SIZE);
    CHUNK_BLOB_MAGIC.copy(header, 0);
    header.writeUInt8(1, 8);
    header.writeUInt8(CODEC_NONE, 9);
    header.writeUInt8(1, 10);
    header.writeUInt32LE(plain.length, 12);
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keys.dataKey, nonce);
    cipher.setAAD(header);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const v1 = Buffer.concat([header, nonce, body, cipher.getAuthTag()]);
    expect((await decodeBlob(CHUNK_BLOB_MAGIC, v1, keys, 'v1 blob', recordBinding('items', 'x'))).equals(plain)).toBe(true);
  });
});

describe('KnownChunkSet and FixedIndex', () => {
  it('holds many ids across growth', () => {
    const set = new KnownChunkSet();
    const ids = Array.from({ length: 5000 }, () => randomBytes(32));
    for (const id of ids) set.add(id);
    set.add(ids[0]!);
    expect(set.size).toBe(5000);
    expect(ids.every((id) => set.has(id))).toBe(true);
    expect(set.has(randomBytes(32))).toBe(false);
  });

  it('encodes and rejects inconsistent indexes', () => {
    const index = new FixedIndex(65536, 65536 * 2 + 3);
    index.setId(1, randomBytes(32));
    const back = FixedIndex.decode(index.encode(), 'idx');
    expect(back.chunkCount).toBe(3);
    expect(back.isZero(0)).toBe(true);
    expect(back.idAt(1).equals(index.idAt(1))).toBe(true);
    expect(back.chunkLength(2)).toBe(3);
    expect(() => FixedIndex.decode(index.encode().subarray(0, 50), 'idx')).toThrow(/damaged/);
  });
});
