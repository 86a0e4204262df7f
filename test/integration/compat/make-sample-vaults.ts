/**
 * Writes the compat sample vaults (run once per format version, then commit them):
 *   node test/integration/compat/make-sample-vaults.ts
 * Produces test/integration/compat/format-v1/{plain,encrypted}/ without catalogs: the test
 * opens copies of them, so the catalog is rebuilt from the vault's own files.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../../electron/engine/engine.ts';
import { SAMPLE_PASSPHRASE, sampleFiles } from './sample-vault-content.ts';

const out = fileURLToPath(new URL('./format-v1/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'labvault-compat-'));
function writeVm(name: string): string[] {
  const vm = join(work, `vm-${name}`);
  mkdirSync(vm);
  return sampleFiles().map((file) => {
    const path = join(vm, file.name);
    writeFileSync(path, file.data);
    return path;
  });
}
const engine = new Engine({ face: 'cli', appHome: join(work, 'home') });
for (const [name, passphrase] of [['plain', undefined], ['encrypted', SAMPLE_PASSPHRASE]] as const) {
  const dir = join(work, name);
  await engine.handlers.vaults.create({ name: `compat-${name}`, path: dir, ...(passphrase ? { passphrase } : {}) });
  await engine.handlers.items.protect({ vault: `compat-${name}`, name: 'compat-vm', files: writeVm(name) });
  const running = await engine.backups.start(`compat-${name}/compat-vm`, { retainUntil: '2099-12-31' });
  const job = await running.done;
  if (job.status !== 'completed') throw new Error(`backup failed: ${JSON.stringify(job.error)}`);
  rmSync(join(out, name), { recursive: true, force: true });
  cpSync(dir, join(out, name), { recursive: true, filter: (source) => !/catalog\.sqlite|^data[/\\](locks|phase-locks|tmp)[/\\]/.test(relative(dir, source)) });
}
await engine.close();
rmSync(work, { recursive: true, force: true });
console.log(`Wrote ${out}`);
