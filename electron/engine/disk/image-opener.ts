/**
 * Where the disk readers get their files from. Every path a reader opens, checks, resolves
 * or lists (the image, its backing files, VMDK extents, a qcow2 external data file, the
 * candidates of a VDI parent search) goes through an ImageOpener: by default the local
 * filesystem, or for a recovery point the point's own files read from the vault
 * (guest/point-image-opener.ts), so a path read out of an image is then never acted on
 * locally.
 *
 * The methods behave like their node:fs counterparts, errors included: a missing path
 * rejects with an error whose `code` is 'ENOENT', so callers turn it into the same
 * NOT_FOUND messages whatever the opener.
 */
import { opendir, realpath, stat } from 'node:fs/promises';
import { ImageFile } from './image-file.ts';
import { badImage } from './image-error.ts';
import { ioError } from '../fs/io-error.ts';

export interface ImageFileStat {
  /** Regular files and block devices are what images are read from; anything else is 'other'. */
  kind: 'file' | 'block-device' | 'other';
  size: number;
}

export interface FolderFile {
  name: string;
  /** A symlink (to anything): stat it before opening. */
  symlink: boolean;
}

export interface ImageOpener {
  /** Opens a file for positioned reads. */
  open(path: string): Promise<ImageFile>;
  /** Facts about `path`; rejects with code 'ENOENT' when nothing is there. */
  stat(path: string): Promise<ImageFileStat>;
  /** The canonical path (symlinks resolved), for loop detection and same-file checks. */
  realpath(path: string): Promise<string>;
  /**
   * The regular files and symlinks directly in `dir` (the first `max` entries of the folder
   * looked at); none when `dir` cannot be listed.
   */
  listFiles(dir: string, max: number): Promise<FolderFile[]>;
  /**
   * Folders to look in, in order, for a parent that the child names by identity only (a
   * differencing VDI records its parent's UUID, not its path). Absent: the child's folder
   * and the one above it (VirtualBox's "<VM>/Snapshots/" and "<VM>/").
   */
  parentSearchFolders?(childPath: string): string[];
}

/** The local filesystem. */
export const localImageOpener: ImageOpener = {
  open: (path) => ImageFile.open(path),
  stat: async (path) => {
    const stats = await stat(path);
    const kind = stats.isFile() ? 'file' : stats.isBlockDevice() ? 'block-device' : 'other';
    return { kind, size: stats.size };
  },
  realpath: (path) => realpath(path),
  listFiles: async (dir, max) => {
    const out: FolderFile[] = [];
    try {
      const entries = await opendir(dir);
      let seen = 0;
      for await (const entry of entries) {
        seen += 1;
        if (seen > max) break;
        if (entry.isFile() || entry.isSymbolicLink()) out.push({ name: entry.name, symlink: entry.isSymbolicLink() });
      }
    } catch {
      return out;
    }
    return out;
  },
};

/** An ENOENT error like node:fs gives, for openers whose files are not on the local disk. */
export function noSuchFile(path: string, syscall: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`ENOENT: no such file or directory, ${syscall} '${path}'`);
  error.code = 'ENOENT';
  error.syscall = syscall;
  error.path = path;
  return error;
}

/**
 * Opens a file named inside an image (extent, parent): regular files and block devices
 * only, so a FIFO or socket planted in a descriptor can never block the reader.
 */
export async function openRegularFile(path: string, namedBy: string, field: string,
  opener: ImageOpener = localImageOpener): Promise<ImageFile> {
  let stats;
  try {
    stats = await opener.stat(path);
  } catch (error) {
    throw ioError(path, `open the file named by ${namedBy}`, error);
  }
  if (stats.kind === 'other') throw badImage(namedBy, field, `${path} is not a regular file`);
  return opener.open(path);
}
