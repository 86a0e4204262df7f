/** Whether a buffer holds only zero bytes: the one test every reader and writer uses to skip zeros. */

const ZEROS = Buffer.alloc(64 * 1024);

/** True when buffer[0..length) is all zero bytes (native compares, 64 KiB at a time, no allocation). */
export function isAllZero(buffer: Buffer, length = buffer.length): boolean {
  for (let at = 0; at < length; at += ZEROS.length) {
    const piece = Math.min(ZEROS.length, length - at);
    if (ZEROS.compare(buffer, at, at + piece, 0, piece) !== 0) return false;
  }
  return true;
}
