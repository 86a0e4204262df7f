/**
 * The chunk workers' whole program: plain JavaScript evaluated in each worker (no file to
 * ship in a bundle, no TypeScript loader in the worker, which costs about 40 MiB each).
 *
 * Requests (all byte ranges are views of a SharedArrayBuffer or a transferred ArrayBuffer):
 * - hash:   SHA-256 (HMAC-SHA256 with workerData.macKey) of a range -> its 32-byte digest.
 * - encode: a chunk's complete blob written into an output range: header, then the payload
 *           (zstd when a sample and then the whole chunk shrink by MIN_SAVING, else raw),
 *           sealed with AES-256-GCM when workerData.dataKey is set. Plain raw chunks are not
 *           copied: the reply says so and the caller writes the header and its own bytes.
 * - decode: the inverse for a chunk read from the vault: GCM opened (AAD = header +
 *           binding), zstd frame expanded into the output range (never more than the plain
 *           length the header declares), the result hashed; the caller compares the digest.
 *
 * zstd contexts are kept per worker and reused: a frame is produced or consumed by one
 * synchronous call of the zlib handle's writeSync after a reset, into a caller-owned buffer,
 * so nothing is allocated per chunk (one-shot zstdCompressSync allocates a context and an
 * output buffer per call: 170 MiB RSS for 2,000 chunks against 70 MiB). Where a Node
 * version does not expose that handle, the public one-shot calls are used instead. Each
 * request answers with the time spent per stage, so the job's profile stays per stage.
 */

export const CHUNK_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createHash, createHmac, createCipheriv, createDecipheriv, randomBytes } = require('node:crypto');
const zlib = require('node:zlib');
const { macKey, dataKey, format } = workerData;
const now = () => process.hrtime.bigint();

function digestOf(view) {
  return (macKey ? createHmac('sha256', macKey) : createHash('sha256')).update(view).digest();
}

// One reusable zstd stream per level (compression) and one for decompression.
const contexts = new Map();
function context(key, make) {
  let entry = contexts.get(key);
  if (entry !== undefined) return entry;
  const stream = make();
  stream.on('error', () => {});
  const handle = stream._handle;
  const state = stream._writeState;
  entry = handle && typeof handle.writeSync === 'function' && typeof handle.reset === 'function'
    && state instanceof Uint32Array && state.length >= 2 ? { stream, handle, state } : null;
  if (entry === null) stream.destroy();
  contexts.set(key, entry);
  return entry;
}
function dropContext(key) {
  const entry = contexts.get(key);
  if (entry) entry.stream.destroy();
  contexts.delete(key);
}
/**
 * Runs one whole frame through a context: returns the bytes produced, or -1 (out of room,
 * no progress, or an error). One call may stop short of the frame's end (zstd returns
 * after flushing a block with input left: a decompression's last bytes), so it is called
 * again with what is left, as zlib's own synchronous loop does. The context is never reset
 * (a reset also drops its parameters: the level, the window limit); after a whole frame it
 * is at a frame boundary, and after anything else it is dropped and made anew.
 */
function runFrame(key, make, input, out) {
  const entry = context(key, make);
  if (entry === null) return null;
  let inOffset = 0;
  let outOffset = 0;
  for (let call = 0; call < 1024; call += 1) {
    const inLeft = input.length - inOffset;
    const outLeft = out.length - outOffset;
    entry.handle.writeSync(zlib.constants.ZSTD_e_end, input, inOffset, inLeft, out, outOffset, outLeft);
    if (entry.stream.destroyed) break;
    const availOut = entry.state[0];
    const availIn = entry.state[1];
    inOffset += inLeft - availIn;
    outOffset += outLeft - availOut;
    if (availOut === 0) break; // out of room: the frame may not have ended
    if (availIn === 0) return outOffset;
    if (availIn === inLeft && availOut === outLeft) break; // no progress
  }
  dropContext(key);
  return -1;
}

/** Whether the input is whole zstd frames, one after another (a stream end() adds an empty one). */
function wholeFrames(input) {
  let at = 0;
  while (at < input.length) {
    const length = zstdFrameLength(input.subarray(at));
    if (length <= 0) return false;
    at += length;
  }
  return at === input.length && at > 0;
}

/**
 * The length of the zstd frame at the start of the input by its header and block headers, or
 * -1 when it is not one well-formed frame (RFC 8878: magic, frame header, blocks until the
 * last one, optional checksum). A stored payload must be whole frames: then a context that
 * consumed all of it also finished the last one.
 */
