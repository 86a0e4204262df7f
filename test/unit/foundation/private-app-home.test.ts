/**
 * The app's folder (LABVAULT_HOME) is private (issue 10): created 0700 by the engine and
 * the CLI, an existing Labvault folder with group/other bits is tightened, a folder that is
 * not Labvault's is left alone with a warning.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../../electron/engine/engine.ts';
import { ensurePrivateAppHome } from '../../../electron/engine/app/private-app-home.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { runLabvault } from '../../support/run-cli.ts';

const posix = process.platform !== 'win32';
let root: string;

beforeEach(() => {
  root = makeTempDir('labvault-app-home-');
});

afterEach(() => {
  removeDir(root);
});

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

describe.runIf(posix)('the app folder', () => {
  it('is created 0700, parents included', () => {
    const home = join(root, 'a', 'b', 'home');
    const state = ensurePrivateAppHome(home);
    expect(state).toMatchObject({ created: true, tightenedFrom: null, warning: null });
    expect(modeOf(home)).toBe(0o700);
    expect(modeOf(join(root, 'a'))).toBe(0o700);
  });

  it('is tightened when Labvault made it open (named Labvault, holding known-vaults.json, or empty)', () => {
    const named = join(root, 'Labvault');
    const withList = join(root, 'custom-home');
    const empty = join(root, 'empty-home');
    for (const dir of [named, withList, empty]) mkdirSync(dir);
    writeFileSync(join(named, 'other.txt'), 'x');
    writeFileSync(join(withList, 'known-vaults.json'), '{"version":1,"vaults":[]}');
    for (const [dir, mode] of [[named, 0o755], [withList, 0o775], [empty, 0o777]] as const) {
      chmodSync(dir, mode);
      const state = ensurePrivateAppHome(dir);
      expect(state.tightenedFrom, dir).toBe(mode);
      expect(state.warning).toBeNull();
      expect(modeOf(dir)).toBe(0o700);
    }
  });

  it('leaves a folder that is not Labvault\'s as it is, with a warning naming it', () => {
    const shared = join(root, 'shared');
    mkdirSync(shared);
    writeFileSync(join(shared, 'someone-elses.txt'), 'x');
    chmodSync(shared, 0o755);
    const state = ensurePrivateAppHome(shared);
    expect(state.tightenedFrom).toBeNull();
    expect(state.warning).toContain(shared);
    expect(state.warning).toContain('chmod 700');
    expect(modeOf(shared)).toBe(0o755);
  });

  it('leaves a private folder untouched and changes no mode on Windows', () => {
    const home = join(root, 'Labvault');
    mkdirSync(home, { mode: 0o700 });
    expect(ensurePrivateAppHome(home)).toMatchObject({ created: false, tightenedFrom: null, warning: null });
    chmodSync(home, 0o755);
    expect(ensurePrivateAppHome(home, 'win32')).toMatchObject({ tightenedFrom: null, warning: null });
    expect(modeOf(home)).toBe(0o755);
  });

  it('is made private by the engine and by the CLI before anything is written into it', async () => {
    const engineHome = join(root, 'engine-home');
    const engine = new Engine({ face: 'cli', appHome: engineHome });
    try {
      expect(modeOf(engineHome)).toBe(0o700);
    } finally {
      await engine.close();
    }
    const cliHome = join(root, 'cli-home');
    const run = runLabvault(['vault', 'list', '--json'], { LABVAULT_HOME: cliHome });
    expect(run.code, run.stderr).toBe(0);
    expect(modeOf(cliHome)).toBe(0o700);
    const oldHome = join(root, 'Labvault');
    mkdirSync(oldHome, { mode: 0o755 });
    chmodSync(oldHome, 0o755);
    expect(runLabvault(['vault', 'list', '--json'], { LABVAULT_HOME: oldHome }).code).toBe(0);
    expect(modeOf(oldHome)).toBe(0o700);
  });
});
