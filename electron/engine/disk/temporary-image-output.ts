/**
 * How image writers produce a file: everything goes to a temporary name beside the output
 * (created exclusively), then the file is cut to its final length, synced and renamed.
 * A failure or a cancel removes the temporary file; the output name never holds half an
 * image.
 */
import { rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { LabvaultError } from '../../../shared/errors.ts';
import { ioError } from '../fs/io-error.ts';
import { createImageFile, writeFully } from './image-output.ts';

/** Writes all of `data` at `position` of the temporary file. */
export type WriteAt = (data: Buffer, position: number) => Promise<void>;

/**
 * Runs `write` against a temporary file beside `outPath`; `write` returns the final file
 * length. `format` names the image in errors ("VHD", "VHDX").
 */
export async function writeImageThroughTemporary(
  outPath: string, format: string, write: (writeAt: WriteAt) => Promise<number>,
): Promise<void> {
  const temporary = `${outPath}.partial-${randomBytes(4).toString('hex')}`;
  let handle: FileHandle | null = await createImageFile(temporary);
  try {
    const opened = handle;
    const end = await write((data, position) => writeFully(opened, temporary, data, data.length, position));
    await opened.truncate(end);
    await opened.sync();
    await opened.close();
    handle = null;
    await rename(temporary, outPath);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temporary, { force: true }).catch(() => undefined);
    if (error instanceof LabvaultError) throw error;
    throw ioError(outPath, `write the ${format} image`, error);
  }
}
