/** The VMDK format module: probe, open (with snapshot chains), info, check, write. */
import { stat } from 'node:fs/promises';
import type { DiskFormatModule, OpenContext, WriteOptions } from '../disk-format-module.ts';
import type { DiskImageInfo, VirtualDisk } from '../virtual-disk.ts';
import { invalidInput } from '../../../../shared/errors.ts';
import { ioError } from '../../fs/io-error.ts';
import { looksLikeDescriptor, resolveVmdkPath } from './vmdk-descriptor.ts';
import { VmdkDisk } from './vmdk-disk.ts';
import { SparseExtent } from './vmdk-sparse-extent.ts';
import { checkVmdk } from './vmdk-check.ts';
import { VMDK_SPARSE_MAGIC, VMDK3_COWD_MAGIC } from './vmdk-sparse-header.ts';
import { writeVmdkSparse } from './vmdk-sparse-writer.ts';
import { writeVmdkStream } from './vmdk-stream-writer.ts';

const VMDK_WRITE_SUBFORMATS = ['monolithicSparse', 'streamOptimized'] as const;

function probeVmdk(head: Buffer): boolean {
  if (head.length >= 4) {
    const magic = head.readUInt32LE(0);
    if (magic === VMDK_SPARSE_MAGIC || magic === VMDK3_COWD_MAGIC) return true;
  }
  return looksLikeDescriptor(head);
}

/** qemu's create-type: a sparse file opened directly is monolithicSparse or, compressed, streamOptimized. */
function subformatOf(disk: VmdkDisk): string {
  const { layout } = disk;
  if (!layout.embedded) return layout.descriptor.createType;
  const extent = layout.extents[0];
  return extent instanceof SparseExtent && extent.isCompressed ? 'streamOptimized' : 'monolithicSparse';
}

async function vmdkInfo(path: string): Promise<Omit<DiskImageInfo, 'chain'>> {
  const disk = await VmdkDisk.openLayer(path);
  try {
    const { descriptor, files, extents } = disk.layout;
    let fileSize = 0;
    for (const file of files) {
      try {
        fileSize += (await stat(file)).size;
      } catch (error) {
        throw ioError(file, 'read the extent size', error);
      }
    }
    let allocatedBytes = 0;
    for (const range of await disk.layerMap()) if (range.state === 'data') allocatedBytes += range.length;
    const info: Omit<DiskImageInfo, 'chain'> = {
      format: 'vmdk',
      path,
      virtualSize: disk.virtualSize,
      fileSize,
      allocatedBytes,
      subformat: subformatOf(disk),
      files,
    };
    const grainBytes = extents.find((extent) => extent.grainBytes !== null)?.grainBytes;
    if (grainBytes) info.clusterSize = grainBytes;
    if (descriptor.parentFileNameHint !== null) {
      // A VMDK's parent is always a VMDK (qemu refuses anything else), so the format is implied.
      const recordedPath = descriptor.parentFileNameHint;
      info.backing = { path: resolveVmdkPath(path, recordedPath), format: 'vmdk', recordedPath, formatRecorded: true };
    }
    return info;
  } finally {
    await disk.close();
  }
}

async function writeVmdk(source: VirtualDisk, outPath: string, options: WriteOptions): Promise<void> {
  const subformat = options.subformat ?? 'monolithicSparse';
  if (subformat === 'monolithicSparse') return writeVmdkSparse(source, outPath, options);
  if (subformat === 'streamOptimized') return writeVmdkStream(source, outPath, options);
  throw invalidInput('subformat', `VMDK subformat "${subformat}" cannot be written: choose ${VMDK_WRITE_SUBFORMATS.join(' or ')}`);
}

export const vmdkFormat: DiskFormatModule = {
  format: 'vmdk',
  probe: (head) => probeVmdk(head),
  open: (path: string, ctx: OpenContext) => VmdkDisk.open(path, ctx),
  info: (path) => vmdkInfo(path),
  check: (path) => checkVmdk(path),
  write: (source, outPath, options) => writeVmdk(source, outPath, options),
};
