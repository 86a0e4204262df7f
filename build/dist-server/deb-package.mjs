// labvault_<version>_amd64.deb, built by dpkg-deb from a staged root: usr/ (the prefix
// tree) and DEBIAN/ (control, postrm). Compressed with gzip, which every dpkg reads and
// which packs the 120 MB Node binary in seconds (xz takes minutes on a build machine).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the bundled node and better-sqlite3's prebuild link against, as `dpkg-shlibdeps -O
 * -e <node> -e <better_sqlite3.node>` reports it (glibc 2.34 and libstdc++ from GCC 11:
 * Debian 12, Ubuntu 22.04 and newer). test/integration/install/ re-checks it.
 */
export const DEB_DEPENDS = 'libc6 (>= 2.34), libgcc-s1 (>= 3.4), libstdc++6 (>= 11)';
const MAINTAINER = 'Labvault authors <labvault@users.noreply.example>';

function sizeKiB(dir) {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    bytes += entry.isDirectory() ? sizeKiB(path) * 1024 : statSync(path).size;
  }
  return Math.ceil(bytes / 1024);
}

function control(manifest, installedKiB) {
  return [
    'Package: labvault',
    `Version: ${manifest.version}`,
    'Architecture: amd64',
    `Maintainer: ${MAINTAINER}`,
    `Installed-Size: ${installedKiB}`,
    `Depends: ${DEB_DEPENDS}`,
    'Section: utils',
    'Priority: optional',
    `Description: ${manifest.description.replace(/\.$/, '')}`,
    ' Labvault keeps deduplicated, compressed, optionally encrypted and immutable',
    ' vaults of your virtual machine disks, on a workstation or a headless lab server.',
    ' This package runs offline and brings its own Node.js runtime: the labvault',
    ' command, the browser UI (labvault ui) and the scheduler (labvault service run).',
    '',
  ].join('\n');
}

/** Removing or purging never deletes vaults (wherever the user made them) or the app home. */
const POSTRM = `#!/bin/sh
# labvault postrm: the package's own files are removed by dpkg. Vaults and the app home
# (~/.config/Labvault or LABVAULT_HOME) belong to the user and are never touched.
set -e
if [ "$1" = purge ]; then
  echo "labvault: your vaults and each user's ~/.config/Labvault are kept; delete them yourself if unneeded."
fi
exit 0
`;

/** `debRoot` holds usr/ already; adds DEBIAN/ and builds `outFile`. */
export function writeDeb(debRoot, manifest, outFile) {
  const debian = join(debRoot, 'DEBIAN');
  mkdirSync(debian, { recursive: true, mode: 0o755 });
  writeFileSync(join(debian, 'control'), control(manifest, sizeKiB(join(debRoot, 'usr'))), { mode: 0o644 });
  writeFileSync(join(debian, 'postrm'), POSTRM, { mode: 0o755 });
  const result = spawnSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', debRoot, outFile], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.error) throw new Error(`dpkg-deb could not run (${result.error.message}): install dpkg`);
  if (result.status !== 0) throw new Error(`dpkg-deb failed (exit ${result.status ?? result.signal}) for ${outFile}`);
}
