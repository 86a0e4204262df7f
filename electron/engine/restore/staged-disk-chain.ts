/**
 * A staged disk (staged-point.ts) opened with its whole chain, every parent looked for
 * under the staging folder: a relative parent name from the child's folder (qemu's rule),
 * an absolute one mapped under the staging root as discovery maps it. A parent outside the
 * staging folder is never opened, so a restore reads only the point's copy of each layer.
 * Then the merged view is written as one new image (the chain flattened) by the disk
 * writers.
 */
import { resolve } from 'node:path';
import { ErrorCodes } from '../../../shared/errors.ts';
import { ChainContext, requireFormatModule, resolveParentPath } from '../disk/chain-opener.ts';
import { detectImageFormat } from '../disk/detect-format.ts';
import type { OpenContext } from '../disk/disk-format-module.ts';
import { imageError } from '../disk/image-error.ts';
import type { DiskFormat, VirtualDisk } from '../disk/virtual-disk.ts';
import { ImageFile } from '../disk/image-file.ts';
import { VdiDisk } from '../disk/vdi/vdi-disk.ts';
import { VDI_HEADER_BYTES, VDI_TYPE_DIFF, parseVdiHeader } from '../disk/vdi/vdi-header.ts';
import { readVdiIdentity } from '../disk/vdi/vdi-parent-search.ts';
import { underRoot } from '../discovery/discovery-paths.ts';

const MAX_LAYERS = 256;

/** The staging folder, and the staged VDI files a differencing VDI's parent is looked for among (by UUID). */
export interface StagedRoot {
  root: string;
  vdiLayers: readonly string[];
}

async function vdiParentAmong(childPath: string, candidates: readonly string[]): Promise<string | undefined> {
  const file = await ImageFile.open(childPath);
  let link: Buffer;
  try {
    const header = parseVdiHeader(childPath, await file.readAt(0, VDI_HEADER_BYTES, 'vdi.header'), file.size);
    if (header.imageType !== VDI_TYPE_DIFF) return undefined;
    link = header.uuidLink;
  } finally {
    await file.close().catch(() => undefined);
  }
  for (const candidate of candidates) {
    if (candidate !== childPath && (await readVdiIdentity(candidate))?.image.equals(link)) return candidate;
  }
  return undefined;
}

/**
 * Opens one layer: a VDI gets its parent from the staged VDIs by UUID (VirtualBox keeps a
 * base and its snapshots in folders far apart, the .vbox or VirtualBox.xml naming them),
 * every other format finds its parent itself through the context.
 */
async function openLayer(path: string, format: DiskFormat, context: StagedChainContext,
  staging: StagedRoot): Promise<VirtualDisk> {
  if (format === 'vdi') {
    const parentPath = await vdiParentAmong(path, staging.vdiLayers);
    return VdiDisk.open(path, context, parentPath ? { parentPath } : {});
  }
  return requireFormatModule(format, path).open(path, context);
}

class StagedChainContext implements OpenContext {
  private readonly staging: StagedRoot;
  private readonly depth: number;
  private readonly inner: ChainContext;
  /** Every parent opened through this chain, top first. */
  readonly opened: string[];

  constructor(staging: StagedRoot, depth: number, inner: ChainContext, opened: string[] = []) {
    this.staging = staging;
    this.depth = depth;
    this.inner = inner;
    this.opened = opened;
  }

  async openParent(parentPath: string, fromChildPath: string, formatHint?: DiskFormat): Promise<VirtualDisk> {
    const wanted = underRoot(resolveParentPath(parentPath, fromChildPath), this.staging.root);
    const admitted = await this.inner.admit(wanted, resolve(fromChildPath));
    if (this.depth + 1 > MAX_LAYERS) {
      throw imageError(ErrorCodes.BAD_IMAGE, `the chain of ${fromChildPath} is deeper than ${MAX_LAYERS} layers`, { file: fromChildPath });
    }
    const format = formatHint ?? (await detectImageFormat(admitted.path));
    this.opened.push(admitted.path);
    const context = new StagedChainContext(this.staging, this.depth + 1, admitted.context, this.opened);
    return openLayer(admitted.path, format, context, this.staging);
  }
}

/** Opens a staged image and its chain, parents only under `staging`; `opened` collects the parents' paths. */
export async function openStagedDisk(path: string, staging: StagedRoot, format?: DiskFormat,
  opened: string[] = []): Promise<VirtualDisk> {
  const top = new ChainContext([], MAX_LAYERS);
  const admitted = await top.admit(path, null);
  const detected = format ?? (await detectImageFormat(admitted.path));
  const context = new StagedChainContext(staging, 1, admitted.context, opened);
  return openLayer(admitted.path, detected, context, staging);
}

/** The staged image and every parent its chain opens, top first. */
export async function stagedChainPaths(path: string, staging: StagedRoot): Promise<string[]> {
  const opened: string[] = [];
  const disk = await openStagedDisk(path, staging, undefined, opened);
  await disk.close();
  return [disk.path, ...opened];
}

export interface FlattenOptions {
  format: DiskFormat;
  subformat?: string;
  signal?: AbortSignal;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}

/** Writes the merged view of the staged disk at `path` as a new single image `outPath` (refused when it exists). */
export async function flattenStagedDisk(path: string, staging: StagedRoot, outPath: string,
  options: FlattenOptions): Promise<number> {
  const target = requireFormatModule(options.format, outPath);
  if (!target.write) throw imageError(ErrorCodes.UNSUPPORTED, `writing ${options.format} images is not supported`, { file: outPath, field: 'format' });
  const source = await openStagedDisk(path, staging);
  try {
    await target.write(source, resolve(outPath), {
      ...(options.subformat ? { subformat: options.subformat } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return source.virtualSize;
  } finally {
    await source.close();
  }
}
