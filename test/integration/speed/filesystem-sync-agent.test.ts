/**
 * The syncfs agent (vault/store/filesystem-sync.ts): many syncs through one shell answer in
 * order, a directory that does not exist is an IO_ERROR naming it, and a path the agent
 * cannot carry (a newline) still syncs through a standalone `sync -f`.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../support/disk-fixtures.ts';
import { syncFilesystem } from '../../../electron/engine/vault/store/filesystem-sync.ts';
import { ErrorCodes } from '../../../shared/errors.ts';

describe.runIf(process.platform === 'linux')('syncFilesystem through the agent', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir('labvault-sync-');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers every request, in order, and reports a missing directory', async () => {
    const missing = join(dir, 'missing');
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => syncFilesystem(i % 4 === 3 ? missing : dir)
      .then(() => 'ok', (error: { code?: string; message?: string }) => `${error.code}: ${error.message}`)));
    for (const [i, outcome] of outcomes.entries()) {
      if (i % 4 === 3) {
        expect(outcome).toContain(ErrorCodes.IO_ERROR);
        expect(outcome).toContain(missing);
      } else {
        expect(outcome).toBe('ok');
      }
    }
  });

  it('syncs a directory whose name holds a newline', async () => {
    const odd = join(dir, 'a\nb');
    mkdirSync(odd);
    await expect(syncFilesystem(odd)).resolves.toBeUndefined();
  });
});
