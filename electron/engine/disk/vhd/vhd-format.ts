/**
 * The VHD format module (qemu-img name "vpc"): probe, open, info, check, write
 * (dynamic or fixed).
 */
import type { DiskFormatModule, OpenContext, WriteOptions } from '../disk-format-module.ts';
import type { CheckResult, DiskImageInfo, VirtualDisk } from '../virtual-disk.ts';
import { VHD_FOOTER_COOKIE, VHD_FOOTER_SIZE } from './vhd-layout.ts';
import { VhdDisk } from './vhd-disk.ts';
import { checkVhd } from './vhd-check.ts';
import { writeVhd } from './vhd-writer.ts';

/** "conectix" at offset 0 (dynamic, differencing) or in the last 512 bytes (fixed). */
export function probeVhd(head: Buffer, tail: Buffer, fileSize: number): boolean {
  if (head.length >= 8 && head.toString('latin1', 0, 8) === VHD_FOOTER_COOKIE) return true;
  return fileSize >= VHD_FOOTER_SIZE && tail.length >= VHD_FOOTER_SIZE
    && tail.toString('latin1', tail.length - VHD_FOOTER_SIZE, tail.length - VHD_FOOTER_SIZE + 8) === VHD_FOOTER_COOKIE;
}

async function vhdInfo(path: string): Promise<Omit<DiskImageInfo, 'chain'>> {
  const disk = await VhdDisk.open(path, { skipParent: true });
  try {
    const info: Omit<DiskImageInfo, 'chain'> = {
      format: 'vpc',
      path: disk.path,
      virtualSize: disk.virtualSize,
      fileSize: disk.fileSize,
      allocatedBytes: disk.allocatedBytes,
      subformat: disk.type,
      files: [disk.path],
    };
    if (disk.blockSize !== null) info.clusterSize = disk.blockSize;
    if (disk.parentLink !== null) {
      info.backing = { path: disk.parentLink.path, format: 'vpc', recordedPath: disk.parentLink.recorded, formatRecorded: true };
    }
    return info;
  } finally {
    await disk.close();
  }
}

export const vpcFormat: DiskFormatModule = {
  format: 'vpc',
  probe: probeVhd,
  open: (path: string, ctx: OpenContext): Promise<VirtualDisk> => VhdDisk.open(path, { ctx }),
  info: (path: string): Promise<Omit<DiskImageInfo, 'chain'>> => vhdInfo(path),
  check: (path: string): Promise<CheckResult> => checkVhd(path),
  write: (source: VirtualDisk, outPath: string, options: WriteOptions): Promise<void> => (
    writeVhd(source, outPath, options)
  ),
};
