/**
 * The public entry points of the disk image layer: open, info, check and export, for any
 * format in the registry, with backing chains resolved through ChainContext.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { detectImageFormat } from './detect-format.ts';
import { imageError } from './image-error.ts';
import { requireFormatModule, resolveParentPath, topChainContext } from './chain-opener.ts';
import type { ChainOptions } from './chain-opener.ts';
import type { WriteOptions } from './disk-format-module.ts';
import type { ChainLink, CheckResult, DiskFormat, DiskImageInfo, VirtualDisk } from './virtual-disk.ts';

export interface OpenImageOptions extends ChainOptions {
  /** Skip detection and open as this format (like qemu-img -f). */
  format?: DiskFormat;
}

export interface ExportOptions extends WriteOptions {
  /** Target format; default raw. */
  format?: DiskFormat;
  /** Format of the source (skip detection). */
  sourceFormat?: DiskFormat;
}

/** Opens an image and its whole backing chain as one merged VirtualDisk. */
export async function openDiskImage(path: string, options: OpenImageOptions = {}): Promise<VirtualDisk> {
  const context = topChainContext(options);
  const admitted = await context.admit(path, null);
  const format = options.format ?? (await detectImageFormat(admitted.path, context.opener));
  return requireFormatModule(format, admitted.path).open(admitted.path, admitted.context);
}

/**
 * Facts about an image; `chain` lists the image and every backing file, top first, and
 * `backing.path` is the direct parent's path resolved against the child's directory.
 */
export async function diskImageInfo(path: string, options: OpenImageOptions = {}): Promise<DiskImageInfo> {
  let context = topChainContext(options);
  let admitted = await context.admit(path, null);
  let format = options.format ?? (await detectImageFormat(admitted.path));
  let top: DiskImageInfo | null = null;
  const chain: ChainLink[] = [];
  for (;;) {
    context = admitted.context;
    const facts = await requireFormatModule(format, admitted.path).info(admitted.path, context);
    chain.push({ path: admitted.path, format });
    const link: DiskImageInfo = { ...facts, chain };
    if (facts.backing) {
      const recorded = facts.backing.recordedPath ?? facts.backing.path;
      link.backing = {
        ...facts.backing, path: resolveParentPath(facts.backing.path, admitted.path), recordedPath: recorded,
      };
    }
    top ??= link;
    if (!link.backing) break;
    const childPath = admitted.path;
    admitted = await context.admit(link.backing.path, childPath);
    format = facts.backing?.formatRecorded === false ? await detectImageFormat(admitted.path) : link.backing.format;
    link.backing.format = format;
  }
  return top;
}

/** Checks an image's integrity. Never throws on damage: damage (or an unreadable file) is a finding. */
export async function checkDiskImage(path: string, options: { format?: DiskFormat } = {}): Promise<CheckResult> {
  const absolute = resolve(path);
  let format: DiskFormat | 'unknown' = options.format ?? 'unknown';
  try {
    if (format === 'unknown') format = await detectImageFormat(absolute);
    return await requireFormatModule(format, absolute).check(absolute);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const kind = error instanceof LabvaultError && error.code === ErrorCodes.NOT_FOUND ? 'not-found' : 'unreadable';
    return { format, path: absolute, clean: false, findings: [{ severity: 'corruption', kind, message }] };
  }
}

/**
 * Writes the merged view of `sourcePath` (with its chain) as a new image at `outPath` with
 * the target format's writer. Refuses to overwrite an existing file.
 */
export async function exportDiskImage(sourcePath: string, outPath: string, options: ExportOptions = {}): Promise<void> {
  const targetFormat = options.format ?? 'raw';
  const target = requireFormatModule(targetFormat, outPath);
  if (!target.write) {
    throw imageError(ErrorCodes.UNSUPPORTED, `writing ${targetFormat} images is not supported`, { file: outPath, field: 'format' });
  }
  const existing = await stat(outPath).catch(() => null);
  if (existing) {
    throw imageError(ErrorCodes.CONFLICT, `${outPath} already exists: choose another output path or remove it first`, { file: outPath });
  }
  const openOptions: OpenImageOptions = {};
  if (options.sourceFormat) openOptions.format = options.sourceFormat;
  const source = await openDiskImage(sourcePath, openOptions);
  try {
    const writeOptions: WriteOptions = {};
    if (options.subformat !== undefined) writeOptions.subformat = options.subformat;
    if (options.onProgress) writeOptions.onProgress = options.onProgress;
    if (options.signal) writeOptions.signal = options.signal;
    await target.write(source, resolve(outPath), writeOptions);
  } finally {
    await source.close();
  }
}
