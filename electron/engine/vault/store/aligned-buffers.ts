/**
 * Shared read buffers whose memory starts on a page boundary, for direct I/O (O_DIRECT), which
 * needs the buffer's address, the file offset and the length aligned to the device's block size.
 * Node gives no aligned allocation and no way to see an address, but a WebAssembly memory is
 * page-aligned (V8 maps it whole): the buffers are views of one shared WebAssembly memory, each
 * starting at a multiple of its 64 KiB pages. Shared, so the chunk workers read them in place
 * like any other SharedArrayBuffer. Where alignment still does not hold, the direct read fails
 * with EINVAL and the reader falls back to buffered reads (source-reader.ts): speed depends on
 * this, correctness never does.
 */

/** What direct reads are aligned to: a multiple of every logical block size in use (512, 4096). */
export const DIRECT_IO_ALIGNMENT = 4096;

const WASM_PAGE = 64 * 1024;

/** `count` shared buffers of `size` bytes each, page-aligned; null where WebAssembly cannot make them. */
export function alignedSharedBuffers(count: number, size: number): Buffer[] | null {
  const stride = Math.ceil(size / WASM_PAGE) * WASM_PAGE;
  const pages = (stride / WASM_PAGE) * count;
  try {
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    return Array.from({ length: count }, (_, index) => Buffer.from(memory.buffer, index * stride, size));
  } catch {
    return null;
  }
}

/** Whether a direct read of `length` bytes at `position` meets the alignment (the buffer's is the pool's). */
export function directReadAligned(position: number, length: number): boolean {
  return position % DIRECT_IO_ALIGNMENT === 0 && length % DIRECT_IO_ALIGNMENT === 0 && length > 0;
}
