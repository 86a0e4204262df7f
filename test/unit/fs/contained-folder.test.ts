import { mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ensureContainedFolder, probeContainedFolder,
} from '../../../electron/engine/fs/contained-folder.ts';
import { ErrorCodes } from '../../../shared/errors.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

let root: string;
let outside: string;
beforeEach(() => {
  root = makeTempDir('labvault-contained-');
  outside = makeTempDir('labvault-outside-');
});
afterEach(() => {
  removeDir(root);
  removeDir(outside);
});

describe('probeContainedFolder', () => {
  it('tells absent, a real folder, and why a path is unsafe', () => {
    expect(probeContainedFolder(root, ['a', 'b'])).toEqual({ kind: 'absent' });
    mkdirSync(join(root, 'a', 'b'), { recursive: true });
    expect(probeContainedFolder(root, ['a', 'b'])).toEqual({ kind: 'folder', path: join(root, 'a', 'b') });
    writeFileSync(join(root, 'file'), 'x');
    expect(probeContainedFolder(root, ['file'])).toMatchObject({ kind: 'unsafe', why: 'is not a folder' });
    symlinkSync(outside, join(root, 'link'));
    expect(probeContainedFolder(root, ['link', 'x'])).toMatchObject({ kind: 'unsafe', why: 'is a symbolic link' });
    for (const part of ['..', '.', '', 'a/b', 'a\\b', 'nul\0']) {
      expect(probeContainedFolder(root, [part])).toMatchObject({ kind: 'unsafe', why: 'is not a single folder name' });
    }
  });

  it('a missing root is absent', () => {
    expect(probeContainedFolder(join(root, 'missing'), ['a'])).toEqual({ kind: 'absent' });
  });
});

describe('ensureContainedFolder', () => {
  it('makes each missing level with the mode asked for and returns the folder', () => {
    const made = ensureContainedFolder(root, ['x', 'y'], 'keep the locks', 0o700);
    expect(made).toBe(join(root, 'x', 'y'));
    expect(statSync(made).isDirectory()).toBe(true);
    expect(statSync(join(root, 'x')).mode & 0o777).toBe(0o700 & ~process.umask());
    expect(ensureContainedFolder(root, ['x', 'y'], 'keep the locks')).toBe(made); // already there
  });

  it('refuses a symbolic link on the way as CORRUPT naming it, and creates nothing outside', () => {
    symlinkSync(outside, join(root, 'data'));
    let failure: unknown;
    try {
      ensureContainedFolder(root, ['data', 'locks'], 'keep the locks');
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ code: ErrorCodes.CORRUPT });
    expect((failure as Error).message).toContain(join(root, 'data'));
    expect(() => statSync(join(outside, 'locks'))).toThrow();
  });
});
