/** The raw format module: the fallback when no other format recognises a file. */
import { stat } from 'node:fs/promises';
import { ImageFile } from '../image-file.ts';
import { RawDisk } from './raw-disk.ts';
import { writeRawImage } from './raw-writer.ts';
import { openerOf } from '../disk-format-module.ts';
import type { DiskFormatModule } from '../disk-format-module.ts';
import type { CheckResult, DiskImageInfo } from '../virtual-disk.ts';

async function rawInfo(path: string): Promise<Omit<DiskImageInfo, 'chain'>> {
  const file = await ImageFile.open(path);
  try {
    const allocated = await file.allocatedFileBytes();
    return {
      format: 'raw',
      path,
      virtualSize: file.size,
      fileSize: file.size,
      allocatedBytes: Math.min(file.size, allocated),
      files: [path],
    };
  } finally {
    await file.close();
  }
}

async function rawCheck(path: string): Promise<CheckResult> {
  try {
    await stat(path);
    return { format: 'raw', path, clean: true, findings: [] };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { format: 'unknown', path, clean: false, findings: [{ severity: 'corruption', kind: 'unreadable', message }] };
  }
}

export const rawFormat: DiskFormatModule = {
  format: 'raw',
  probe: () => true,
  open: (path, ctx) => RawDisk.open(path, openerOf(ctx)),
  info: (path) => rawInfo(path),
  check: (path) => rawCheck(path),
  write: (source, outPath, options) => writeRawImage(source, outPath, options),
};
