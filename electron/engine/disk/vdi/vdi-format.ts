/** The VDI format module: probe, open (differencing chains), info, check, write (dynamic). */
import { stat } from 'node:fs/promises';
import type { DiskFormatModule } from '../disk-format-module.ts';
import type { DiskImageInfo } from '../virtual-disk.ts';
import { invalidInput } from '../../../../shared/errors.ts';
import { ioError } from '../../fs/io-error.ts';
import { VdiDisk } from './vdi-disk.ts';
import { checkVdi } from './vdi-check.ts';
import { VDI_TYPE_DIFF, VDI_TYPE_DYNAMIC, VDI_TYPE_FIXED, VDI_TYPE_UNDO, formatVdiUuid, probeVdi } from './vdi-header.ts';
import { findVdiParent } from './vdi-parent-search.ts';
import { writeVdiDynamic } from './vdi-writer.ts';

const SUBFORMATS: Record<number, string> = {
  [VDI_TYPE_DYNAMIC]: 'dynamic',
  [VDI_TYPE_FIXED]: 'fixed',
  [VDI_TYPE_UNDO]: 'undo',
  [VDI_TYPE_DIFF]: 'differencing',
};

async function vdiInfo(path: string): Promise<Omit<DiskImageInfo, 'chain'>> {
  const disk = await VdiDisk.openLayer(path);
  try {
    let fileSize: number;
    try {
      fileSize = (await stat(path)).size;
    } catch (error) {
      throw ioError(path, 'read the image size', error);
    }
    let allocatedBytes = 0;
    for (const range of disk.layerMap()) if (range.state === 'data') allocatedBytes += range.length;
    const { header } = disk;
    const info: Omit<DiskImageInfo, 'chain'> = {
      format: 'vdi',
      path,
      virtualSize: disk.virtualSize,
      fileSize,
      allocatedBytes,
      clusterSize: header.blockSize,
      subformat: SUBFORMATS[header.imageType] ?? `type ${header.imageType}`,
      files: [path],
    };
    if (header.imageType === VDI_TYPE_DIFF) {
      const parent = await findVdiParent(path, header.uuidLink);
      const recordedPath = `{${formatVdiUuid(header.uuidLink)}}`;
      if (parent !== null) info.backing = { path: parent, format: 'vdi', recordedPath, formatRecorded: true };
    }
    return info;
  } finally {
    await disk.close();
  }
}

export const vdiFormat: DiskFormatModule = {
  format: 'vdi',
  probe: (head) => probeVdi(head),
  open: (path, ctx) => VdiDisk.open(path, ctx),
  info: (path) => vdiInfo(path),
  check: (path) => checkVdi(path),
  write: (source, outPath, options) => {
    if (options.subformat !== undefined && options.subformat !== 'dynamic') {
      throw invalidInput('subformat', `VDI subformat "${options.subformat}" cannot be written: only "dynamic"`);
    }
    return writeVdiDynamic(source, outPath, options);
  },
};
