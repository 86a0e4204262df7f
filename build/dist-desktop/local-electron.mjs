// Finds an Electron that electron-builder can package from without downloading it (its
// `electronDist`): an unpacked Electron or its release zip. Looked for, in order:
//   1. --electron-dist PATH, or ELECTRON_DIST=PATH (an unpacked Electron folder, a folder
//      holding the release zip, or the zip itself);
//   2. node_modules/electron/dist, when `npm install` could download Electron's binary;
//   3. the release zip electron-v<version>-<platform>-<arch>.zip in a pre-seeded cache:
//      ELECTRON_CACHE, electron_config_cache, or @electron/get's default cache folder
//      (directly or one folder down, as @electron/get stores it).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const BINARY = { linux: 'electron', win32: 'electron.exe', darwin: 'Electron.app' };

/** electronVersion pinned in build/electron-builder.yml (the packaged Electron). */
export function pinnedElectronVersion(root) {
  const text = readFileSync(join(root, 'build', 'electron-builder.yml'), 'utf8');
  const match = /^electronVersion:\s*["']?([0-9][0-9.]*)["']?\s*$/m.exec(text);
  if (!match) throw new Error('build/electron-builder.yml has no electronVersion line');
  return match[1];
}

export function releaseZipName(version, platform = process.platform, arch = process.arch) {
  return `electron-v${version}-${platform}-${arch}.zip`;
}

function defaultCacheDirs(env, platform) {
  const home = env.HOME ?? homedir();
  if (platform === 'darwin') return [join(home, 'Library', 'Caches', 'electron')];
  if (platform === 'win32') return env.LOCALAPPDATA ? [join(env.LOCALAPPDATA, 'electron', 'Cache')] : [];
  return [join(env.XDG_CACHE_HOME ?? join(home, '.cache'), 'electron')];
}

function findZip(dir, zipName) {
  if (!existsSync(dir)) return null;
  if (existsSync(join(dir, zipName))) return join(dir, zipName);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && existsSync(join(dir, entry.name, zipName))) return join(dir, entry.name, zipName);
  }
  return null;
}

/**
 * { path, source } of the Electron to package with, or null when there is none.
 * `args`: the command line (for --electron-dist); `env`: the environment.
 */
export function findLocalElectron(root, { args = [], env = process.env, platform = process.platform } = {}) {
  const at = args.indexOf('--electron-dist');
  const given = at === -1 ? env.ELECTRON_DIST : args[at + 1];
  if (given) {
    const path = resolve(root, given);
    if (!existsSync(path)) throw new Error(`the Electron given (${given}) does not exist`);
    return { path, source: at === -1 ? 'ELECTRON_DIST' : '--electron-dist' };
  }
  const installed = join(root, 'node_modules', 'electron', 'dist');
  if (existsSync(join(installed, BINARY[platform] ?? 'electron'))) {
    return { path: installed, source: 'node_modules/electron' };
  }
  const zipName = releaseZipName(pinnedElectronVersion(root), platform);
  const caches = [env.ELECTRON_CACHE, env.electron_config_cache].filter(Boolean);
  for (const dir of caches.length > 0 ? caches : defaultCacheDirs(env, platform)) {
    const zip = findZip(dir, zipName);
    if (zip) return { path: zip, source: `cache ${dir}` };
  }
  return null;
}
