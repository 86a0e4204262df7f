// `npm run typecheck:electron`: typechecks the desktop face (electron/main.ts, preload.ts,
// ipc.ts, electron/desktop/) against Electron's own electron.d.ts instead of the small
// ambient declaration electron/desktop/electron-api.d.ts that `npm run typecheck` uses.
// Electron's types come from node_modules/electron (installed where its binary could be
// downloaded) or from ELECTRON_TYPES=/path/to/electron.d.ts (e.g. an unpacked
// `npm pack electron@41`). Without either, it says so and exits 0.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const candidates = [process.env.ELECTRON_TYPES, join(root, 'node_modules', 'electron', 'electron.d.ts')].filter(Boolean);
const electronTypes = candidates.find((file) => existsSync(file));
if (!electronTypes) {
  console.log('typecheck:electron: Electron\'s types are not installed (node_modules/electron is absent): skipping. Set ELECTRON_TYPES=/path/to/electron.d.ts to check anyway.');
  process.exit(0);
}

const desktopDir = join(root, 'electron', 'desktop');
const files = [
  join(root, 'electron', 'main.ts'),
  join(root, 'electron', 'preload.ts'),
  join(root, 'electron', 'ipc.ts'),
  ...readdirSync(desktopDir).filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts')).map((name) => join(desktopDir, name)),
];
const tmpDir = join(root, '.tmp');
mkdirSync(tmpDir, { recursive: true });
const config = join(tmpDir, 'tsconfig.electron-types.json');
writeFileSync(config, JSON.stringify({
  extends: join(root, 'tsconfig.json'),
  compilerOptions: { paths: { electron: [resolve(electronTypes)] } },
  files: [resolve(electronTypes), ...files],
  include: [],
}, null, 2));
console.log(`typecheck:electron: checking ${files.length} files against ${electronTypes}`);
const result = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', config], { stdio: 'pipe', encoding: 'utf8' });
// Report only our files: the engine and shared code have their own owners and checks.
const ours = (line) => /^electron\/(main|preload|ipc)\.ts|^electron\/desktop\//.test(line.replace(`${root}/`, ''));
const lines = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.trim() !== '');
const mine = lines.filter(ours);
const others = lines.length - mine.length;
for (const line of mine) console.log(line);
if (others > 0) console.log(`typecheck:electron: ${others} diagnostic line(s) outside the desktop face are not shown (run npm run typecheck).`);
if (mine.length > 0) {
  console.log(`typecheck:electron: FAILED (${mine.length} error line(s) in the desktop face)`);
  process.exit(1);
}
console.log('typecheck:electron: the desktop face matches Electron\'s own types');
