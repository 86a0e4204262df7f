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
import { opendir, open, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { unsupportedImage } from '../image-error.ts';
import type { LabvaultError } from '../../../../shared/errors.ts';
import { looksLikeDescriptor, parseDescriptor, resolveVmdkPath } from './vmdk-descriptor.ts';

const MAX_FOLDER_ENTRIES = 4096;
const MAX_CANDIDATES = 64;
/** A descriptor of even a 2 TiB split disk (1000 extent lines) stays well below this. */
const MAX_DESCRIPTOR_PROBE = 128 * 1024;
const SPLIT_EXTENT_NAME = /^(.*)-(s|f)\d{3}\.vmdk$/i;

async function readSmallText(path: string): Promise<Buffer | null> {
  let handle;
  try {
    handle = await open(path, 'r');
    const info = await handle.stat();
    if (!info.isFile() || info.size === 0 || info.size > MAX_DESCRIPTOR_PROBE) return null;
    const buffer = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(buffer, 0, info.size, 0);
    return buffer.subarray(0, bytesRead);
  } catch {
    return null;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

async function samePath(a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const [realA, realB] = await Promise.all([realpath(a).catch(() => a), realpath(b).catch(() => b)]);
  return realA === realB;
}

/** The descriptor beside `extentPath` that lists it as an extent, or null. */
export async function findOwningDescriptor(extentPath: string): Promise<string | null> {
  const folder = dirname(extentPath);
  const self = basename(extentPath);
  const names: string[] = [];
  try {
    const entries = await opendir(folder);
    let seen = 0;
    for await (const entry of entries) {
      seen += 1;
      if (seen > MAX_FOLDER_ENTRIES) break;
      if (entry.name !== self && entry.name.toLowerCase().endsWith('.vmdk') && (entry.isFile() || entry.isSymbolicLink())) names.push(entry.name);
    }
  } catch {
    return null;
  }
  // Likely owners first: "disk.vmdk" for "disk-s001.vmdk".
  const stem = SPLIT_EXTENT_NAME.exec(self)?.[1]?.toLowerCase();
  names.sort((a, b) => Number(b.toLowerCase() === `${stem}.vmdk`) - Number(a.toLowerCase() === `${stem}.vmdk`) || a.localeCompare(b));
  for (const name of names.slice(0, MAX_CANDIDATES)) {
    const candidate = join(folder, name);
    const text = await readSmallText(candidate);
    if (text === null || !looksLikeDescriptor(text)) continue;
    let extents;
    try {
      extents = parseDescriptor(candidate, text, 'lenient').extents;
    } catch {
      continue;
    }
    for (const line of extents) {
      if (line.fileName === null) continue;
      if (await samePath(resolveVmdkPath(candidate, line.fileName), extentPath)) return candidate;
    }
  }
  return null;
}

/**
 * The refusal for a sparse extent without an embedded descriptor opened on its own. qemu-img
 * refuses such a file too (EINVAL); we name the descriptor to open instead: the one beside
 * it that lists it, else the one a split extent's name implies, else any.
 */
export async function bareExtentRefusal(extentPath: string): Promise<LabvaultError> {
  const owner = await findOwningDescriptor(extentPath);
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
