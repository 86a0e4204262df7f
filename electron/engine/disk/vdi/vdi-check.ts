/**
 * `check` for VDI, never throwing on damage (qemu's rules plus bounds): header fields,
 * block map inside the file, every allocated entry below blocksInImage and its block
 * inside the file, no two entries naming the same block, blocksAllocated matching the
 * map, a fixed image holding all its blocks; a differencing image's parent found.
 */
import { ImageFile } from '../image-file.ts';
import { isLabvaultError } from '../../../../shared/errors.ts';
import type { CheckResult } from '../virtual-disk.ts';
import { CheckFindingList } from '../check-finding-list.ts';
import { openRegularFile } from '../image-opener.ts';
import { VdiDisk } from './vdi-disk.ts';
import { BLOCK_ZERO, VDI_TYPE_DIFF, VDI_TYPE_FIXED, formatVdiUuid, isNullUuid } from './vdi-header.ts';
import { findVdiParent, readVdiIdentity } from './vdi-parent-search.ts';

export async function checkVdi(path: string): Promise<CheckResult> {
  const findings = new CheckFindingList();
  let file: ImageFile | null = null;
  try {
    file = await openRegularFile(path, path, 'vdi.header');
    let layout;
    try {
      layout = await VdiDisk.readLayout(file);
    } catch (error) {
      const magic = isLabvaultError(error) && error.field === 'vdi.header.signature';
      findings.addError(error, magic ? 'bad-magic' : 'bad-header');
      return findings.result(magic ? 'unknown' : 'vdi', path);
    }
    const { header, blockMap } = layout;
    const stride = header.blockSize + header.blockExtra;
    const used = new Uint8Array(Math.ceil(header.blocksInImage / 8));
    let allocated = 0;
    for (let index = 0; index < blockMap.length; index += 1) {
      const entry = blockMap[index]!;
      if (entry >= BLOCK_ZERO) continue;
      allocated += 1;
      if (entry >= header.blocksInImage) {
        findings.add('corruption', 'bad-block-index', `${path}: block ${index} points to block index ${entry}, beyond the ${header.blocksInImage} blocks of the image`);
        continue;
      }
      const bit = 1 << (entry & 7);
      if ((used[entry >> 3]! & bit) !== 0) {
        findings.add('corruption', 'overlapping-clusters', `${path}: block ${index} uses data block ${entry}, which another block uses too`);
        continue;
      }
      used[entry >> 3]! |= bit;
      const position = header.offsetData + entry * stride;
      if (position + stride > file.size) {
        findings.add('corruption', 'offset-past-eof', `${path}: block ${index} (data block ${entry} at offset ${position}) lies past the end of the file (${file.size} bytes)`);
      }
    }
    if (allocated !== header.blocksAllocated) {
      findings.add('corruption', 'allocated-count-mismatch', `${path}: header says ${header.blocksAllocated} blocks are allocated, the block map has ${allocated}`);
    }
    if (header.imageType === VDI_TYPE_FIXED && header.offsetData + header.blocksInImage * stride > file.size) {
      findings.add('corruption', 'truncated', `${path}: fixed image is ${file.size} bytes, its ${header.blocksInImage} blocks need ${header.offsetData + header.blocksInImage * stride}`);
    }
    if (header.imageType === VDI_TYPE_DIFF) {
      const parent = await findVdiParent(path, header.uuidLink);
      const identity = parent === null ? null : await readVdiIdentity(parent);
      if (parent === null || identity === null) {
        findings.add('warning', 'missing-parent', `${path}: parent with UUID ${formatVdiUuid(header.uuidLink)} is not in the image's folder or the folder above (VirtualBox records it in the .vbox file)`);
      } else if (!isNullUuid(header.uuidParent) && !identity.lastSnap.equals(header.uuidParent)) {
        findings.add('warning', 'parent-uuid-mismatch',
          `${path}: parent ${parent} was modified after this differencing image was made (modification UUID ${formatVdiUuid(identity.lastSnap)}, expected ${formatVdiUuid(header.uuidParent)})`);
      }
    }
  } catch (error) {
    findings.addError(error, 'unreadable');
  } finally {
    await file?.close().catch(() => undefined);
  }
  return findings.result('vdi', path);
}
