#!/usr/bin/env node
// The installed `labvault` command (package.json "bin"): runs the bundled CLI
// (out/cli/labvault.mjs, made by `npm run build`) when it exists, else the TypeScript
// source directly (Node >= 22.18 strips the types).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MINIMUM_NODE = [22, 18];
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const bundled = fileURLToPath(new URL('../../out/cli/labvault.mjs', import.meta.url));

// labvault.ts runs its CLI on import when this flag is set.
globalThis.__LABVAULT_CLI_MAIN__ = true;
if (existsSync(bundled)) {
  await import(pathToFileURL(bundled).href);
} else if (major > MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor >= MINIMUM_NODE[1])) {
  await import('./labvault.ts');
} else {
  process.stderr.write(`labvault: needs Node.js ${MINIMUM_NODE.join('.')} or newer to run from source (this is ${process.version}); or run "npm run build" first.\n`);
  process.exitCode = 1;
}
