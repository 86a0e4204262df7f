// `npm run build`: everything the app, the CLI and the browser host run from, into out/.
//   out/renderer/             vite build of renderer/ (build/vite.config.ts)
//   out/main/main.js          Electron main process (ESM, Node 22+, deps left to node_modules)
//   out/preload/preload.cjs   the sandboxed preload (CommonJS, self-contained but for electron)
//   out/cli/labvault.mjs      the installable `labvault` command (electron/cli/bin.mjs runs it)
//   out/{main,cli}/guest-worker.mjs  the guest reader worker thread beside each bundle that starts it
//   out/icons/                app and tray icons, drawn here (build/icons.mjs)
// Flags: --no-renderer skips the vite build. Exits 1 when any part fails, after trying all.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { cliBundle, guestWorkerBundle, mainBundle, preloadBundle } from './bundles.mjs';
import { writeIcons } from './icons.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'out');
const args = new Set(process.argv.slice(2));
const viteConfig = join(root, 'build', 'vite.config.ts');

const results = [];
const failures = [];

async function step(name, run) {
  const started = performance.now();
  try {
    const outputs = await run();
    results.push({ name, ms: performance.now() - started, outputs: outputs ?? [] });
  } catch (error) {
    failures.push(name);
    console.error(`build: ${name} FAILED: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function size(file) {
  const bytes = statSync(file).size;
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

await step('renderer (vite)', async () => {
  if (args.has('--no-renderer')) {
    console.log('build: renderer skipped (--no-renderer)');
    return [];
  }
  if (!existsSync(viteConfig)) {
    console.log('build: build/vite.config.ts does not exist yet: renderer skipped');
    return [];
  }
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: viteConfig, logLevel: 'warn', mode: 'production' });
  return [join(out, 'renderer', 'index.html')];
});

const bundles = [['main process', mainBundle(root)], ['preload', preloadBundle(root)], ['labvault CLI', cliBundle(root)],
  ['guest worker (main)', guestWorkerBundle(root, 'main')], ['guest worker (CLI)', guestWorkerBundle(root, 'cli')]];
for (const [name, options] of bundles) {
  await step(`${name} (esbuild)`, async () => {
    await esbuild(options);
    return [options.outfile];
  });
}

await step('icons', async () => {
  const iconsDir = join(out, 'icons');
  const drawnAt = statSync(join(root, 'build', 'icons.mjs')).mtimeMs;
  const existing = ['icon.png', 'tray.png', 'trayTemplate.png'].map((name) => statSync(join(iconsDir, name), { throwIfNoEntry: false }));
  if (existing.every((info) => info && info.mtimeMs >= drawnAt)) return ['(up to date)'];
  return writeIcons(iconsDir);
});

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
console.log(`build: labvault ${pkg.version}`);
for (const result of results) {
  const files = result.outputs.map((file) => (existsSync(file) ? `${relative(root, file)} (${size(file)})` : file));
  console.log(`  ${result.name.padEnd(24)} ${String(Math.round(result.ms)).padStart(5)} ms  ${files.join(', ') || '-'}`);
}
if (failures.length > 0) {
  console.error(`build: FAILED: ${failures.join(', ')}`);
  process.exit(1);
}
