// The npm packages the CLI bundle loads at run time (those esbuild leaves external:
// CLI_EXTERNAL_PACKAGES in build/bundles.mjs), with their dependencies, copied without what never runs: type
// declarations, source maps, TypeScript sources and better-sqlite3's C sources and the
// prebuilds of other platforms.
import { builtinModules } from 'node:module';
import { cpSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { dependencyClosure, modulePath } from './package-tree.mjs';

/** Packages needed only to compile a native module; the prebuilds we ship need none. */
const BUILD_ONLY = new Map([['node-addon-api', 'C++ headers for compiling better-sqlite3']]);

/** Per package: the top-level entries kept (all others dropped), or the ones dropped. */
const PRUNE = new Map([
  ['better-sqlite3', { keep: ['package.json', 'LICENSE', 'README.md', 'lib', 'prebuilds/linux-x64.node'] }],
  // The TypeScript sources, used only under the "@zod/source" export condition.
  ['zod', { drop: ['src'] }],
]);
const DROPPED_FILES = /\.(d\.ts|d\.cts|d\.mts|map)$/;

const IMPORT_PATTERNS = [
  /^\s*import\s[^;]*?\sfrom\s*["']([^"'.][^"']*)["']/gm,
  /^\s*import\s*["']([^"'.][^"']*)["']/gm,
  /\bimport\(\s*["']([^"'.][^"']*)["']\s*\)/g,
];

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The npm packages a bundle imports (not node: builtins), sorted. */
export function bundleImports(bundleFile) {
  const text = readFileSync(bundleFile, 'utf8');
  const builtins = new Set(builtinModules);
  const names = new Set();
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const specifier = match[1];
      if (specifier.startsWith('node:') || builtins.has(specifier) || builtins.has(packageName(specifier))) continue;
      names.add(packageName(specifier));
    }
  }
  return [...names].sort();
}

function keepFilter(pkg) {
  const rule = PRUNE.get(pkg.name) ?? {};
  return (source) => {
    const inside = relative(pkg.dir, source).split(sep).join('/');
    if (inside === '') return true;
    if (DROPPED_FILES.test(inside)) return false;
    if (rule.drop?.some((entry) => inside === entry || inside.startsWith(`${entry}/`))) return false;
    if (!rule.keep) return true;
    // A kept entry, something inside one, or a folder on the way to one.
    return rule.keep.some((entry) => inside === entry || inside.startsWith(`${entry}/`)
      || entry.startsWith(`${inside}/`));
  };
}

/**
 * Copies what `bundleFile` needs into `targetModules` (a node_modules folder).
 * Returns { shipped: [{ name, version, license, path }], skipped: [{ name, reason }] }.
 */
export function copyRuntimeModules(root, bundleFile, targetModules) {
  const imports = bundleImports(bundleFile);
  const shipped = [];
  const skipped = [];
  for (const pkg of dependencyClosure(root, root, imports)) {
    if (BUILD_ONLY.has(pkg.name)) {
      skipped.push({ name: pkg.name, reason: BUILD_ONLY.get(pkg.name) });
      continue;
    }
    const path = modulePath(root, pkg.dir);
    cpSync(pkg.dir, join(targetModules, path), { recursive: true, filter: keepFilter(pkg), dereference: true });
    shipped.push({ name: pkg.name, version: pkg.version, license: pkg.license, path });
  }
  return { imports, shipped, skipped };
}
