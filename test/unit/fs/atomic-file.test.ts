import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncDirectory, writeFileAtomic, writeJsonAtomic } from '../../../electron/engine/fs/atomic-file.ts';
import { ioError } from '../../../electron/engine/fs/io-error.ts';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

let dir: string;
beforeEach(() => { dir = makeTempDir('labvault-atomic-'); });
afterEach(() => { removeDir(dir); });

describe('writeFileAtomic', () => {
  it('creates missing folders, replaces an existing file and leaves no temp file', async () => {
    const path = join(dir, 'a', 'b', 'file.bin');
    await writeFileAtomic(path, Buffer.from('first'));
    await writeFileAtomic(path, 'second', { mode: 0o600 });
    expect(readFileSync(path, 'utf8')).toBe('second');
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['file.bin']);
  });

  it('writes a new file with the mode asked for', async () => {
    const path = join(dir, 'private.json');
    await writeJsonAtomic(path, { a: 1 }, { mode: 0o600 });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ a: 1 });
    expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600 & ~process.umask());
  });

  it('a path under a file is IO_ERROR naming the file; nothing is left behind', async () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'old');
    const path = join(blocker, 'file.txt');
    const failure = await writeFileAtomic(path, 'new').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LabvaultError);
    expect(failure).toMatchObject({ code: ErrorCodes.IO_ERROR });
    expect((failure as LabvaultError).message).toContain(path);
    expect(readFileSync(blocker, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['blocker']);
  });

  it('syncDirectory of a missing folder rejects', async () => {
    await expect(syncDirectory(join(dir, 'missing'))).rejects.toBeTruthy();
  });
});

describe('ioError', () => {
  const errno = (code: string) => Object.assign(new Error(code), { code });

  it('maps errno codes to stable error codes naming the path and the action', () => {
    expect(ioError('/x/f', 'read', errno('ENOSPC'))).toMatchObject({ code: ErrorCodes.DISK_FULL });
    expect(ioError('/x/f', 'read', errno('EACCES')).message).toContain('Permission denied on /x/f');
    const missing = ioError('/x/f', 'open the image', errno('ENOENT'));
    expect(missing.code).toBe(ErrorCodes.NOT_FOUND);
    expect(missing.message).toContain('could not open the image');
    expect(ioError('/x/f', 'read', errno('EIO'))).toMatchObject({ code: ErrorCodes.IO_ERROR });
  });

  it('passes a LabvaultError through unchanged', () => {
    const original = new LabvaultError(ErrorCodes.CORRUPT, 'bad');
    expect(ioError('/x', 'read', original)).toBe(original);
  });
});