function zstdFrameLength(input) {
  if (input.length < 6 || input.readUInt32LE(0) !== 0xFD2FB528) return -1;
  const descriptor = input[4];
  if ((descriptor & 0x08) !== 0) return -1;
  const singleSegment = (descriptor >> 5) & 1;
  const sizeFlag = descriptor >> 6;
  let at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][descriptor & 3]
    + [singleSegment ? 1 : 0, 2, 4, 8][sizeFlag];
  for (;;) {
    if (at + 3 > input.length) return -1;
    const header = input[at] | (input[at + 1] << 8) | (input[at + 2] << 16);
    at += 3;
    const type = (header >> 1) & 3;
    if (type === 3) return -1;
    at += type === 1 ? 1 : header >>> 3;
    if (at > input.length) return -1;
    if ((header & 1) === 1) break;
  }
  if ((descriptor & 0x04) !== 0) at += 4;
  return at <= input.length ? at : -1;
}

function compressorFor(level) {
  return () => zlib.createZstdCompress({ params: { [zlib.constants.ZSTD_c_compressionLevel]: level } });
}
/** zstd frame of input into out; -1 when it does not fit. */
function compressInto(input, level, out) {
  const n = runFrame('c' + level, compressorFor(level), input, out);
  if (n !== null) return n;
  const packed = zlib.zstdCompressSync(input, { params: { [zlib.constants.ZSTD_c_compressionLevel]: level } });
  if (packed.length > out.length) return -1;
  return copyInto(packed, out, 0);
}
/** Expands one frame into out (exactly expected bytes, or -1). */
function decompressInto(input, expected, out) {
  if (!wholeFrames(input)) return -1;
  const room = out.subarray(0, expected + 1);
  const params = { [zlib.constants.ZSTD_d_windowLogMax]: format.windowLogMax };
  const n = runFrame('d', () => zlib.createZstdDecompress({ params }), input, room);
  if (n !== null) return n === expected ? n : -1;
  try {
    const plain = zlib.zstdDecompressSync(input, { maxOutputLength: expected, params });
    if (plain.length !== expected) return -1;
    copyInto(plain, out, 0);
    return expected;
  } catch {
    return -1;
  }
}

let scratch = Buffer.alloc(0);
function scratchOf(size) {
  if (scratch.length < size) scratch = Buffer.alloc(size);
  return scratch.subarray(0, size);
}
function compressBound(n) {
  return n + (n >>> 8) + (n < 131072 ? (131072 - n) >>> 11 : 0) + 64;
}

/**
 * Copies source into out at offset at; returns its length. Through fill(), which is one
 * memcpy when the target is exactly as long as the source: out is usually a view of a
 * SharedArrayBuffer, where Buffer.copy and TypedArray.set take V8's relaxed (race-safe)
 * memmove, word by word and byte by byte when the offsets are not aligned alike (a sealed
 * payload starts 28 bytes in: 3.6 GB/s in cache against 30 GB/s for fill; profiled at 6% of
 * an encrypted full backup's CPU).
 */
function copyInto(source, out, at) {
  if (source.length > 0) out.subarray(at, at + source.length).fill(source);
  return source.length;
}

/**
 * Frees a buffer this worker made and no longer needs (a cipher's output piece, a sample) now,
 * instead of at the next garbage collection: its ArrayBuffer is detached, so the allocator
 * reuses the same, cache-warm memory for the next piece. Left to the collector, tens of MiB of
 * dead pieces piled up between collections and each new piece took fresh pages from the kernel:
 * measured sealing 400 MiB in 256 KiB pieces, 35,700 page faults and 1.8 GB/s, against 32 faults
 * and 6.0 GB/s freed (an encrypted full backup of the bench disk took 112,000 faults, a plain one
 * 39,000). Only a buffer that owns its whole ArrayBuffer is freed.
 */
function free(buffer) {
  const owner = buffer.buffer;
  if (buffer.byteOffset === 0 && owner.byteLength === buffer.length && typeof owner.transfer === 'function'
    && !(owner instanceof SharedArrayBuffer)) {
    owner.transfer(0);
  }
}

/**
 * cipher.update over 256 KiB pieces, each copied to out at the offset given: one 1 MiB update allocates a
 * fresh output the size of the chunk (page faults, then a cold copy), small ones stay in cache
 * (measured in a worker: 1.2 GB/s whole, 2.0 GB/s in 256 KiB pieces). Returns the end offset.
 */
function updateInto(cipher, input, out, at) {
  let end = at;
  for (let offset = 0; offset < input.length; offset += 262144) {
    const piece = cipher.update(input.subarray(offset, Math.min(offset + 262144, input.length)));
    end += copyInto(piece, out, end);
    free(piece);
  }
  return end;
}

function sampleOf(data) {
  const pieces = [];
  const stride = Math.floor((data.length - format.samplePieceSize) / (format.samplePieces - 1));
  for (let i = 0; i < format.samplePieces; i += 1) pieces.push(data.subarray(i * stride, i * stride + format.samplePieceSize));
  return Buffer.concat(pieces);
}

function writeHeader(out, version, codec, flags, plainLength) {
  out.set(format.chunkMagic, format.magicOffset);
  out[format.versionOffset] = version;
  out[format.codecOffset] = codec;
  out[format.flagsOffset] = flags;
  out[format.reservedOffset] = 0;
  out.writeUInt32LE(plainLength, format.plainLengthOffset);
}

