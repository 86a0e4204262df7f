/**
 * `npm run dist` (build/dist-desktop/): without a local Electron it says so in one line and
 * exits 2 before building anything; with one (ELECTRON_DIST, --electron-dist, an installed
 * node_modules/electron, or the release zip in a pre-seeded cache) it packages from it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  findLocalElectron, pinnedElectronVersion, releaseZipName,
} from '../../../build/dist-desktop/local-electron.mjs';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { REPO } from './built-packages.ts';

const installedElectron = join(REPO, 'node_modules', 'electron', 'dist', 'electron');
let scratch: string;
let fakeRoot: string;

beforeAll(() => {
  scratch = makeTempDir('labvault-dist-desktop-');
  fakeRoot = join(scratch, 'project');
  mkdirSync(join(fakeRoot, 'build'), { recursive: true });
  copyFileSync(join(REPO, 'build', 'electron-builder.yml'), join(fakeRoot, 'build', 'electron-builder.yml'));
});

afterAll(() => removeDir(scratch));

function runDist(env: Record<string, string>, args: string[] = []) {
  const base = Object.fromEntries(Object.entries(process.env)
    .filter(([name]) => !/^(ELECTRON_|electron_config_)/.test(name)));
  return spawnSync(process.execPath, [join(REPO, 'build', 'dist-desktop', 'dist-desktop.mjs'), ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...base, HOME: join(scratch, 'home'), XDG_CACHE_HOME: join(scratch, 'cache'), ...env },
  });
}

describe('npm run dist without Electron', () => {
  it('prints one line naming ELECTRON_DIST, the cache and the doc, exits 2 and builds nothing', (context) => {
    if (existsSync(installedElectron)) context.skip(`${installedElectron} is installed: packaging would run`);
    const result = runDist({});
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^npm run dist: no local Electron \d+\.\d+\.\d+ /);
    expect(lines[0]).toContain('ELECTRON_DIST');
    expect(lines[0]).toContain(releaseZipName(pinnedElectronVersion(REPO)));
    expect(lines[0]).toContain('build/desktop-app.md');
  });

  it('names an ELECTRON_DIST that does not exist, in one line, exit 2', () => {
    const result = runDist({ ELECTRON_DIST: join(scratch, 'nowhere') });
    expect(result.status).toBe(2);
    expect(result.stderr.trimEnd().split('\n'))
      .toEqual([`npm run dist: the Electron given (${join(scratch, 'nowhere')}) does not exist.`]);
  });
});

describe('the local Electron npm run dist passes as electronDist', () => {
  it('is none in an empty project with empty caches', () => {
    expect(findLocalElectron(fakeRoot, { env: { HOME: join(scratch, 'home') } })).toBeNull();
  });

  it('is --electron-dist first, then ELECTRON_DIST', () => {
    const unpacked = join(scratch, 'electron-unpacked');
    const other = join(scratch, 'electron-other');
    mkdirSync(unpacked);
    mkdirSync(other);
    expect(findLocalElectron(fakeRoot, { args: ['--electron-dist', unpacked], env: { ELECTRON_DIST: other } }))
      .toEqual({ path: unpacked, source: '--electron-dist' });
    expect(findLocalElectron(fakeRoot, { env: { ELECTRON_DIST: other } }))
      .toEqual({ path: other, source: 'ELECTRON_DIST' });
  });

  it('is an installed node_modules/electron/dist', () => {
    const dist = join(fakeRoot, 'node_modules', 'electron', 'dist');
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, 'electron'), '');
    expect(findLocalElectron(fakeRoot, { env: {}, platform: 'linux' }))
      .toEqual({ path: dist, source: 'node_modules/electron' });
    removeDir(join(fakeRoot, 'node_modules'));
  });

  it('is the pinned release zip in ELECTRON_CACHE, also one folder down as @electron/get stores it', () => {
    const cache = join(scratch, 'electron-cache');
    const zip = join(cache, '0123abcd', releaseZipName(pinnedElectronVersion(fakeRoot), 'linux', 'x64'));
    mkdirSync(join(cache, '0123abcd'), { recursive: true });
    writeFileSync(join(cache, '0123abcd', 'electron-v1.0.0-linux-x64.zip'), '');
    expect(findLocalElectron(fakeRoot, { env: { ELECTRON_CACHE: cache }, platform: 'linux' })).toBeNull();
    writeFileSync(zip, '');
    if (process.arch === 'x64') {
      expect(findLocalElectron(fakeRoot, { env: { ELECTRON_CACHE: cache }, platform: 'linux' }))
        .toEqual({ path: zip, source: `cache ${cache}` });
    }
  });
});
