/**
 * The host's limit on how fast backups read VM disks: LABVAULT_READ_LIMIT in the
 * environment of the app, `labvault ui` or `labvault service run`, as MiB per second
 * ("50", "50M", "50MiB") or with a unit ("512K", "1G"). Unset or empty: no limit.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';

const UNITS: Record<string, number> = { '': 1024 ** 2, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 };
const MIN_BYTES_PER_SECOND = 64 * 1024;

/** Bytes per second, or null for no limit; a value that is not a rate is an INVALID_INPUT error. */
export function readLimitFrom(env: NodeJS.ProcessEnv): number | null {
  const text = (env.LABVAULT_READ_LIMIT ?? '').trim();
  if (text === '' || text === '0') return null;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)(?:\/s)?$/i.exec(text);
  const unit = match ? UNITS[(match[2] ?? '').toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT,
      `LABVAULT_READ_LIMIT "${text}" is not a read rate: give MiB per second ("50") or a number with K, M or G ("512K", "1G").`);
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes < MIN_BYTES_PER_SECOND) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `LABVAULT_READ_LIMIT "${text}" is below the smallest limit, 64K per second.`);
  }
  return bytes;
}
