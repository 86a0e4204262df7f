/**
 * Writes a dynamic VDI (version 1.1, 1 MiB blocks) as qemu-img does: 512-byte header,
 * block map at 0x200, data from the next sector boundary. Only blocks holding non-zero
 * data are written, appended in order; every other entry stays unallocated (0xffffffff).
 * Memory: the block map (4 bytes per MiB of disk) and one read chunk.
 */
import { randomBytes } from 'node:crypto';
import type { VirtualDisk } from '../virtual-disk.ts';
import type { WriteOptions } from '../disk-format-module.ts';
import { writeFully, writeNewImageFile } from '../image-output.ts';
import { imageError } from '../image-error.ts';
import { ErrorCodes } from '../../../../shared/errors.ts';
import { nonZeroBlocks } from '../non-zero-blocks.ts';
import { MAX_BLOCKS, SECTOR, VDI_HEADER_BYTES, VDI_TYPE_DYNAMIC, serializeVdiHeader } from './vdi-header.ts';

const WRITE_BLOCK_SIZE = 1024 * 1024;

/** A random version-4 UUID in VirtualBox byte order. */
function newVdiUuid(): Buffer {
  const uuid = randomBytes(16);
  uuid[7] = (uuid[7]! & 0x0f) | 0x40;
  uuid[8] = (uuid[8]! & 0x3f) | 0x80;
  return uuid;
}

export async function writeVdiDynamic(source: VirtualDisk, outPath: string, options: WriteOptions = {}): Promise<void> {
  const diskSize = Math.ceil(source.virtualSize / SECTOR) * SECTOR;
  const blocks = Math.ceil(diskSize / WRITE_BLOCK_SIZE);
  if (blocks > MAX_BLOCKS) {
    throw imageError(ErrorCodes.UNSUPPORTED, `${outPath}: a ${diskSize}-byte disk needs more than ${MAX_BLOCKS} blocks of 1 MiB`, { file: outPath, field: 'vdi.header.blocksInImage' });
  }
  const offsetBlocks = VDI_HEADER_BYTES;
  const offsetData = offsetBlocks + Math.ceil((blocks * 4) / SECTOR) * SECTOR;
  const map = Buffer.alloc(Math.max(SECTOR, offsetData - offsetBlocks), 0xff); // 0xffffffff: unallocated
  await writeNewImageFile(outPath, async (handle) => {
    let allocated = 0;
    for await (const block of nonZeroBlocks(source, WRITE_BLOCK_SIZE, outPath, options)) {
      await writeFully(handle, outPath, block.data, WRITE_BLOCK_SIZE, offsetData + allocated * WRITE_BLOCK_SIZE);
      map.writeUInt32LE(allocated, block.index * 4);
      allocated += 1;
    }
    for (let index = blocks; index * 4 < map.length; index += 1) map.writeUInt32LE(0, index * 4);
    const header = serializeVdiHeader({
      imageType: VDI_TYPE_DYNAMIC, offsetBlocks, offsetData, diskSize, blockSize: WRITE_BLOCK_SIZE, blockExtra: 0,
      blocksInImage: blocks, blocksAllocated: allocated, uuidImage: newVdiUuid(), uuidLastSnap: newVdiUuid(),
      uuidLink: Buffer.alloc(16), uuidParent: Buffer.alloc(16),
    });
    await writeFully(handle, outPath, map, offsetData - offsetBlocks, offsetBlocks);
    await writeFully(handle, outPath, header, header.length, 0);
    if (allocated === 0) await handle.truncate(offsetData);
  });
}
