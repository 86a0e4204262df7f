/**
 * zstd compression of blob payloads through node:zlib's built-in zstd (Node >= 22.15),
 * via reused streaming contexts (zstd-lanes.ts) on the libuv threadpool, so compression
 * never blocks the main thread and uses both cores. Incompressible data is stored raw: a cheap sample
 * (4 x 16 KiB spread over the chunk) is compressed first (at PROBE_LEVEL); if it does not shrink by at
 * least MIN_SAVING, the whole payload is stored raw without compressing it.
 */
import { CODEC_NONE, CODEC_ZSTD } from './format-constants.ts';
import { zstdCompressFrame, zstdDecompressFrame } from './zstd-lanes.ts';
import type { Stage, StageProfile } from './stage-profile.ts';

/** Keep compressed output only when it is at least 3% smaller than the input. */
export const MIN_SAVING = 0.03;
export const SAMPLE_PIECES = 4;
export const SAMPLE_PIECE_SIZE = 16 * 1024;
export const SAMPLE_THRESHOLD_SIZE = 256 * 1024;
/**
 * The sample is compressed at this level (or the vault's, when lower): the probe only asks
 * "does this shrink?", and level 1 answers it for random data at twice level 3's speed.
 */
export const PROBE_LEVEL = 1;

export interface CompressedPayload {
  codec: number;
  payload: Buffer;
}

function samplePieces(data: Buffer): Buffer {
  const pieces: Buffer[] = [];
  const stride = Math.floor((data.length - SAMPLE_PIECE_SIZE) / (SAMPLE_PIECES - 1));
  for (let i = 0; i < SAMPLE_PIECES; i += 1) pieces.push(data.subarray(i * stride, i * stride + SAMPLE_PIECE_SIZE));
  return Buffer.concat(pieces);
}

function timer(profile: StageProfile | undefined, stage: Stage, bytes: number): ((ns: bigint) => void) | undefined {
  return profile === undefined ? undefined : (ns) => profile.addNs(stage, ns, bytes);
}

async function looksIncompressible(data: Buffer, level: number, profile?: StageProfile): Promise<boolean> {
  if (data.length < SAMPLE_THRESHOLD_SIZE) return false;
  const sample = samplePieces(data);
  const packed = await zstdCompressFrame(sample, Math.min(level, PROBE_LEVEL), timer(profile, 'probe', sample.length));
  return packed.length > sample.length * (1 - MIN_SAVING);
}

/** Compresses `data` with zstd at `level`, or returns it raw (CODEC_NONE) when that does not pay. */
export async function compressPayload(
  data: Buffer, level: number, profile?: StageProfile,
): Promise<CompressedPayload> {
  if (data.length === 0 || (await looksIncompressible(data, level, profile))) {
    return { codec: CODEC_NONE, payload: data };
  }
  const packed = await zstdCompressFrame(data, level, timer(profile, 'compress', data.length));
  if (packed.length > data.length * (1 - MIN_SAVING)) return { codec: CODEC_NONE, payload: data };
  return { codec: CODEC_ZSTD, payload: packed };
}

/** Inverse of compressPayload; `expectedLength` bounds the output (a damaged frame cannot balloon). */
export async function decompressPayload(
  codec: number, payload: Buffer, expectedLength: number, profile?: StageProfile,
): Promise<Buffer> {
  if (codec === CODEC_NONE) return payload;
  return zstdDecompressFrame(payload, expectedLength, timer(profile, 'decompress', expectedLength));
}
