// Assembles one installation prefix of the server package (see package-layout.mjs): the
// launcher, the Node runtime, a trimmed package.json (the CLI reads its name and version),
// the CLI bundle and the renderer from out/, the runtime npm packages, the desktop files
// and the licence texts. Modes are normalised (0755 for folders and executables, else 0644).
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeDesktopFiles } from './desktop-files.mjs';
import { writeLicenceTexts } from './licence-texts.mjs';
import { LAYOUT } from './package-layout.mjs';
import { readManifest } from './package-tree.mjs';
import { copyRuntimeModules } from './runtime-modules.mjs';

const LAUNCHER_SOURCE = new URL('./labvault-launcher.sh', import.meta.url);

function copyInto(source, prefixDir, relativePath, mode) {
  const target = join(prefixDir, relativePath);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
  if (mode !== undefined) chmodSync(target, mode);
}

function normaliseModes(dir) {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) normaliseModes(path);
    else if (entry.isFile()) chmodSync(path, statSync(path).mode & 0o111 ? 0o755 : 0o644);
  }
}

function trimmedManifest(root) {
  const { name, version, description, license, type } = readManifest(root);
  return `${JSON.stringify({ name, version, description, license, type, private: true }, null, 2)}\n`;
}

/**
 * Writes the prefix tree into `prefixDir` (which must not exist). `launcher`: the absolute
 * installed path of bin/labvault, or null when unknown (tarball). Returns what was bundled.
 */
export function stageTree(root, prefixDir, runtime, launcher) {
  const out = join(root, 'out');
  const cliBundle = join(out, 'cli', 'labvault.mjs');
  const guestWorker = join(out, 'cli', 'guest-worker.mjs');
  for (const needed of [cliBundle, guestWorker, join(out, 'renderer', 'index.html')]) {
    if (!existsSync(needed)) throw new Error(`${needed} is missing: run npm run build first`);
  }
  mkdirSync(prefixDir, { recursive: true });
  copyInto(LAUNCHER_SOURCE, prefixDir, LAYOUT.launcher, 0o755);
  copyInto(runtime.binary, prefixDir, LAYOUT.node, 0o755);
  writeFileSync(join(prefixDir, LAYOUT.app, 'package.json'), trimmedManifest(root));
  copyInto(cliBundle, prefixDir, LAYOUT.cli);
  copyInto(guestWorker, prefixDir, LAYOUT.guestWorker);
  cpSync(join(out, 'renderer'), join(prefixDir, LAYOUT.renderer), { recursive: true });
  const modules = copyRuntimeModules(root, cliBundle, join(prefixDir, LAYOUT.modules));
  writeDesktopFiles(prefixDir, launcher);
  const licences = writeLicenceTexts(root, join(prefixDir, LAYOUT.doc), join(prefixDir, LAYOUT.licences), runtime);
  normaliseModes(prefixDir);
  return { modules, licences };
}
