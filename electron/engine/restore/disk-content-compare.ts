/**
 * Two virtual disks compared for the same guest-visible content (like `qemu-img compare`):
 * same size, and every byte equal, data read in 4 MiB windows; a window that both
 * allocation maps say reads as zeros is not read. Used to prove a flattened or converted
 * image holds what the point's chain holds.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { DiskRange, VirtualDisk } from '../disk/virtual-disk.ts';

const WINDOW = 4 * 1024 * 1024;

function dataWindows(map: DiskRange[]): (offset: number, length: number) => boolean {
  const data = map.filter((range) => !range.zero);
  let at = 0;
  return (offset, length) => {
    while (at < data.length && data[at]!.offset + data[at]!.length <= offset) at += 1;
    const range = data[at];
    return range !== undefined && range.offset < offset + length;
  };
}

/** Throws CORRUPT naming the first differing offset; `onBytes` gets each window's length. */
export async function assertSameContent(expected: VirtualDisk, actual: VirtualDisk, label: string,
  onBytes: (bytes: number) => void = () => undefined, signal?: AbortSignal): Promise<void> {
  if (expected.virtualSize !== actual.virtualSize) {
    throw new LabvaultError(ErrorCodes.CORRUPT, `${label}: the restored disk has ${actual.virtualSize} bytes; the point's has ${expected.virtualSize}.`, { details: { path: actual.path } });
  }
  const inExpected = dataWindows(await expected.allocationMap());
  const inActual = dataWindows(await actual.allocationMap());
  const a = Buffer.alloc(WINDOW);
  const b = Buffer.alloc(WINDOW);
  for (let offset = 0; offset < expected.virtualSize; offset += WINDOW) {
    if (signal?.aborted) throw new LabvaultError(ErrorCodes.CANCELLED, `${label}: the check was cancelled.`);
    const length = Math.min(WINDOW, expected.virtualSize - offset);
    const wantData = inExpected(offset, length);
    const haveData = inActual(offset, length);
    if (wantData || haveData) {
      await expected.read(a, offset, length);
      await actual.read(b, offset, length);
      if (!a.subarray(0, length).equals(b.subarray(0, length))) {
        throw new LabvaultError(ErrorCodes.CORRUPT, `${label}: the restored disk differs from the point's near offset ${offset}.`, { details: { path: actual.path, offset } });
      }
    }
    onBytes(length);
  }
}
