// The esbuild bundles of the desktop app and the CLI, as options objects: build.mjs builds
// them into out/, and tests build the preload the same way into a temp folder.
import { join } from 'node:path';

/** Chromium of Electron 41, where the preload runs. */
export const PRELOAD_TARGET = 'chrome140';
export const NODE_TARGET = 'node22';

const common = (root) => ({
  bundle: true,
  absWorkingDir: root,
  logLevel: 'warning',
  legalComments: 'none',
  sourcemap: 'linked',
  define: { 'process.env.NODE_ENV': '"production"' },
});

/** Electron main process: ESM; electron, better-sqlite3 (native), electron-log, zod... stay in node_modules (electron-builder packs the production dependencies). */
export function mainBundle(root, outDir = join(root, 'out')) {
  return {
    ...common(root),
    entryPoints: [join(root, 'electron', 'main.ts')],
    outfile: join(outDir, 'main', 'main.js'),
    platform: 'node',
    target: NODE_TARGET,
    format: 'esm',
    packages: 'external',
  };
}

/** The sandboxed preload: CommonJS, and self-contained but for 'electron' (a sandboxed preload can require nothing else). */
export function preloadBundle(root, outDir = join(root, 'out')) {
  return {
    ...common(root),
    entryPoints: [join(root, 'electron', 'preload.ts')],
    outfile: join(outDir, 'preload', 'preload.cjs'),
    platform: 'browser',
    target: PRELOAD_TARGET,
    format: 'cjs',
    external: ['electron'],
    sourcemap: false,
  };
}

/**
 * npm packages the CLI bundle and its guest worker leave in node_modules: better-sqlite3 (native), and ws (imported
 * only when `labvault ui` starts its host). Every other package (zod) is inlined: resolving and loading zod's
 * hundred-odd module files cost each command about 40 ms of CPU warm and 0.2 s with a cold page cache.
 */
export const CLI_EXTERNAL_PACKAGES = ['better-sqlite3', 'ws'];

/** The installable `labvault` command; the banner makes labvault.ts run runCli on import. */
export function cliBundle(root, outDir = join(root, 'out')) {
  return {
    ...common(root),
    entryPoints: [join(root, 'electron', 'cli', 'labvault.ts')],
    outfile: join(outDir, 'cli', 'labvault.mjs'),
    platform: 'node',
    target: NODE_TARGET,
    format: 'esm',
    external: CLI_EXTERNAL_PACKAGES,
    banner: { js: '#!/usr/bin/env node\nglobalThis.__LABVAULT_CLI_MAIN__ = true;' },
  };
}

/**
 * The guest reader's worker thread (electron/engine/guest/guest-worker.ts), beside the bundle that starts it
 * (`face` 'main' or 'cli'): guest-worker-client.ts loads guest-worker.mjs from its own folder when the .ts is absent.
 */
export function guestWorkerBundle(root, face, outDir = join(root, 'out')) {
  return {
    ...common(root),
    entryPoints: [join(root, 'electron', 'engine', 'guest', 'guest-worker.ts')],
    outfile: join(outDir, face, 'guest-worker.mjs'),
    platform: 'node',
    target: NODE_TARGET,
    format: 'esm',
    ...(face === 'cli' ? { external: CLI_EXTERNAL_PACKAGES } : { packages: 'external' }),
  };
}
