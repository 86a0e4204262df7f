/**
 * VMware's key = "value" files (.vmx, .vmsd, inventory.vmls, preferences), pure. Keys are
 * case-insensitive (kept lowercased); values are unquoted and VMware's `|XX` escapes (a byte
 * in hex, e.g. |22 for a quote) decoded. Lines that are not key = value are ignored.
 */
const LINE = /^\s*([A-Za-z0-9_.:\-[\]]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(\S*))\s*$/;
export const VMX_MAX_LINES = 200_000;

export function decodeVmxValue(value: string): string {
  return value.replace(/\|([0-9A-Fa-f]{2})/g, (_whole, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

export function parseVmxText(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (const line of lines.slice(0, VMX_MAX_LINES)) {
    if (line.trimStart().startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    entries.set((match[1] as string).toLowerCase(), decodeVmxValue(match[2] ?? match[3] ?? ''));
  }
  return entries;
}

/** `TRUE`/`true`/`1` as VMware writes booleans; undefined when absent. */
export function vmxBoolean(entries: Map<string, string>, key: string): boolean | undefined {
  const value = entries.get(key.toLowerCase());
  if (value === undefined) return undefined;
  return /^(true|1|yes)$/i.test(value.trim());
}

export function vmxInteger(entries: Map<string, string>, key: string): number | undefined {
  const value = entries.get(key.toLowerCase())?.trim();
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

/** `uuid.bios = "56 4d 12 ab ... -..."` as a plain lowercase UUID. */
export function vmwareUuid(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const hex = raw.replace(/[\s-]/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
