// Where each part of the server package lives, relative to its prefix: /usr in the .deb,
// the unpacked labvault-<version>-linux-x64/ folder for the tarball. One tree serves both;
// the launcher finds lib/labvault from bin/ (build/dist-server/labvault-launcher.sh).
export const LAYOUT = {
  launcher: 'bin/labvault',
  app: 'lib/labvault',
  node: 'lib/labvault/runtime/node',
  cli: 'lib/labvault/out/cli/labvault.mjs',
  // The guest reader's worker thread: the CLI bundle starts it from its own folder.
  guestWorker: 'lib/labvault/out/cli/guest-worker.mjs',
  renderer: 'lib/labvault/out/renderer',
  modules: 'lib/labvault/node_modules',
  systemdUnit: 'lib/systemd/user/labvault-scheduler.service',
  desktopEntry: 'share/applications/labvault.desktop',
  icon: (size) => `share/icons/hicolor/${size}x${size}/apps/labvault.png`,
  doc: 'share/doc/labvault',
  licences: 'share/doc/labvault/licences',
};

export const ICON_SIZES = [48, 256];
export const DEB_PREFIX = '/usr';
export const PLATFORM = 'linux-x64';

export function tarballName(version) {
  return `labvault-${version}-${PLATFORM}.tar.gz`;
}

export function debName(version) {
  return `labvault_${version}_amd64.deb`;
}
