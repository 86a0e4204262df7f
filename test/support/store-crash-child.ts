/**
 * Child process for the vault store crash tests (killed with SIGKILL at random moments).
 *   node store-crash-child.ts backup <vaultDir> <sourceFile> <itemId> <pointId>
 *   node store-crash-child.ts gc <vaultDir>
 * Reads the store settings from <vaultDir>/vault.json ({ store: StoreSettings }); the
 * vault is unencrypted. A backup prints its progress on stdout, one line each (stdout is a
 * pipe, written synchronously, so the parent sees every line printed before a kill):
 * "writing", then "progress <bytesDone> <bytesTotal>" per read buffer while chunks are
 * written, "written" once the file's chunks and index are stored, "committed" at the end.
 * A GC prints "gc done" when it finished.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { VaultStore } from '../../electron/engine/vault/store/index.ts';
import type { StoreSettings } from '../../electron/engine/vault/store/index.ts';

const [op, vaultDir, ...rest] = process.argv.slice(2);
if (vaultDir === undefined) throw new Error('usage: store-crash-child.ts backup|gc <vaultDir> ...');
const settings = (JSON.parse(readFileSync(join(vaultDir, 'vault.json'), 'utf8')) as { store: StoreSettings }).store;
const store = await VaultStore.open(vaultDir, settings, undefined, { log: (line) => console.error(line) });

if (op === 'backup') {
  const [source, itemId, pointId] = rest as [string, string, string];
  const writer = await store.beginWrite(`crash test ${pointId}`);
  console.log('writing');
  const r = await store.backupFile({
    sourcePath: source,
    readBufferSize: settings.chunkSize * 4,
    onProgress: (progress) => console.log(`progress ${progress.bytesDone} ${progress.bytesTotal}`),
  });
  console.log('written');
  await store.commitPoint({
    itemId, pointId, createdAt: new Date().toISOString(),
    files: [{ path: basename(source), role: 'disk', size: r.bytesRead, mode: r.stat.mode, mtimeMs: r.stat.mtimeMs, indexId: r.indexId, digest: r.indexId, digestKind: 'chunk-list' }],
  });
  await writer.release();
  console.log('committed');
} else if (op === 'gc') {
  await store.gc({ waitMs: 5000 });
  console.log('gc done');
} else {
  throw new Error(`unknown operation ${String(op)}`);
}
