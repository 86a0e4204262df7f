// Reads the installed npm dependency tree: where a package a module requires is installed
// (Node's lookup: the nearest node_modules upwards) and the closure of its dependencies.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export function readManifest(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

/** The folder of package `name` as `fromDir` would load it, or null; never above `root`. */
export function resolvePackage(root, fromDir, name) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || relative(root, dir).startsWith('..')) return null;
  }
}

/**
 * Every package reachable from `names` (required from `fromDir`) through "dependencies"
 * and installed "optionalDependencies": [{ name, version, license, dir }], in visit order.
 * Throws when a required dependency is not installed.
 */
export function dependencyClosure(root, fromDir, names) {
  const found = new Map();
  const visit = (from, name, optional) => {
    const dir = resolvePackage(root, from, name);
    if (dir === null) {
      if (optional) return;
      throw new Error(`${name} (needed by ${relative(root, from) || 'package.json'}) is not installed: run npm ci`);
    }
    if (found.has(dir)) return;
    const manifest = readManifest(dir);
    found.set(dir, { name, version: manifest.version, license: manifest.license ?? 'UNKNOWN', dir });
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dir, dep, false);
    for (const dep of Object.keys(manifest.optionalDependencies ?? {})) visit(dir, dep, true);
  };
  for (const name of names) visit(fromDir, name, false);
  return [...found.values()];
}

/** Path of an installed package's folder below node_modules, e.g. "ws" or "a/node_modules/b". */
export function modulePath(root, dir) {
  return relative(join(root, 'node_modules'), dir).split(sep).join('/');
}
