/**
 * Finding the parent of a differencing VDI. A VDI records only its parent's UUID
 * (uuidLink); VirtualBox keeps the parent's path in the VM's .vbox file (MediaRegistry),
 * not in the image. Without the .vbox, the parent is looked for by content: every *.vdi
 * file in the child's directory and in the directory above it (VirtualBox keeps snapshot
 * differencing images in "<VM>/Snapshots/" and the base disk in "<VM>/") whose uuidImage
 * equals the child's uuidLink (an opener may name other folders: a point's reader looks in
 * all of the point's). A caller that knows the path (from the .vbox) passes it to openVdi
 * instead. At most MAX_PARENT_CANDIDATES files are examined.
 */
import { dirname, join, resolve } from 'node:path';
import type { ImageFile } from '../image-file.ts';
import { localImageOpener } from '../image-opener.ts';
import type { ImageOpener } from '../image-opener.ts';
import { OFF_UUID_IMAGE, OFF_UUID_LAST_SNAP, UUID_BYTES, VDI_HEADER_BYTES, probeVdi } from './vdi-header.ts';

const MAX_PARENT_CANDIDATES = 1000;

/** Entries of a folder listed at most: the candidates examined are bounded by MAX_PARENT_CANDIDATES. */
const MAX_FOLDER_ENTRIES = 100_000;

async function vdiFilesIn(dir: string, opener: ImageOpener): Promise<string[]> {
  const entries = await opener.listFiles(dir, MAX_FOLDER_ENTRIES);
  return entries.filter((entry) => !entry.symlink && entry.name.toLowerCase().endsWith('.vdi'))
    .map((entry) => join(dir, entry.name)).sort();
}

export interface VdiIdentity {
  /** uuidImage: what a child's uuidLink names. */
  image: Buffer;
  /** uuidLastSnap: what a child's uuidParent recorded when it was made. */
  lastSnap: Buffer;
}

/** The two UUIDs of the VDI at `path`, or null when it is not a readable VDI. */
export async function readVdiIdentity(path: string,
  opener: ImageOpener = localImageOpener): Promise<VdiIdentity | null> {
  let file: ImageFile | null = null;
  try {
    file = await opener.open(path);
    if (file.size < VDI_HEADER_BYTES) return null;
    const head = await file.readAt(0, VDI_HEADER_BYTES, 'vdi.header');
    if (!probeVdi(head)) return null;
    const uuid = (offset: number): Buffer => Buffer.from(head.subarray(offset, offset + UUID_BYTES));
    return { image: uuid(OFF_UUID_IMAGE), lastSnap: uuid(OFF_UUID_LAST_SNAP) };
  } catch {
    return null;
  } finally {
    await file?.close().catch(() => undefined);
  }
}

/** The path of the VDI whose uuidImage is `parentUuid`, near `childPath`, or null. */
export async function findVdiParent(childPath: string, parentUuid: Buffer,
  opener: ImageOpener = localImageOpener): Promise<string | null> {
  const child = resolve(childPath);
  const dirs = opener.parentSearchFolders?.(child) ?? [dirname(child), dirname(dirname(child))];
  let examined = 0;
  for (const dir of [...new Set(dirs)]) {
    for (const candidate of await vdiFilesIn(dir, opener)) {
      if (candidate === child) continue;
      if (examined >= MAX_PARENT_CANDIDATES) return null;
      examined += 1;
      const identity = await readVdiIdentity(candidate, opener);
      if (identity && identity.image.equals(parentUuid)) return candidate;
    }
  }
  return null;
}
