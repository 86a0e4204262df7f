// `npm run dist`: the desktop installers (electron-builder, build/electron-builder.yml:
// AppImage and deb on Linux, dmg on macOS, nsis on Windows, Electron fuses set) from a local
// Electron (build/dist-desktop/local-electron.mjs), passed as electronDist so Electron is
// never downloaded. Without one it prints one line saying how to provide it and exits 2,
// before building anything. Otherwise: `npm run build`, then electron-builder with
// -c.electronDist=<path> and any other arguments (e.g. --linux deb).
// Step by step: build/desktop-app.md, "Package installers".
import { spawnSync } from 'node:child_process';
import { ensureProjectNode, projectRoot } from '../project-node.mjs';

ensureProjectNode('npm run dist', 'build/dist-desktop/dist-desktop.mjs', process.argv.slice(2));

const { findLocalElectron, pinnedElectronVersion, releaseZipName } = await import('./local-electron.mjs');
const EXIT_NO_ELECTRON = 2;

const args = process.argv.slice(2);
let electron;
try {
  electron = findLocalElectron(projectRoot, { args });
} catch (error) {
  console.error(`npm run dist: ${error instanceof Error ? error.message : String(error)}.`);
  process.exit(EXIT_NO_ELECTRON);
}
if (electron === null) {
  const version = pinnedElectronVersion(projectRoot);
  console.error(`npm run dist: no local Electron ${version} (not in node_modules/electron/dist, no ELECTRON_DIST, `
    + `no ${releaseZipName(version)} in the Electron cache); set ELECTRON_DIST to an unpacked Electron or that zip, `
    + 'or pre-seed ELECTRON_CACHE (build/desktop-app.md, "Package installers").');
  process.exit(EXIT_NO_ELECTRON);
}

const passOn = [];
for (let index = 0; index < args.length; index += 1) {
  if (args[index] === '--electron-dist') index += 1;
  else passOn.push(args[index]);
}
console.log(`npm run dist: packaging with the Electron from ${electron.source}: ${electron.path}`);
const run = (command, commandArgs) => spawnSync(command, commandArgs, { cwd: projectRoot, stdio: 'inherit' })
  .status ?? 1;
const built = run('npm', ['run', '-s', 'build']);
if (built !== 0) process.exit(built);
process.exit(run('npx', ['electron-builder', '--config', 'build/electron-builder.yml',
  `-c.electronDist=${electron.path}`, ...passOn]));
