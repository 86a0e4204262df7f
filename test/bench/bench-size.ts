/**
 * The bench disk size from the command line: `--size 4G` (also 512M, 1.5G, or bytes), or
 * the older `--size-gib N`; `fallback` bytes when neither is given.
 */
const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

export function parseSize(args: string[], fallback: number): number {
  const gib = args.indexOf('--size-gib');
  if (gib >= 0) return Math.round(Number(args[gib + 1]) * UNITS.G!);
  const at = args.indexOf('--size');
  if (at < 0) return fallback;
  const text = args[at + 1] ?? '';
  const match = /^(\d+(?:\.\d+)?)([KMGT]?)(?:i?B)?$/i.exec(text);
  if (!match) throw new Error(`--size takes a size such as 1G, 512M or 4G, not "${text}"`);
  const bytes = Math.round(Number(match[1]) * UNITS[match[2]!.toUpperCase()]!);
  if (bytes < 16 * 1024 ** 2) throw new Error(`--size ${text} is too small for the bench (at least 16M)`);
  return bytes;
}
