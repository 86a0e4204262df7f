// The files that hook the package into the desktop and systemd: the desktop entry (starts
// `labvault ui`, which opens the UI in the default browser), the app icon (drawn by
// build/icons.mjs) and the systemd user unit for `labvault service run`, written by the
// same code as `labvault service install-instructions` (electron/cli/commands/service-templates.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { appIcon } from '../icons.mjs';
import { INSTALLED_COMMANDS, systemdUnit } from '../../electron/cli/commands/service-templates.ts';
import { ICON_SIZES, LAYOUT } from './package-layout.mjs';

function write(prefixDir, relativePath, text, mode = 0o644) {
  const path = join(prefixDir, relativePath);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode });
}

export function desktopEntry(launcher) {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Labvault',
    'GenericName=Virtual machine backup',
    'Comment=Back up and restore your virtual machines, offline (opens in your browser)',
    `Exec=${launcher} ui`,
    'Icon=labvault',
    'Terminal=false',
    'Categories=Utility;Archiving;',
    'Keywords=backup;restore;virtual machine;VM;vault;',
    '',
  ].join('\n');
}

/**
 * `launcher`: the absolute path of bin/labvault once installed (the .deb: /usr/bin/labvault),
 * or null when unknown (the tarball: the entry runs `labvault` from PATH and the unit names
 * /usr/local/bin/labvault, as build/service/ does).
 */
export function writeDesktopFiles(prefixDir, launcher) {
  write(prefixDir, LAYOUT.desktopEntry, desktopEntry(launcher ?? 'labvault'));
  for (const size of ICON_SIZES) write(prefixDir, LAYOUT.icon(size), appIcon(size));
  const argv = launcher ? [launcher, 'service', 'run'] : INSTALLED_COMMANDS.unix.argv;
  write(prefixDir, LAYOUT.systemdUnit, systemdUnit({ argv }));
}
