// The Node.js version Labvault needs and how the build scripts get it. The minimum is
// written once, in package.json "engines" (README and build/ensure-node.sh read the same
// number). When the machine's node is older, a script re-runs itself under the project's
// own Node 22, which build/ensure-node.sh installs into .node/ from the npm registry.
// Plain JavaScript that runs on old Node versions, so it can say what is missing.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REEXEC_FLAG = 'LABVAULT_NODE_REEXEC';

function engineMinimum() {
  const range = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')).engines.node;
  const match = /^>=\s*(\d+)\.(\d+)/.exec(range);
  if (!match) throw new Error(`package.json engines.node must read ">=MAJOR.MINOR" (it reads "${range}")`);
  return [Number(match[1]), Number(match[2])];
}

/** [major, minor] from package.json "engines": { "node": ">=22.18" }. */
export const MINIMUM_NODE = engineMinimum();
export const MINIMUM_NODE_TEXT = MINIMUM_NODE.join('.');

export function nodeIsRecentEnough(version = process.versions.node) {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor >= MINIMUM_NODE[1]);
}

/**
 * Returns when this node is recent enough. Otherwise runs `node <script> <args>` under
 * build/ensure-node.sh's Node 22 and exits with its status, or exits 1 with one line saying
 * what to install. `name` prefixes the messages (e.g. "labvault start").
 */
export function ensureProjectNode(name, script, args) {
  if (nodeIsRecentEnough()) {
    delete process.env[REEXEC_FLAG]; // the processes this one starts may re-run their own check
    return;
  }
  const say = (message) => process.stderr.write(`${name}: ${message}\n`);
  const install = `install Node.js ${MINIMUM_NODE_TEXT} or newer from https://nodejs.org`;
  if (process.env[REEXEC_FLAG]) {
    say(`still on Node ${process.version} after build/ensure-node.sh; ${install}.`);
    process.exit(1);
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    say(`Labvault needs Node.js ${MINIMUM_NODE_TEXT} or newer (this is ${process.version}); ${install}.`);
    process.exit(1);
  }
  say(`Node ${process.version} is older than ${MINIMUM_NODE_TEXT}; running under Node 22 from .node/ (build/ensure-node.sh).`);
  const command = 'source build/ensure-node.sh && exec node "$@"';
  const result = spawnSync('bash', ['-c', command, 'ensure-node', script, ...args], {
    cwd: projectRoot,
    stdio: 'inherit',
    env: { ...process.env, [REEXEC_FLAG]: '1' },
  });
  if (result.error) {
    say(`could not run bash for build/ensure-node.sh (${result.error.message}); ${install}.`);
    process.exit(1);
  }
  process.exit(result.status ?? 1);
}
