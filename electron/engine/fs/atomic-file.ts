/**
 * Atomic file replacement: write to a temp file in the same directory, fsync it, rename
 * over the target, fsync the directory. A crash leaves either the old or the new file.
 */
import { open, rename, rm, mkdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ioError } from './io-error.ts';

export async function writeFileAtomic(
  path: string, data: string | Buffer, options: { mode?: number } = {},
): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(tmp, 'wx', options.mode ?? 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    await syncDirectory(dir);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw ioError(path, 'write', error);
  }
}

export async function writeJsonAtomic(path: string, value: unknown, options: { mode?: number } = {}): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, options);
}

/** fsync a directory so a rename inside it is durable. Not possible on Windows; ignored there. */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
