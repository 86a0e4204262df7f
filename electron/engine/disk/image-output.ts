/**
 * The output file of an image writer: created exclusively (an existing file is refused),
 * written fully at given positions, removed when writing fails; and the writer's cancel check.
 */
import { open, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { ErrorCodes } from '../../../shared/errors.ts';
import { imageError } from './image-error.ts';
import { ioError } from '../fs/io-error.ts';

/** Creates `outPath` exclusively; EEXIST becomes a CONFLICT naming the file. */
export async function createImageFile(outPath: string): Promise<FileHandle> {
  try {
    return await open(outPath, 'wx');
  } catch (error) {
    if ((error as { code?: string }).code === 'EEXIST') {
      const message = `${outPath} already exists: choose another output path or remove it first`;
      throw imageError(ErrorCodes.CONFLICT, message, { file: outPath });
    }
    throw ioError(outPath, 'create the output image', error);
  }
}

/**
 * Creates `outPath` exclusively and runs `write` on it, then closes it. When `write` fails
 * (or is cancelled) the file is closed and removed, so no partial image is left behind.
 */
export async function writeNewImageFile(outPath: string, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  const handle = await createImageFile(outPath);
  try {
    await write(handle);
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(outPath).catch(() => undefined);
    throw error;
  }
}

/** Writes buffer[0..length) at position, looping over short writes. */
export async function writeFully(
  handle: FileHandle, path: string, buffer: Buffer, length: number, position: number,
): Promise<void> {
  let done = 0;
  try {
    while (done < length) {
      const { bytesWritten } = await handle.write(buffer, done, length - done, position + done);
      done += bytesWritten;
    }
  } catch (error) {
    throw ioError(path, `write ${length} bytes at offset ${position}`, error);
  }
}

/** Marks a promise as observed (it is awaited later), so an early failure elsewhere cannot leave it unhandled. */
export function observed<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

export function throwIfAborted(signal: AbortSignal | undefined, path: string): void {
  if (signal?.aborted) throw imageError(ErrorCodes.CANCELLED, `writing ${path} was cancelled`, { file: path });
}
