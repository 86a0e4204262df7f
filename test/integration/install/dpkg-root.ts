/**
 * A clean dpkg root in a temp folder: an empty dpkg database, into which the .deb is
 * installed and from which it is removed with `dpkg --root`. The root holds no libc (the
 * installed program runs on the host's), so the Depends are forced; maintainer scripts run
 * outside a chroot (there is no /bin/sh inside), which is what --force-script-chrootless
 * is for: they honour DPKG_ROOT and, in Labvault's case, touch nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FORCE = ['--force-script-chrootless', '--force-not-root'];

function dpkg(root: string, args: string[]): string {
  return execFileSync('dpkg', [`--root=${root}`, ...FORCE, ...args], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function makeDpkgRoot(root: string): string {
  for (const dir of ['info', 'updates', 'triggers']) {
    mkdirSync(join(root, 'var', 'lib', 'dpkg', dir), { recursive: true });
  }
  writeFileSync(join(root, 'var', 'lib', 'dpkg', 'status'), '');
  return root;
}

export function dpkgInstall(root: string, deb: string): string {
  return dpkg(root, ['--force-depends', '--install', deb]);
}

export function dpkgRemove(root: string, name: string): string {
  return dpkg(root, ['--remove', name]);
}

export function dpkgPurge(root: string, name: string): string {
  return dpkg(root, ['--purge', name]);
}

/** `dpkg-query --show` in the root: "<package> <version>" lines, or "" when nothing is installed. */
export function dpkgInstalled(root: string): string {
  const format = '--showformat=${Package} ${Version} ${db:Status-Abbrev}\n';
  return execFileSync('dpkg-query', [`--root=${root}`, '--show', format], {
    encoding: 'utf8',
  }).trim();
}
