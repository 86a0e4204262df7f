// `npm run labvault -- <args>`: the `labvault` command from this checkout. On a node older
// than package.json's engines minimum it re-runs under build/ensure-node.sh's Node 22 (or
// says in one line what to install); then electron/cli/bin.mjs runs the built bundle when it
// is at least as new as the sources, else the sources.
import { ensureProjectNode } from './project-node.mjs';

ensureProjectNode('labvault', 'build/labvault.mjs', process.argv.slice(2));
await import('../electron/cli/bin.mjs');
