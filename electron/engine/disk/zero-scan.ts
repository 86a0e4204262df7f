/**
 * Allocation map of a flat data region (raw file, fixed VHD) found by content:
 * every all-zero 1 MiB piece is a zero range. One 1 MiB buffer whatever the size.
 */
import type { ImageFile } from './image-file.ts';
import { pushDiskRange } from './disk-ranges.ts';
import type { DiskRange } from './virtual-disk.ts';
import { isAllZero } from '../bytes/zero-bytes.ts';

export const ZERO_SCAN_BLOCK = 1024 * 1024;

/**
 * Ranges for [0, virtualSize) where the first `dataBytes` come from the file at `fileOffset`
 * and anything past them reads as zeros.
 */
export async function scanFileForZeros(
  file: ImageFile, dataBytes: number, virtualSize: number, fileOffset = 0,
): Promise<DiskRange[]> {
  const ranges: DiskRange[] = [];
  const block = Buffer.allocUnsafe(ZERO_SCAN_BLOCK);
  const inFile = Math.max(0, Math.min(dataBytes, virtualSize));
  for (let offset = 0; offset < inFile; offset += ZERO_SCAN_BLOCK) {
    const length = Math.min(ZERO_SCAN_BLOCK, inFile - offset);
    await file.readInto(block, 0, length, fileOffset + offset, 'image data');
    pushDiskRange(ranges, offset, length, isAllZero(block, length));
  }
  pushDiskRange(ranges, inFile, virtualSize - inFile, true);
  return ranges;
}
