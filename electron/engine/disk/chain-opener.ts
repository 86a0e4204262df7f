/**
 * The OpenContext every format module gets: opens images and their backing files through
 * one path, so chains of any depth behave the same for every format.
 *
 * - A relative parent path is resolved against the directory of the child that names it
 *   (qemu's rule); an absolute one is used as is.
 * - A missing parent is a NOT_FOUND error naming the exact path looked for and the child.
 * - A loop (a -> b -> a, compared by real path) and a chain deeper than the limit are
 *   BAD_IMAGE errors.
 * - The format a child records for its parent (qcow2 backing format, -F) is trusted like
 *   qemu does; without one, the parent's format is detected by content.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { ErrorCodes } from '../../../shared/errors.ts';
import { detectImageFormat } from './detect-format.ts';
import { findDiskFormat } from './disk-formats.ts';
import { imageError } from './image-error.ts';
import { ioError } from '../fs/io-error.ts';
import { localImageOpener } from './image-opener.ts';
import type { ImageOpener } from './image-opener.ts';
import type { DiskFormatModule, OpenContext } from './disk-format-module.ts';
import type { DiskFormat, VirtualDisk } from './virtual-disk.ts';

const DEFAULT_MAX_CHAIN_DEPTH = 256;

export interface ChainOptions {
  /** Longest chain accepted (top image = depth 1). Default 256. */
  maxChainDepth?: number;
  /** Where the images are read from; default the local filesystem. */
  opener?: ImageOpener;
}

/** Where a child's parent path points: relative paths are taken from the child's directory. */
export function resolveParentPath(parentPath: string, fromChildPath: string): string {
  return isAbsolute(parentPath) ? resolve(parentPath) : resolve(dirname(resolve(fromChildPath)), parentPath);
}

/** The module for a format, or UNSUPPORTED naming the file. */
export function requireFormatModule(format: DiskFormat, path: string): DiskFormatModule {
  const module = findDiskFormat(format);
  if (!module) {
    throw imageError(ErrorCodes.UNSUPPORTED, `${path}: ${format} images are not supported in this build`, { file: path, field: 'format', details: { format } });
  }
  return module;
}

/** The real path of an existing image, or NOT_FOUND naming what was looked for. */
async function existingRealPath(opener: ImageOpener, path: string, wantedBy: string | null): Promise<string> {
  try {
    const stats = await opener.stat(path);
    if (stats.kind === 'other') {
      throw imageError(ErrorCodes.BAD_IMAGE, `${path} is not a regular file`, { file: path });
    }
    return await opener.realpath(path);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') {
      if (error instanceof Error && error.name === 'LabvaultError') throw error;
      throw ioError(path, 'open the image', error);
    }
    const message = wantedBy === null
      ? `${path}: no such image file`
      : `backing file not found: ${wantedBy} needs its parent ${path}, which does not exist`;
    throw imageError(ErrorCodes.NOT_FOUND, message, { file: path, field: 'backing file', details: { lookedFor: path, child: wantedBy } });
  }
}

/** One level of a chain being opened: knows the real paths of every image above it. */
export class ChainContext implements OpenContext {
  private readonly above: readonly string[];
  private readonly maxDepth: number;
  readonly opener: ImageOpener;

  constructor(above: readonly string[], maxDepth: number, opener: ImageOpener = localImageOpener) {
    this.above = above;
    this.maxDepth = maxDepth;
    this.opener = opener;
  }

  /** Validates and resolves an image path for this level; returns its path and real path. */
  async admit(path: string, wantedBy: string | null): Promise<{ path: string; real: string; context: ChainContext }> {
    const absolute = resolve(path);
    const real = await existingRealPath(this.opener, absolute, wantedBy);
    if (this.above.includes(real)) {
      const loop = [...this.above, real].join(' -> ');
      throw imageError(ErrorCodes.BAD_IMAGE, `backing chain loop: ${wantedBy ?? absolute} leads back to ${absolute} (${loop})`, {
        file: wantedBy ?? absolute,
        field: 'backing file',
        details: { loop: [...this.above, real] },
      });
    }
    if (this.above.length + 1 > this.maxDepth) {
      throw imageError(ErrorCodes.BAD_IMAGE, `backing chain of ${wantedBy ?? absolute} is deeper than ${this.maxDepth} images`, {
        file: wantedBy ?? absolute,
        field: 'backing file',
        details: { maxDepth: this.maxDepth },
      });
    }
    return { path: absolute, real, context: new ChainContext([...this.above, real], this.maxDepth, this.opener) };
  }

  async openParent(parentPath: string, fromChildPath: string, formatHint?: DiskFormat): Promise<VirtualDisk> {
    const wanted = resolveParentPath(parentPath, fromChildPath);
    const admitted = await this.admit(wanted, resolve(fromChildPath));
    const format = formatHint ?? (await detectImageFormat(admitted.path, this.opener));
    return requireFormatModule(format, admitted.path).open(admitted.path, admitted.context);
  }
}

/** The context for opening a top-level image. */
export function topChainContext(options: ChainOptions = {}): ChainContext {
  return new ChainContext([], options.maxChainDepth ?? DEFAULT_MAX_CHAIN_DEPTH, options.opener);
}
