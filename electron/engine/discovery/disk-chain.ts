/**
 * A VM disk's backing chain, read from the images themselves (every format's info reader,
 * read-only), from the active layer down to the base, and cross-checked with what the
 * hypervisor's registry says about parents. Absolute parent paths recorded inside images
 * are mapped under the discovery root like config paths.
 */
import { realpath, stat } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { detectImageFormat } from '../disk/detect-format.ts';
import { findDiskFormat } from '../disk/disk-formats.ts';
import { topChainContext } from '../disk/chain-opener.ts';
import { ImageFile } from '../disk/image-file.ts';
import { VDI_HEADER_BYTES, VDI_TYPE_DIFF, formatVdiUuid, parseVdiHeader } from '../disk/vdi/vdi-header.ts';
import { readVdiIdentity } from '../disk/vdi/vdi-parent-search.ts';
import type { DiskFormat } from '../disk/virtual-disk.ts';
import type { DiscoveredDisk } from './discovered-vm.ts';
import { configPathHere } from './discovery-paths.ts';

const MAX_CHAIN_LAYERS = 256;

export interface ChainOptions {
  root?: string | undefined;
  /** Parents the hypervisor's registry names: child path -> parent path (VirtualBox media registry). */
  registryParents?: ReadonlyMap<string, string>;
}

export interface ResolvedChain {
  disk: DiscoveredDisk;
  /** Every file of every layer (multi-file VMDK extents included). */
  files: string[];
  missing: string[];
  notes: string[];
}

/** The format a missing file would have, from its name (only used to report it). */
export function formatFromName(path: string): DiskFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.vdi') return 'vdi';
  if (ext === '.vmdk') return 'vmdk';
  if (ext === '.qcow2' || ext === '.qcow') return 'qcow2';
  if (ext === '.vhd' || ext === '.avhd') return 'vpc';
  if (ext === '.vhdx' || ext === '.avhdx') return 'vhdx';
  return 'raw';
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then((stats) => stats.isFile() || stats.isBlockDevice(), () => false);
}

async function samePath(a: string, b: string): Promise<boolean> {
  const [ra, rb] = await Promise.all([realpath(a).catch(() => a), realpath(b).catch(() => b)]);
  return ra === rb;
}

/** The parent UUID a differencing VDI records, or null for any other VDI. */
async function vdiParentUuid(path: string): Promise<Buffer | null> {
  const file = await ImageFile.open(path);
  try {
    const header = parseVdiHeader(path, await file.readAt(0, VDI_HEADER_BYTES, 'vdi.header'), file.size);
    return header.imageType === VDI_TYPE_DIFF ? header.uuidLink : null;
  } finally {
    await file.close().catch(() => undefined);
  }
}

interface ParentStep { parent: string | null; missingReason?: string }

/** A differencing VDI's parent: the registry's when its UUID matches, else the one found by UUID near the child. */
async function vdiParent(
  path: string, found: string | undefined, options: ChainOptions, notes: string[],
): Promise<ParentStep> {
  const link = await vdiParentUuid(path);
  if (link === null) return { parent: null };
  const registered = options.registryParents?.get(path);
  if (registered !== undefined && (await exists(registered))) {
    const identity = await readVdiIdentity(registered);
    if (identity?.image.equals(link)) return { parent: registered };
    notes.push(`${path} records parent UUID {${formatVdiUuid(link)}}, but the registry's parent ${registered} is another image`);
  }
  if (found !== undefined) return { parent: found };
  const wanted = registered ?? `{${formatVdiUuid(link)}}`;
  return { parent: null, missingReason: `parent ${wanted} of ${path} is not on disk` };
}

/** The parent an image records, here: its recorded name mapped under the root, else the reader's resolution. */
async function backingHere(
  backing: { path: string; recordedPath?: string }, child: string, root: string | undefined,
): Promise<string> {
  const candidates = [backing.recordedPath, backing.path]
    .filter((written): written is string => written !== undefined)
    .map((written) => configPathHere(written, dirname(child), root));
  for (const candidate of candidates) if (await exists(candidate)) return candidate;
  return candidates[0] as string;
}

/** Follows the chain of `activePath` down to its base. */
export async function resolveDiskChain(activePath: string, options: ChainOptions = {}): Promise<ResolvedChain> {
  const chain: DiscoveredDisk['chain'] = [];
  const files: string[] = [];
  const missing: string[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  let current: string | null = activePath;
  let reason: string | undefined;
  let virtualSize: number | undefined;
  for (let depth = 0; current !== null; depth += 1) {
    if (depth >= MAX_CHAIN_LAYERS) { reason = `backing chain deeper than ${MAX_CHAIN_LAYERS} layers`; break; }
    const real = await realpath(current).catch(() => current as string);
    if (seen.has(real)) { reason = `backing chain loops back to ${current}`; break; }
    seen.add(real);
    if (!(await exists(current))) {
      chain.push({ path: current, format: formatFromName(current) });
      missing.push(current);
      reason = depth === 0 ? `disk image ${current} is not on disk` : `layer ${current} of the chain is not on disk`;
      break;
    }
    let step: ParentStep;
    try {
      const format = await detectImageFormat(current);
      const module = findDiskFormat(format);
      if (!module) throw new Error(`${format} images are not supported`);
      const info = await module.info(current, topChainContext());
      chain.push({ path: current, format });
      files.push(...(info.files ?? [current]));
      virtualSize ??= info.virtualSize;
      if (format === 'vdi') {
        step = await vdiParent(current, info.backing?.path, options, notes);
      } else if (info.backing) {
        step = { parent: await backingHere(info.backing, current, options.root) };
      } else {
        step = { parent: null };
      }
    } catch (error) {
      chain.push({ path: current, format: formatFromName(current) });
      files.push(current);
      reason = `${current} cannot be read as a disk image: ${error instanceof Error ? error.message : String(error)}`;
      break;
    }
    const registered = options.registryParents?.get(current);
    if (step.parent !== null && registered !== undefined && !(await samePath(step.parent, registered))) {
      notes.push(`${current}: the image names parent ${step.parent}, the registry names ${registered}; the image is followed`);
    } else if (step.parent === null && step.missingReason === undefined && registered !== undefined) {
      notes.push(`${current}: the registry names parent ${registered}, but the image has none; the image is followed`);
    }
    if (step.missingReason !== undefined) {
      if (registered !== undefined) missing.push(registered);
      reason = step.missingReason;
      break;
    }
    current = step.parent;
  }
  const top = chain[0] as DiscoveredDisk['chain'][number];
  const disk: DiscoveredDisk = { path: top.path, format: top.format, chain, backupable: reason === undefined };
  if (reason !== undefined) disk.reason = reason;
  if (virtualSize !== undefined) disk.virtualSize = virtualSize;
  return { disk, files, missing, notes };
}
