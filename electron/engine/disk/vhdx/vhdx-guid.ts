/**
 * VHDX GUIDs are stored in Microsoft's mixed-endian layout: the first three groups
 * little-endian (4, 2, 2 bytes), the last 8 bytes as written.
 */

/** "2DC27766-F623-4200-9D64-115E9BFD4A08" -> its 16 on-disk bytes. */
export function guidBytes(text: string): Buffer {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a GUID: ${text}`);
  const raw = Buffer.from(hex, 'hex');
  const out = Buffer.from(raw);
  out.writeUInt32LE(raw.readUInt32BE(0), 0);
  out.writeUInt16LE(raw.readUInt16BE(4), 4);
  out.writeUInt16LE(raw.readUInt16BE(6), 6);
  return out;
}

/** 16 on-disk bytes -> "2DC27766-F623-4200-9D64-115E9BFD4A08" (upper case). */
export function guidText(bytes: Buffer): string {
  const a = bytes.readUInt32LE(0).toString(16).padStart(8, '0');
  const b = bytes.readUInt16LE(4).toString(16).padStart(4, '0');
  const c = bytes.readUInt16LE(6).toString(16).padStart(4, '0');
  const d = bytes.toString('hex', 8, 10);
  const e = bytes.toString('hex', 10, 16);
  return `${a}-${b}-${c}-${d}-${e}`.toUpperCase();
}

export function isZeroGuid(bytes: Buffer): boolean {
  return bytes.every((byte) => byte === 0);
}

/** Parses "{GUID}" or "GUID" text into on-disk bytes, or null. */
export function parseGuidText(text: string): Buffer | null {
  const trimmed = text.trim().replace(/^\{/, '').replace(/\}$/, '');
  try {
    return guidBytes(trimmed);
  } catch {
    return null;
  }
}
