/**
 * Reading a VM's configuration file: read-only, a regular file within a size cap, named in
 * every error. Discovery never opens a VM's file for writing.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { ioError } from '../fs/io-error.ts';

/** No hypervisor writes a config this large; a bigger file is not one. */
export const CONFIG_CAP_BYTES = 8 * 1024 * 1024;

const READ_ONLY = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

export async function readConfigText(path: string, capBytes = CONFIG_CAP_BYTES): Promise<string> {
  let handle;
  try {
    handle = await open(path, READ_ONLY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new LabvaultError(ErrorCodes.NOT_FOUND, `${path}: no such VM configuration file.`, { field: 'config', details: { file: path } });
    }
    throw ioError(path, 'read the VM configuration', error);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, `${path} is not a regular file, so it is not a VM configuration.`,
        { field: 'config', details: { file: path } });
    }
    if (stats.size > capBytes) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT,
        `${path} holds ${stats.size} bytes, more than the ${capBytes}-byte limit for a VM configuration.`,
        { field: 'config', details: { file: path } });
    }
    const buffer = Buffer.alloc(stats.size);
    let done = 0;
    while (done < buffer.length) {
      const { bytesRead } = await handle.read(buffer, done, buffer.length - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buffer.subarray(0, done).toString('utf8');
  } finally {
    await handle.close().catch(() => undefined);
  }
}
