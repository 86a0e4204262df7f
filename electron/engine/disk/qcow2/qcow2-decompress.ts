/**
 * Decompresses one qcow2 compressed cluster. The stored span is rounded up to 512-byte
 * sectors, so it may carry trailing bytes after the compressed stream; like qemu, only
 * the first cluster_size output bytes count and they must all be produced.
 *
 * - compression_type 0: raw deflate (no zlib header); trailing bytes are ignored by zlib.
 * - compression_type 1: one zstd frame; its length is found by walking the frame
 *   (magic 0xFD2FB528, frame header, blocks with 3-byte headers, optional checksum) so
 *   the trailing bytes are not taken for a second frame.
 */
import { inflateRaw } from 'node:zlib';
import * as zlib from 'node:zlib';
import { badImage, unsupportedImage } from '../image-error.ts';
import { COMPRESSION_ZSTD } from './qcow2-header.ts';

const ZSTD_FRAME_MAGIC = 0xfd2fb528;
const ZSTD_FCS_FIELD_BYTES = [0, 2, 4, 8] as const;
const ZSTD_DICT_ID_BYTES = [0, 1, 2, 4] as const;
const ZSTD_BLOCK_HEADER = 3;
const ZSTD_CHECKSUM = 4;
const ZSTD_BLOCK_RLE = 1;
const ZSTD_BLOCK_RESERVED = 3;

/** Length of the zstd frame at the start of `data`, or -1 when it is malformed or cut. */
function zstdFrameLength(data: Buffer): number {
  if (data.length < 6 || data.readUInt32LE(0) !== ZSTD_FRAME_MAGIC) return -1;
  const descriptor = data.readUInt8(4);
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const checksum = (descriptor >> 2) & 1;
  const dictFlag = descriptor & 3;
  let position = 5 + (singleSegment ? 0 : 1) + ZSTD_DICT_ID_BYTES[dictFlag]!;
  position += fcsFlag === 0 ? singleSegment : ZSTD_FCS_FIELD_BYTES[fcsFlag]!;
  for (;;) {
    if (position + ZSTD_BLOCK_HEADER > data.length) return -1;
    const header = data.readUIntLE(position, ZSTD_BLOCK_HEADER);
    const last = header & 1;
    const type = (header >> 1) & 3;
    const size = header >>> 3;
    if (type === ZSTD_BLOCK_RESERVED) return -1;
    position += ZSTD_BLOCK_HEADER + (type === ZSTD_BLOCK_RLE ? 1 : size);
    if (position > data.length) return -1;
    if (last) break;
  }
  position += checksum ? ZSTD_CHECKSUM : 0;
  return position <= data.length ? position : -1;
}

/** One output chunk per cluster: fewer callbacks and no concatenation. */
const MIN_CHUNK = 64 * 1024;

type ZstdDecompressAsync = (
  data: Buffer,
  options: { maxOutputLength: number; chunkSize: number },
  callback: (error: Error | null, result: Buffer) => void,
) => void;

function inflateRawAsync(data: Buffer, maxOutputLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    inflateRaw(
      data, { maxOutputLength, chunkSize: Math.max(maxOutputLength, MIN_CHUNK) },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

function zstdAsync(path: string, field: string, data: Buffer, maxOutputLength: number): Promise<Buffer> {
  const decompress = (zlib as unknown as { zstdDecompress?: ZstdDecompressAsync }).zstdDecompress;
  if (!decompress) return Promise.reject(unsupportedImage(path, field, 'zstd-compressed clusters need Node 22.15 or later'));
  const frame = zstdFrameLength(data);
  if (frame < 0) return Promise.reject(badImage(path, field, 'compressed cluster is not a complete zstd frame'));
  return new Promise((resolve, reject) => {
    decompress(
      data.subarray(0, frame), { maxOutputLength, chunkSize: Math.max(maxOutputLength, MIN_CHUNK) },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/**
 * Decompresses one cluster on the libuv thread pool (several clusters decompress in
 * parallel when awaited together). Output is capped at the cluster size.
 */
export async function decompressCluster(
  path: string, compressed: Buffer, clusterSize: number, compressionType: number, field: string,
): Promise<Buffer> {
  let output: Buffer;
  try {
    output = compressionType === COMPRESSION_ZSTD
      ? await zstdAsync(path, field, compressed, clusterSize)
      : await inflateRawAsync(compressed, clusterSize);
  } catch (error) {
    if (error instanceof Error && error.name === 'LabvaultError') throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw badImage(path, field, `compressed cluster cannot be decompressed: ${reason}`);
  }
  if (output.length !== clusterSize) {
    throw badImage(path, field, `compressed cluster decompresses to ${output.length} bytes instead of ${clusterSize}`);
  }
  return output;
}
