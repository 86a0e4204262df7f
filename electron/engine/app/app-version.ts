/**
 * The application's version, as the project's package.json gives it (app.info, `labvault --version`).
 * package.json is looked for upwards from this module: the sources (electron/engine/app/) and the
 * bundles (out/cli/, out/main/) sit at different depths below it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_LEVELS = 6;

export function appVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < MAX_LEVELS; level++) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) {
      const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'labvault' && typeof pkg.version === 'string') return pkg.version;
    }
    dir = dirname(dir);
  }
  throw new Error(`labvault's package.json was not found above ${fileURLToPath(import.meta.url)}.`);
}
