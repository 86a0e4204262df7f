// `npm start`: sets up and starts Labvault from a fresh clone, in one command.
//  1. Node >= package.json's engines minimum (re-runs itself under build/ensure-node.sh's Node 22
//     when older; see build/project-node.mjs);
//  2. `npm install` when node_modules is missing;
//  3. `npm run build` when out/ is missing or older than the sources;
//  4. the desktop app when the Electron binary is installed, else the same UI in the
//     browser (`labvault ui`: prints a private 127.0.0.1 URL and opens it).
// Flags: --browser starts the browser UI even when Electron is installed; other flags
// go to the app (e.g. --hidden) or to `labvault ui` (e.g. --no-open, --port N).
// Plain JavaScript that runs on old Node versions, so it can say what is missing.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ensureProjectNode, projectRoot as root } from './project-node.mjs';

const isWindows = process.platform === 'win32';
const args = process.argv.slice(2);
const forceBrowser = args.includes('--browser');
const passThrough = args.filter((arg) => arg !== '--browser');

function say(message) {
  console.log(`labvault start: ${message}`);
}

function fail(message) {
  console.error(`labvault start: ${message}`);
  process.exit(1);
}

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', shell: isWindows && command === 'npm', ...options });
  if (result.error) fail(`${command} could not start: ${result.error.message}`);
  return result.status ?? 1;
}

// 1. Node.
ensureProjectNode('labvault start', 'build/start.mjs', args);

// 2. Dependencies.
if (!existsSync(join(root, 'node_modules', '.package-lock.json')) && !existsSync(join(root, 'node_modules', 'esbuild'))) {
  say('installing dependencies (npm install); the Electron binary is optional and may be skipped.');
  if (run('npm', ['install', '--no-audit', '--no-fund']) !== 0) fail('npm install failed; see the messages above.');
}

// 3. Build when stale.
const SOURCES = ['electron', 'shared', 'renderer', 'build', 'package.json'];
const OUTPUTS = ['out/main/main.js', 'out/preload/preload.cjs', 'out/cli/labvault.mjs', 'out/renderer/index.html', 'out/icons/icon.png'];
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'docs']);

function newestMtime(path) {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory() && SKIPPED_DIRS.has(entry.name)) continue;
    newest = Math.max(newest, newestMtime(join(path, entry.name)));
  }
  return newest;
}

function buildIsStale() {
  const outputTimes = OUTPUTS.map((file) => statSync(join(root, file), { throwIfNoEntry: false })?.mtimeMs ?? 0);
  const oldestOutput = Math.min(...outputTimes);
  if (oldestOutput === 0) return true;
  return SOURCES.some((source) => newestMtime(join(root, source)) > oldestOutput);
}

if (buildIsStale()) {
  say('building (npm run build)...');
  if (run(process.execPath, [join(root, 'build', 'build.mjs')]) !== 0) fail('the build failed; see the messages above.');
}

// 4. Start.
function electronBinary() {
  try {
    const path = createRequire(join(root, 'package.json'))('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

function startChild(command, commandArgs, env = process.env) {
  const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit', env });
  // Ctrl+C reaches the child directly (same process group); wait for it to finish.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('error', (error) => fail(`${command} could not start: ${error.message}`));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const electron = forceBrowser ? null : electronBinary();
if (electron) {
  say(`starting the desktop app (${electron}).`);
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  startChild(electron, [root, ...passThrough], env);
} else {
  if (!forceBrowser) {
    console.log('The Electron desktop binary is not installed (it could not be downloaded on this machine), so Labvault starts in your browser instead:');
  }
  startChild(process.execPath, [join(root, 'electron', 'cli', 'bin.mjs'), 'ui', ...passThrough]);
}
