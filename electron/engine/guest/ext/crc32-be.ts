/**
 * CRC32 over the IEEE polynomial, most significant bit first (Linux's crc32_be): the raw
 * register, no reflection, no final inversion, seeded by the caller. JBD2's v1 journal
 * checksum (compat feature "checksum") is this, seeded with ~0, over a transaction's blocks.
 */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n << 24;
    for (let k = 0; k < 8; k += 1) c = (c & 0x80000000) !== 0 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32Be(seed: number, bytes: Uint8Array): number {
  let crc = seed >>> 0;
  for (const byte of bytes) crc = (((crc << 8) >>> 0) ^ (TABLE[((crc >>> 24) ^ byte) & 0xff] as number)) >>> 0;
  return crc >>> 0;
}
