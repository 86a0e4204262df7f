/**
 * Lists one folder of this machine for the file browser, bounded whatever the folder
 * holds: names are read (at most SCAN_CAP of them), sorted folders first then by name,
 * and only the first `limit` are looked at in detail. `more` says the listing is cut.
 * Errors name the folder: NOT_FOUND, IO_ERROR (permission denied, with details.errno),
 * INVALID_INPUT when the path is a file.
 */
import { opendir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  LOCAL_FOLDER_LIMIT_DEFAULT, LOCAL_FOLDER_LIMIT_MAX, type LocalFolder,
} from '../../../shared/contract/local-files-channels.ts';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { ioError } from '../fs/io-error.ts';
import { isHiddenName, localEntry } from './local-entry.ts';
import { parentFolder } from './local-path.ts';

/** Names read from one folder at most: a folder with millions of files is listed in bounded time and memory. */
export const SCAN_CAP = 100_000;

export interface ListFolderOptions {
  showHidden?: boolean;
  limit?: number;
  scanCap?: number;
}

interface ScannedName {
  name: string;
  folder: boolean;
}

async function scanNames(
  path: string, showHidden: boolean, scanCap: number,
): Promise<{ names: ScannedName[]; hiddenCount: number; capped: boolean }> {
  let dir;
  try {
    dir = await opendir(path, { bufferSize: 256 });
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    if (errno === 'ENOTDIR') {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, `${path} is a file, not a folder.`,
        { field: 'path', details: { path, kind: 'file' } });
    }
    throw ioError(path, 'list the folder', error);
  }
  const names: ScannedName[] = [];
  let hiddenCount = 0;
  let seen = 0;
  let capped = false;
  try {
    for await (const dirent of dir) {
      if (seen >= scanCap) {
        capped = true;
        break;
      }
      seen += 1;
      if (!showHidden && isHiddenName(dirent.name)) {
        hiddenCount += 1;
        continue;
      }
      names.push({ name: dirent.name, folder: dirent.isDirectory() });
    }
  } catch (error) {
    throw ioError(path, 'list the folder', error);
  } finally {
    // Breaking out of the loop closes the handle already; a second close rejects.
    await dir.close().catch(() => undefined);
  }
  return { names, hiddenCount, capped };
}

// Made on first use: creating an ICU collator costs about 8 ms, which every CLI command paid at start.
let collator: Intl.Collator | undefined;

export async function listLocalFolder(path: string, options: ListFolderOptions = {}): Promise<LocalFolder> {
  const limit = Math.min(Math.max(1, options.limit ?? LOCAL_FOLDER_LIMIT_DEFAULT), LOCAL_FOLDER_LIMIT_MAX);
  const { names, hiddenCount, capped } = await scanNames(path, options.showHidden === true,
    options.scanCap ?? SCAN_CAP);
  const order = (collator ??= new Intl.Collator('en', { numeric: true, sensitivity: 'base' }));
  names.sort((a, b) => (a.folder === b.folder ? order.compare(a.name, b.name) : a.folder ? -1 : 1));
  const shown = names.slice(0, limit);
  const entries = [];
  for (const { name } of shown) {
    try {
      entries.push(await localEntry(join(path, name), name));
    } catch (error) {
      // Removed between the listing and the lstat: leave it out; anything else is reported.
      if (error instanceof LabvaultError && error.code === ErrorCodes.NOT_FOUND) continue;
      throw error;
    }
  }
  return {
    path,
    parent: parentFolder(path),
    entries,
    total: names.length,
    totalExact: !capped,
    more: capped || names.length > shown.length,
    hiddenCount,
  };
}
