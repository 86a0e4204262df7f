/**
 * Builds the server packages once per test run: `npm run build` only when out/ is missing
 * or older than the sources (`npm test` has just built it), then
 * `node build/dist-server/dist-server.mjs --no-build --out <dir>`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..', '..', '..');
const SOURCES = ['electron', 'shared', 'renderer'];
const BUNDLES = ['out/cli/labvault.mjs', 'out/renderer/index.html'];

export interface BuiltPackages {
  version: string;
  tarball: string;
  deb: string;
  /** dist-server's own report (what it bundled, the sizes). */
  log: string;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function bundlesAreCurrent(): boolean {
  const sourcesChanged = Math.max(...SOURCES.map((dir) => newestMtime(join(REPO, dir))));
  return BUNDLES.every((file) => existsSync(join(REPO, file)) && statSync(join(REPO, file)).mtimeMs >= sourcesChanged);
}

export function buildServerPackages(outDir: string): BuiltPackages {
  if (!bundlesAreCurrent()) execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: 'inherit' });
  const result = spawnSync(process.execPath, [join(REPO, 'build', 'dist-server', 'dist-server.mjs'), '--no-build',
    '--out', outDir], { cwd: REPO, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`dist-server failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  }
  const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  return {
    version,
    tarball: join(outDir, `labvault-${version}-linux-x64.tar.gz`),
    deb: join(outDir, `labvault_${version}_amd64.deb`),
    log: result.stdout,
  };
}
