/**
 * The VHDX format module: probe, open, info, check, write (dynamic).
 */
import type { DiskFormatModule, OpenContext, WriteOptions } from '../disk-format-module.ts';
import type { CheckResult, DiskImageInfo, VirtualDisk } from '../virtual-disk.ts';
import { VHDX_SIGNATURE } from './vhdx-layout.ts';
import { VhdxDisk } from './vhdx-disk.ts';
import { checkVhdx } from './vhdx-check.ts';
import { writeVhdx } from './vhdx-writer.ts';

function probeVhdx(head: Buffer): boolean {
  return head.length >= 8 && head.toString('latin1', 0, 8) === VHDX_SIGNATURE;
}

async function vhdxInfo(path: string): Promise<Omit<DiskImageInfo, 'chain'>> {
  const disk = await VhdxDisk.open(path, { skipParent: true });
  try {
    const { metadata } = disk.structure;
    const info: Omit<DiskImageInfo, 'chain'> = {
      format: 'vhdx',
      path: disk.path,
      virtualSize: disk.virtualSize,
      fileSize: disk.fileSize,
      allocatedBytes: disk.allocatedBytes,
      clusterSize: metadata.blockSize,
      subformat: metadata.hasParent ? 'differencing' : metadata.leaveBlocksAllocated ? 'fixed' : 'dynamic',
      files: [disk.path],
    };
    if (disk.parentLink !== null) {
      info.backing = { path: disk.parentLink.path, format: 'vhdx', recordedPath: disk.parentLink.recorded, formatRecorded: true };
    }
    return info;
  } finally {
    await disk.close();
  }
}

export const vhdxFormat: DiskFormatModule = {
  format: 'vhdx',
  probe: (head: Buffer): boolean => probeVhdx(head),
  open: (path: string, ctx: OpenContext): Promise<VirtualDisk> => VhdxDisk.open(path, { ctx }),
  info: (path: string): Promise<Omit<DiskImageInfo, 'chain'>> => vhdxInfo(path),
  check: (path: string): Promise<CheckResult> => checkVhdx(path),
  write: (source: VirtualDisk, outPath: string, options: WriteOptions): Promise<void> => (
    writeVhdx(source, outPath, options)
  ),
};
