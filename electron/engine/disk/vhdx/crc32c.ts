/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every VHDX
 * header, region table, log entry. Table driven, one byte at a time.
 */
const POLYNOMIAL = 0x82f63b78;

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C of `data`; pass a previous result as `crc` to continue a running checksum. */
export function crc32c(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i += 1) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * The VHDX rule: CRC-32C of the structure with its 4-byte checksum field taken as zero.
 * Does not modify `data`.
 */
export function crc32cWithZeroedField(data: Uint8Array, fieldOffset: number): number {
  let crc = crc32c(data.subarray(0, fieldOffset));
  crc = crc32c(new Uint8Array(4), crc);
  return crc32c(data.subarray(fieldOffset + 4), crc);
}
