/**
 * Builds the renderer when out/renderer is missing or older than its sources, so a plain
 * `playwright test` never runs against a stale UI. (`npm test` builds first anyway.)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export default function globalSetup(): void {
  const built = join(repo, 'out', 'renderer', 'index.html');
  const sourcesChanged = !existsSync(built) || statSync(built).mtimeMs < Math.max(newestMtime(join(repo, 'renderer')), newestMtime(join(repo, 'shared')));
  if (!sourcesChanged) return;
  execFileSync(process.execPath, [join(repo, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '-c', 'build/vite.config.ts', '--logLevel', 'warn'], { cwd: repo, stdio: 'inherit' });
}
