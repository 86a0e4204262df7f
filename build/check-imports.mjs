// The import graph's rules, checked in `npm test` (no dependency: a regex reader of our own
// sources is enough because every import in this codebase is a static relative specifier):
// - no import cycle anywhere in electron/, shared/ and renderer/ (type-only imports count:
//   a type that climbs back up a layer is the same tangle as a value that does);
// - the faces (electron/cli, electron/host, electron/desktop, electron/*.ts) import the engine
//   only through its public entries: electron/engine/index.ts, and electron/engine/start-up.ts
//   (the little a face runs before it loads the engine);
// - inside the engine, only the entry (index.ts, engine.ts) and handlers/ may import
//   engine.ts or handlers/: a request walks down, never back up;
// - shared/ imports nothing outside shared/; renderer/ imports nothing from electron/.
// Prints every violation and exits 1 when there is one.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_ROOTS = ['electron', 'shared', 'renderer'];
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.mjs'];

function listSources(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...listSources(path));
    else if (EXTENSIONS.some((ext) => name.endsWith(ext)) && !name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

const IMPORT_PATTERNS = [
  /(?:^|\n)\s*import\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/g,
  /(?:^|\n)\s*export\s+(type\s+)?(?:\*|\{[^}]*\})\s*(?:as\s+\w+\s+)?from\s+['"]([^'"]+)['"]/g,
  /\bimport\(\s*()['"]([^'"]+)['"]\s*\)/g,
];

/** The imports of one file (type-only ones included), as project-relative paths. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const targets = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const specifier = match[2];
      if (!specifier.startsWith('.')) continue;
      targets.push(relative(root, resolve(dirname(file), specifier)).split(sep).join('/'));
    }
  }
  return targets;
}

const files = SOURCE_ROOTS.flatMap((dir) => listSources(join(root, dir))).map((file) => relative(root, file).split(sep).join('/'));
const known = new Set(files);
const graph = new Map(files.map((file) => [file, importsOf(join(root, file)).filter((target) => known.has(target))]));

const violations = [];
const isFace = (file) => /^electron\/(cli|host|desktop)\//.test(file) || /^electron\/[^/]+\.(ts|mjs)$/.test(file);
const isEngine = (file) => file.startsWith('electron/engine/');
const isEngineTop = (file) => file === 'electron/engine/index.ts' || file === 'electron/engine/engine.ts';
const ENGINE_ENTRIES = new Set(['electron/engine/index.ts', 'electron/engine/start-up.ts']);
for (const [file, targets] of graph) {
  for (const target of targets) {
    if (isFace(file) && isEngine(target) && !ENGINE_ENTRIES.has(target)) {
      violations.push(`${file} imports ${target}: faces use the engine's public entries electron/engine/index.ts and start-up.ts`);
    }
    if (isEngine(file) && !isEngineTop(file) && !file.startsWith('electron/engine/handlers/')
      && (target === 'electron/engine/engine.ts' || target.startsWith('electron/engine/handlers/'))) {
      violations.push(`${file} imports ${target}: lower engine layers never import the facade or handlers`);
    }
    if (file.startsWith('shared/') && !target.startsWith('shared/')) violations.push(`${file} imports ${target}: shared/ stands alone`);
    if (file.startsWith('renderer/') && target.startsWith('electron/')) violations.push(`${file} imports ${target}: the renderer uses the contract`);
  }
}

// Tarjan's strongly connected components: every component of more than one file is a cycle.
let counter = 0;
const index = new Map();
const low = new Map();
const onStack = new Set();
const stack = [];
const cycles = [];
function connect(file) {
  index.set(file, counter);
  low.set(file, counter);
  counter += 1;
  stack.push(file);
  onStack.add(file);
  for (const target of graph.get(file) ?? []) {
    if (!index.has(target)) {
      connect(target);
      low.set(file, Math.min(low.get(file), low.get(target)));
    } else if (onStack.has(target)) {
      low.set(file, Math.min(low.get(file), index.get(target)));
    }
  }
  if (low.get(file) === index.get(file)) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) cycles.push(component.sort());
  }
}
for (const file of files) if (!index.has(file)) connect(file);
for (const cycle of cycles) violations.push(`import cycle through ${cycle.length} files: ${cycle.join(', ')}`);

if (violations.length > 0) {
  for (const violation of violations) console.log(`check-imports: ${violation}`);
  console.log(`check-imports: ${violations.length} violation(s) in ${files.length} files`);
  process.exit(1);
}
console.log(`check-imports: ${files.length} files, no import cycle, layers respected`);