function encode(request, times) {
  const data = Buffer.from(request.buffer, request.offset, request.length);
  const out = Buffer.from(request.out, request.outOffset, request.outLength);
  const headerSize = format.headerSize;
  const encrypted = dataKey !== undefined;
  const payloadAt = encrypted ? headerSize + format.nonceSize : headerSize;
  let codec = format.codecNone;
  let payload = data;
  if (request.level !== null && data.length > 0) {
    let worth = true;
    if (data.length >= format.sampleThreshold) {
      const start = now();
      const sample = sampleOf(data);
      const packed = compressInto(sample, Math.min(request.level, format.probeLevel), scratchOf(compressBound(sample.length)));
      times.probe = [now() - start, sample.length];
      worth = packed >= 0 && packed <= sample.length * (1 - format.minSaving);
      free(sample);
    }
    if (worth) {
      const start = now();
      const target = encrypted ? scratchOf(compressBound(data.length)) : out.subarray(payloadAt, out.length - format.tagSize);
      const packed = compressInto(data, request.level, target);
      times.compress = [now() - start, data.length];
      if (packed >= 0 && packed <= data.length * (1 - format.minSaving)) {
        codec = format.codecZstd;
        payload = target.subarray(0, packed);
      }
    }
  }
  if (!encrypted) {
    writeHeader(out, format.plainVersion, codec, 0, data.length);
    // A raw payload is not copied: the caller writes the header and the chunk's own bytes.
    return codec === format.codecNone ? { raw: true, length: headerSize + data.length } : { raw: false, length: headerSize + payload.length };
  }
  const start = now();
  writeHeader(out, format.boundVersion, codec, format.flagEncrypted, data.length);
  const nonce = randomBytes(format.nonceSize);
  copyInto(nonce, out, headerSize);
  const cipher = createCipheriv('aes-256-gcm', dataKey, nonce, { authTagLength: format.tagSize });
  cipher.setAAD(Buffer.concat([out.subarray(0, headerSize), Buffer.from(request.binding, 'utf8')]));
  let end = updateInto(cipher, payload, out, payloadAt);
  end += copyInto(cipher.final(), out, end);
  const tag = cipher.getAuthTag();
  copyInto(tag, out, end);
  times.encrypt = [now() - start, payload.length];
  return { raw: false, length: end + tag.length };
}

function decode(request, times) {
  const blob = Buffer.from(request.buffer, request.offset, request.length);
  const out = Buffer.from(request.out, request.outOffset, request.outLength);
  const headerSize = format.headerSize;
  let payload = blob.subarray(headerSize);
  if (dataKey !== undefined) {
    const start = now();
    const nonce = payload.subarray(0, format.nonceSize);
    const sealed = payload.subarray(format.nonceSize, payload.length - format.tagSize);
    try {
      const decipher = createDecipheriv('aes-256-gcm', dataKey, nonce, { authTagLength: format.tagSize });
      decipher.setAAD(request.aad);
      decipher.setAuthTag(payload.subarray(payload.length - format.tagSize));
      // Each piece's plaintext goes where its sealed bytes were (already read); the tag is checked at final().
      let end = updateInto(decipher, sealed, blob, headerSize);
      end += copyInto(decipher.final(), blob, end);
      payload = blob.subarray(headerSize, end);
    } catch {
      return { problem: 'auth' };
    }
    times.decrypt = [now() - start, payload.length];
  }
  let plain;
  if (request.codec === format.codecZstd) {
    const start = now();
    const n = decompressInto(payload, request.plainLength, out);
    if (n < 0) return { problem: 'zstd' };
    times.decompress = [now() - start, n];
    plain = out.subarray(0, n);
  } else {
    plain = payload;
  }
  if (plain.length !== request.plainLength) return { problem: 'length', length: plain.length };
  const start = now();
  const digest = digestOf(plain);
  times.hash = [now() - start, plain.length];
  // Where the plaintext is: in the output range (decompressed) or in the blob's range (raw).
  const at = request.codec === format.codecZstd ? 'out' : 'blob';
  return { at, start: at === 'out' ? 0 : headerSize, length: plain.length, digest: digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.length) };
}

parentPort.on('message', (request) => {
  const times = {};
  let reply;
  try {
    if (request.op === 'hash') {
      const start = now();
      const digest = digestOf(new Uint8Array(request.buffer, request.offset, request.length));
      times.hash = [now() - start, request.length];
      reply = { digest: digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.length) };
    } else if (request.op === 'encode') {
      reply = encode(request, times);
    } else {
      reply = decode(request, times);
    }
  } catch (error) {
    reply = { error: String(error && error.message || error) };
  }
  reply.id = request.id;
  reply.times = times;
  parentPort.postMessage(reply, reply.digest ? [reply.digest] : []);
});
`;
