// `npm run electronegativity`: Doyensec's Electronegativity over electron/ (main, preload,
// ipc, desktop/, and the engine, CLI and host, which import no electron). Offline: the
// check that downloads Electron's release list is left out. Fails on any HIGH or MEDIUM
// finding and on any file it could not parse; lower findings are listed for review.
// Writes out/electronegativity.csv.
//
// Reviewed and accepted (LOW, manual review): CSP_GLOBAL_CHECK "script-src 'self' can be
// problematic if you host JSONP, Angular or user uploaded files": 'self' is app://labvault,
// which serves only the built renderer (electron/desktop/renderer-files.ts).
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const input = join(root, 'electron');
const output = join(root, 'out', 'electronegativity.csv');
const FAILING = new Set(['HIGH', 'MEDIUM']);
/** Needs the network (GitHub's Electron releases); the version check is npm's job. */
const ONLINE_CHECKS = ['availablesecurityfixesglobalcheck'];

function electronVersion() {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  } catch {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const range = pkg.optionalDependencies?.electron ?? pkg.dependencies?.electron ?? pkg.devDependencies?.electron ?? '';
    return range.replace(/^[^\d]*/, '') || undefined;
  }
}

const run = require('@doyensec/electronegativity');
mkdirSync(dirname(output), { recursive: true });
// Electronegativity logs progress noise through console.log; keep ours readable.
const quiet = console.log;
console.log = () => undefined;
let result;
try {
  result = await run({
    input,
    output,
    isSarif: false,
    customScan: [],
    excludeFromScan: ONLINE_CHECKS,
    severitySet: 'informational',
    confidenceSet: 'tentative',
    isRelative: true,
    electronUpgrade: undefined,
    electronVersionOverride: electronVersion(),
    parserPlugins: [],
  });
} finally {
  console.log = quiet;
}

const parseErrors = result.errors.filter((error) => !error.tolerable);
for (const error of result.errors) console.log(`electronegativity: ${error.tolerable ? 'warning' : 'ERROR'} parsing ${error.file}: ${error.message}`);
const issues = result.issues.map((issue) => ({
  id: issue.id,
  severity: issue.severity.name,
  confidence: issue.confidence.name,
  where: `${issue.file}:${issue.location.line}:${issue.location.column}`,
  review: Boolean(issue.manualReview),
  sample: String(issue.sample ?? '').trim().slice(0, 140),
}));
const failing = issues.filter((issue) => FAILING.has(issue.severity));
console.log(`electronegativity: ${result.atomicChecks} atomic + ${result.globalChecks} global checks on ${input} (Electron ${electronVersion() ?? 'unknown'})`);
for (const issue of issues) {
  console.log(`  ${FAILING.has(issue.severity) ? 'FAIL' : 'note'} ${issue.severity}/${issue.confidence}${issue.review ? ' (review)' : ''} ${issue.id} at ${issue.where}`);
  if (issue.sample) console.log(`       ${issue.sample}`);
}
console.log(`electronegativity: ${issues.length} finding(s), ${failing.length} HIGH or MEDIUM, ${parseErrors.length} parse error(s); CSV: ${output}`);
if (failing.length > 0 || parseErrors.length > 0) process.exit(1);
