/**
 * The disk format registry: every format module, in probe order. Raw stays LAST: it
 * accepts any file, so it is the fallback when no other module recognises the content.
 * To add a format: import its module and add one line above `rawFormat`.
 */
import type { DiskFormatModule } from './disk-format-module.ts';
import type { DiskFormat } from './virtual-disk.ts';
import { vpcFormat } from './vhd/vhd-format.ts';
import { vhdxFormat } from './vhdx/vhdx-format.ts';
import { vmdkFormat } from './vmdk/vmdk-format.ts';
import { vdiFormat } from './vdi/vdi-format.ts';
import { rawFormat } from './raw/raw-format.ts';
import { qcow2Format } from './qcow2/qcow2-format.ts';

export const diskFormats: readonly DiskFormatModule[] = [
  vpcFormat,
  vhdxFormat,
  vmdkFormat,
  vdiFormat,
  qcow2Format,
  rawFormat,
];

/** The module for a format, or undefined when that format is not built in. */
export function findDiskFormat(format: DiskFormat): DiskFormatModule | undefined {
  return diskFormats.find((module) => module.format === format);
}
