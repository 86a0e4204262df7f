/**
 * npm 11 warns "install scripts not yet covered by allowScripts" for every dependency with an
 * install script the project has not reviewed. The lockfile marks those (hasInstallScript);
 * package.json's allowScripts must name each one (true: it runs, false: it is skipped).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';

const root = new URL('../../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { allowScripts?: Record<string, boolean> };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { hasInstallScript?: boolean }>;
};

function packageName(path: string): string {
  return path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

describe('install scripts policy', () => {
  it('allowScripts names every locked package that has an install script', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.hasInstallScript === true)
      .map(([path]) => packageName(path));
    expect(withScripts).toContain('better-sqlite3');
    const policy = pkg.allowScripts ?? {};
    expect(withScripts.filter((name) => !(name in policy))).toEqual([]);
    // The ones the project needs run: the SQLite binding, the build's esbuild binary check, Electron's download.
    expect(policy).toMatchObject({ 'better-sqlite3': true, esbuild: true, electron: true });
  });
});
