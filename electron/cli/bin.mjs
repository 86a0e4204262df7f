#!/usr/bin/env node
// The installed `labvault` command (package.json "bin"; `npm run labvault` runs it through
// build/labvault.mjs). First checks the Node version against package.json "engines" (the
// bundle needs node:zlib's zstd and the sources need type stripping), then runs the bundled
// CLI (out/cli/labvault.mjs, made by `npm run build`) when it is at least as new as the
// sources, else the TypeScript sources directly. Plain JavaScript that runs on old Node.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = new URL('../../', import.meta.url);
const bundled = fileURLToPath(new URL('out/cli/labvault.mjs', root));
const SOURCE_DIRS = ['electron', 'shared'];

/** [major, minor] from package.json "engines": { "node": ">=22.18" } (npm always ships package.json). */
function minimumNode() {
  const range = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).engines.node;
  return (/(\d+)\.(\d+)/.exec(range) ?? [range, 0, 0]).slice(1, 3).map(Number);
}

function newestSourceMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (/\.(ts|tsx|mjs|js|cjs|json)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsCurrent() {
  if (!existsSync(bundled)) return false;
  const builtAt = statSync(bundled).mtimeMs;
  return SOURCE_DIRS.every((dir) => {
    const path = fileURLToPath(new URL(dir, root));
    return !existsSync(path) || newestSourceMtime(path) <= builtAt;
  });
}

const minimum = minimumNode();
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < minimum[0] || (major === minimum[0] && minor < minimum[1])) {
  process.stderr.write(`labvault: needs Node.js ${minimum.join('.')} or newer (this is ${process.version}); `
    + 'install it from https://nodejs.org or your package manager, then run labvault again.\n');
  process.exit(1);
}

// labvault.ts runs its CLI on import when this flag is set.
globalThis.__LABVAULT_CLI_MAIN__ = true;
if (bundleIsCurrent()) {
  // V8's compiled code of the bundle is kept in Node's compile cache (os.tmpdir()), so a
  // later start skips most of the parse and compile of its 0.7 MB (Node >= 22.1).
  module.enableCompileCache?.();
  await import(pathToFileURL(bundled).href);
}
else await import('./labvault.ts');
