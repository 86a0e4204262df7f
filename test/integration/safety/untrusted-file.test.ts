/**
 * The one reader of vault files (electron/engine/fs/untrusted-file.ts): only regular files
 * within their kind's cap are read; anything else is CORRUPT naming the file and what it
 * is, without blocking (a FIFO with no writer) or reading what the file claims.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { readUntrustedFile, readUntrustedText, VAULT_FILE_CAPS } from '../../../electron/engine/fs/untrusted-file.ts';
import { LabvaultError } from '../../../shared/errors.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

let dir: string;
beforeEach(() => { dir = makeTempDir('labvault-untrusted-'); });
afterEach(() => removeDir(dir));

async function corrupt(promise: Promise<unknown>): Promise<LabvaultError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(LabvaultError);
  expect((error as LabvaultError).code).toBe('CORRUPT');
  return error as LabvaultError;
}

describe('readUntrustedFile', () => {
  it('reads a regular file within its cap', async () => {
    const path = join(dir, 'vault.json');
    writeFileSync(path, '{"format":"labvault-vault"}');
    expect(await readUntrustedText(path, 'vault-config')).toBe('{"format":"labvault-vault"}');
  });

  it('refuses a FIFO without opening it (no writer: a plain read would block for ever)', async () => {
    const path = join(dir, 'record.json');
    execFileSync('mkfifo', [path]);
    const error = await corrupt(readUntrustedFile(path, 'record'));
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/FIFO/);
  });

  it('refuses a symbolic link, even to a regular file, and a directory', async () => {
    const target = join(dir, 'real');
    writeFileSync(target, 'x');
    const link = join(dir, 'link');
    symlinkSync(target, link);
    expect((await corrupt(readUntrustedFile(link, 'manifest'))).message).toMatch(/symbolic link/);
    const zero = join(dir, 'zero');
    symlinkSync('/dev/zero', zero);
    expect((await corrupt(readUntrustedFile(zero, 'manifest'))).message).toMatch(/symbolic link/);
    mkdirSync(join(dir, 'folder'));
    expect((await corrupt(readUntrustedFile(join(dir, 'folder'), 'index'))).message).toMatch(/directory/);
  });

  it('refuses a socket', async () => {
    const path = join(dir, 'lock');
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      expect((await corrupt(readUntrustedFile(path, 'store-lock'))).message).toMatch(/socket/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses a file over its cap by its size (a sparse 5 GB record is never read)', async () => {
    const path = join(dir, 'big.json');
    writeFileSync(path, '');
    truncateSync(path, 5 * 1024 ** 3);
    const error = await corrupt(readUntrustedFile(path, 'record'));
    expect(error.message).toMatch(/5368709120 bytes/);
    expect(error.message).toContain(String(VAULT_FILE_CAPS.record.bytes));
    const chunk = join(dir, 'chunk');
    writeFileSync(chunk, Buffer.alloc(2048));
    expect((await corrupt(readUntrustedFile(chunk, 'chunk', { capBytes: 1024 }))).message).toMatch(/1024-byte limit/);
  });

  it('passes ENOENT through for callers that treat a missing file as absent', async () => {
    const error = await readUntrustedFile(join(dir, 'missing'), 'record').then(() => null, (caught: unknown) => caught);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});
