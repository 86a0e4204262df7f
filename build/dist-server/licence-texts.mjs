// The licence texts shipped in share/doc/labvault: Node.js's own LICENSE (which covers the
// libraries built into the runtime) and one file per package of Labvault's production
// dependency tree (package.json "dependencies", walked through node_modules). That tree
// holds every package in lib/labvault/node_modules and every one bundled into out/ (the
// renderer inlines react, react-dom, scheduler, zustand, zod). Also writes `copyright`,
// the index Debian expects in /usr/share/doc/<package>/.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dependencyClosure, readManifest } from './package-tree.mjs';

const LICENCE_FILE = /^(licen[cs]e|copying)(\.(md|txt))?$/i;

function licenceFileOf(dir) {
  return readdirSync(dir).find((name) => LICENCE_FILE.test(name)) ?? null;
}

function safeFileName(name) {
  return name.replace(/^@/, '').replace(/\//g, '__');
}

/** Writes the texts into `docDir`/licences and the index `docDir`/copyright; returns the entries. */
export function writeLicenceTexts(root, docDir, licencesDir, runtime) {
  mkdirSync(licencesDir, { recursive: true });
  const manifest = readManifest(root);
  const entries = [];
  copyFileSync(runtime.licence, join(licencesDir, 'node.txt'));
  entries.push({ name: 'node', version: runtime.version, license: 'MIT and others (see the file)', file: 'node.txt' });
  const production = dependencyClosure(root, root, Object.keys(manifest.dependencies ?? {}));
  for (const pkg of production.sort((a, b) => a.name.localeCompare(b.name))) {
    const source = licenceFileOf(pkg.dir);
    if (source === null) {
      throw new Error(`${pkg.name}@${pkg.version} ships no LICENSE file: add its licence text by hand`);
    }
    const file = `${safeFileName(pkg.name)}.txt`;
    copyFileSync(join(pkg.dir, source), join(licencesDir, file));
    entries.push({ name: pkg.name, version: pkg.version, license: pkg.license, file });
  }
  const index = [
    `Labvault ${manifest.version}: licence ${manifest.license} (package.json).`,
    '',
    'Third-party software in this package; each licence text is in licences/:',
    ...entries.map((entry) => `  ${entry.name} ${entry.version}  ${entry.license}  licences/${entry.file}`),
    '',
  ];
  writeFileSync(join(docDir, 'copyright'), index.join('\n'));
  return entries;
}
