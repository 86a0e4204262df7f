/**
 * One disk of a VM restored as a new VM: the staged active layer it came from (its chain
 * merged), the new image's file name inside the VM's folder, its format and the identity
 * the image itself carries (a VDI's uuidImage, which the .vbox media registry must name).
 */
import { randomUUID } from 'node:crypto';
import type { RestoreDiskFormat } from '../../../shared/contract/restore-vm-channels.ts';
import { formatVdiUuid } from '../disk/vdi/vdi-header.ts';
import { readVdiIdentity } from '../disk/vdi/vdi-parent-search.ts';

export interface RestoredDisk {
  /** The staged active layer (under the staging folder). */
  staged: string;
  /** The disk's path in the point's VM (active layer), as the hardware summary names it. */
  source: string;
  /** Absolute path of the new image, and its file name (what configurations name). */
  path: string;
  fileName: string;
  format: RestoreDiskFormat;
  bus?: string;
  virtualSize: number;
  /** The medium UUID a VirtualBox registry names for it (the image's own for a VDI). */
  uuid: string;
}

/** The UUID a new image is known by: a VDI's own uuidImage, else a fresh one. */
export async function mediumUuidOf(path: string, format: RestoreDiskFormat): Promise<string> {
  if (format === 'vdi') {
    const identity = await readVdiIdentity(path);
    if (identity) return formatVdiUuid(identity.image);
  }
  return randomUUID();
}
