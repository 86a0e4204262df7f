/**
 * A VMDK sparse extent opened on its own (e.g. "disk-s001.vmdk" of a twoGbMaxExtentSparse
 * disk) has no descriptor inside: it is only a part of a disk (the first 2 GiB of it).
 * qemu-img refuses to open it ("Invalid argument"); Labvault refuses it too and names the
 * descriptor to open instead.
 *
 * The descriptor is looked for beside the extent: the folder's *.vmdk files (at most
 * MAX_FOLDER_ENTRIES entries listed, MAX_CANDIDATES files read) that are small plain-text
 * descriptors (at most MAX_DESCRIPTOR_PROBE bytes, read once, bounded) and name this file
 * in an extent line. When none is found, a file named like a split extent (-sNNN.vmdk) is
 * refused naming the descriptor its name implies, any other bare extent without a name.
 */
import { basename, dirname, join } from 'node:path';
import { unsupportedImage } from '../image-error.ts';
import type { ImageFile } from '../image-file.ts';
import { localImageOpener } from '../image-opener.ts';
import type { ImageOpener } from '../image-opener.ts';
import type { LabvaultError } from '../../../../shared/errors.ts';
import { looksLikeDescriptor, parseDescriptor, resolveVmdkPath } from './vmdk-descriptor.ts';

const MAX_FOLDER_ENTRIES = 4096;
const MAX_CANDIDATES = 64;
/** A descriptor of even a 2 TiB split disk (1000 extent lines) stays well below this. */
const MAX_DESCRIPTOR_PROBE = 128 * 1024;
const SPLIT_EXTENT_NAME = /^(.*)-(s|f)\d{3}\.vmdk$/i;

async function readSmallText(path: string, opener: ImageOpener): Promise<Buffer | null> {
  let file: ImageFile | null = null;
  try {
    if ((await opener.stat(path)).kind !== 'file') return null;
    file = await opener.open(path);
    if (file.size === 0 || file.size > MAX_DESCRIPTOR_PROBE) return null;
    return await file.readAt(0, file.size, 'vmdk.descriptor');
  } catch {
    return null;
  } finally {
    await file?.close().catch(() => undefined);
  }
}

async function samePath(a: string, b: string, opener: ImageOpener): Promise<boolean> {
  if (a === b) return true;
  const [realA, realB] = await Promise.all([opener.realpath(a).catch(() => a), opener.realpath(b).catch(() => b)]);
  return realA === realB;
}

/** The descriptor beside `extentPath` that lists it as an extent, or null. */
export async function findOwningDescriptor(extentPath: string,
  opener: ImageOpener = localImageOpener): Promise<string | null> {
  const folder = dirname(extentPath);
  const self = basename(extentPath);
  const names = (await opener.listFiles(folder, MAX_FOLDER_ENTRIES)).map((entry) => entry.name)
    .filter((name) => name !== self && name.toLowerCase().endsWith('.vmdk'));
  // Likely owners first: "disk.vmdk" for "disk-s001.vmdk".
  const stem = SPLIT_EXTENT_NAME.exec(self)?.[1]?.toLowerCase();
  names.sort((a, b) => Number(b.toLowerCase() === `${stem}.vmdk`) - Number(a.toLowerCase() === `${stem}.vmdk`) || a.localeCompare(b));
  for (const name of names.slice(0, MAX_CANDIDATES)) {
    const candidate = join(folder, name);
    const text = await readSmallText(candidate, opener);
    if (text === null || !looksLikeDescriptor(text)) continue;
    let extents;
    try {
      extents = parseDescriptor(candidate, text, 'lenient').extents;
    } catch {
      continue;
    }
    for (const line of extents) {
      if (line.fileName === null) continue;
      if (await samePath(resolveVmdkPath(candidate, line.fileName), extentPath, opener)) return candidate;
    }
  }
  return null;
}

/**
 * The refusal for a sparse extent without an embedded descriptor opened on its own. qemu-img
 * refuses such a file too (EINVAL); we name the descriptor to open instead: the one beside
 * it that lists it, else the one a split extent's name implies, else any.
 */
export async function bareExtentRefusal(extentPath: string,
  opener: ImageOpener = localImageOpener): Promise<LabvaultError> {
  const owner = await findOwningDescriptor(extentPath, opener);
  if (owner !== null) {
    return unsupportedImage(extentPath, 'vmdk.descriptor', `this file is one extent of the multi-extent VMDK disk ${owner}: open that descriptor instead (this extent alone is only part of the disk)`, {
      reason: 'vmdk-extent', descriptor: owner,
    });
  }
  const split = SPLIT_EXTENT_NAME.exec(basename(extentPath));
  if (split) {
    const implied = join(dirname(extentPath), `${split[1]}.vmdk`);
    return unsupportedImage(extentPath, 'vmdk.descriptor', `this file is named like one extent of a split VMDK disk and has no descriptor of its own: open its descriptor (${implied}, not found beside it) instead`, {
      reason: 'vmdk-extent', descriptor: implied,
    });
  }
  return unsupportedImage(extentPath, 'vmdk.descriptor', 'this VMDK sparse extent has no descriptor of its own and no descriptor beside it lists it: open the descriptor (the small text .vmdk file) of the disk it belongs to', {
    reason: 'vmdk-extent', descriptor: null,
  });
}
