/**
 * A minimal chain opener for VHD/VHDX tests: resolves the parent path against the child,
 * opens it with the VHD or VHDX reader, and refuses loops and deep chains.
 */
import { dirname, resolve } from 'node:path';
import type { OpenContext } from '../../../electron/engine/disk/disk-format-module.ts';
import type { VirtualDisk } from '../../../electron/engine/disk/virtual-disk.ts';
import { VhdDisk } from '../../../electron/engine/disk/vhd/vhd-disk.ts';
import { LabvaultError } from '../../../shared/errors.ts';

export function testOpenContext(seen: string[] = []): OpenContext {
  return {
    async openParent(parentPath: string, fromChildPath: string): Promise<VirtualDisk> {
      const absolute = resolve(dirname(fromChildPath), parentPath);
      if (seen.includes(absolute) || seen.length > 16) throw new LabvaultError('BAD_IMAGE', `backing chain loop at ${absolute}`);
      const next = testOpenContext([...seen, absolute]);
      const head = Buffer.alloc(8);
      const { openSync, readSync, closeSync, existsSync } = await import('node:fs');
      if (!existsSync(absolute)) throw new LabvaultError('NOT_FOUND', `${fromChildPath}: backing file ${absolute} does not exist`);
      const fd = openSync(absolute, 'r');
      try { readSync(fd, head, 0, 8, 0); } finally { closeSync(fd); }
      if (head.toString('latin1') === 'vhdxfile') {
        const { VhdxDisk } = await import('../../../electron/engine/disk/vhdx/vhdx-disk.ts');
        return VhdxDisk.open(absolute, { ctx: next });
      }
      return VhdDisk.open(absolute, { ctx: next });
    },
  };
}

/** Reads a whole (small) disk through `read` in uneven pieces to exercise block edges. */
export async function readWholeDisk(disk: VirtualDisk, piece = 300_000): Promise<Buffer> {
  const out = Buffer.alloc(disk.virtualSize);
  for (let offset = 0; offset < disk.virtualSize; offset += piece) {
    const length = Math.min(piece, disk.virtualSize - offset);
    const target = Buffer.alloc(length);
    await disk.read(target, offset, length);
    target.copy(out, offset);
  }
  return out;
}
