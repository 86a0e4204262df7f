/**
 * A vault folder is untrusted input (issue 10), paths: each test makes a real vault through
 * the CLI, edits its files as an attacker would (a manifest's extra.snapshotDir, a catalog
 * row, an item record's id, vault.json's id, a symlink under snapshots/), then runs the
 * normal commands. Nothing outside the vault and the app's folder may change (a hashed
 * sentinel tree), and every refusal names the file or the rule.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { VaultStore, type Manifest, type StoreSettings } from '../../../electron/engine/vault/store/index.ts';
import { existingPointSnapshot, makePointSnapshotDir, removeOrphanSnapshots, removePointSnapshot, snapshotAreas } from '../../../electron/engine/backup/snapshot-area.ts';
import { LabvaultError } from '../../../shared/errors.ts';
import { deterministicBytes, makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { runLabvault, type CliRun } from '../../support/run-cli.ts';

const PASSPHRASE = 'correct horse battery staple 10';
const PAST = '2020-01-01T00:00:00.000Z';

let root: string;
let precious: string;
let homeA: string;
let homeB: string;
let vaultDir: string;
let vmDisk: string;

beforeEach(() => {
  root = makeTempDir('labvault-paths-');
  homeA = join(root, 'home-a');
  homeB = join(root, 'home-b');
  vaultDir = join(root, 'vault');
  mkdirSync(join(root, 'vm'));
  vmDisk = join(root, 'vm', 'disk.img');
  writeFileSync(vmDisk, deterministicBytes(1024 * 1024, 7));
  // What an attacker would like removed or rewritten: files, folders named like point ids, a SQLite file.
  precious = join(root, 'precious');
  mkdirSync(join(precious, 'clones', 'sub'), { recursive: true });
  writeFileSync(join(precious, 'clones', 'disk.img'), 'keep me');
  writeFileSync(join(precious, 'clones', 'sub', 'notes.txt'), 'keep me too');
  mkdirSync(join(precious, 'victim', '20200101T000000.000Z-abcdef'), { recursive: true });
  writeFileSync(join(precious, 'victim', '20200101T000000.000Z-abcdef', 'disk.img'), 'old clone lookalike');
  mkdirSync(join(precious, 'victim', 'documents'));
  writeFileSync(join(precious, 'victim', 'documents', 'thesis.tex'), 'years of work');
  writeFileSync(join(precious, 'victim', 'id_ed25519'), 'secret key');
});

afterEach(() => removeDir(root));

/** Every entry under `dir` (not following links) with its type, mode and content hash; `skip` folders left out. */
function hashTree(dir: string, skip: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (path: string): void => {
    if (skip.includes(path)) return;
    const info = lstatSync(path);
    const mode = (info.mode & 0o7777).toString(8);
    if (info.isSymbolicLink()) out.set(path, `link ${readlinkSync(path)}`);
    else if (info.isFile()) out.set(path, `file ${mode} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
    else if (info.isDirectory()) {
      out.set(path, `dir ${mode}`);
      for (const name of readdirSync(path)) walk(join(path, name));
    } else out.set(path, `other ${mode}`);
  };
  walk(dir);
  return out;
}

/** The state of everything outside the vault and the two app folders. */
function outside(): Map<string, string> {
  return hashTree(root, [vaultDir, homeA, homeB]);
}

function cli(home: string, args: string[], env: Record<string, string> = {}): CliRun {
  return runLabvault(args, { LABVAULT_HOME: home, ...env });
}

function ok(run: CliRun, what: string): CliRun {
  expect(run.code, `${what}: ${run.stderr}`).toBe(0);
  return run;
}

/** A real vault with one protected VM and one point, made through the CLI in home A. */
function makeVault(options: { encrypted?: boolean } = {}): { itemId: string; pointId: string; env: Record<string, string> } {
  const env: Record<string, string> = options.encrypted ? { LABVAULT_PASSPHRASE: PASSPHRASE } : {};
  ok(cli(homeA, ['vault', 'create', '--name', 'lab', '--path', vaultDir, ...(options.encrypted ? ['--encrypt'] : []), '--json'], env), 'vault create');
  ok(cli(homeA, ['protect', '--vault', 'lab', '--name', 'vm1', vmDisk, '--json'], env), 'protect');
  const job = ok(cli(homeA, ['backup', 'vm1', '--json'], env), 'backup').json<{ status: string; pointId: string }>();
  expect(job.status).toBe('completed');
  const item = ok(cli(homeA, ['item', 'show', 'vm1', '--json'], env), 'item show').json<{ id: string }>();
  return { itemId: item.id, pointId: job.pointId, env };
}

function storeSettings(): StoreSettings {
  return (JSON.parse(readFileSync(join(vaultDir, 'vault.json'), 'utf8')) as { store: StoreSettings }).store;
}

/** Rewrites a (plain) manifest the way an attacker with the code would: chmod, remove, write a new one. */
async function rewriteManifest(itemId: string, pointId: string, edit: (manifest: Manifest) => Manifest): Promise<void> {
  const store = await VaultStore.open(vaultDir, storeSettings());
  const manifest = await store.readManifest(itemId, pointId);
  const file = join(vaultDir, 'data', 'manifests', itemId, pointId);
  chmodSync(file, 0o644);
  rmSync(file);
  const writer = await store.beginWrite('attacker');
  try {
    const { formatVersion: _version, ...input } = edit(manifest);
    await store.commitPoint(input);
  } finally {
    await writer.release();
  }
}

function expectRefusal(run: CliRun, pattern: RegExp): void {
  expect(run.code, `expected a refusal, got: ${run.stdout}`).not.toBe(0);
  expect(`${run.stderr}${run.stdout}`).toMatch(pattern);
}

describe('snapshot folders are derived from ids, never read from vault files', () => {
  it("a manifest's extra.snapshotDir naming an outside folder is never removed (open, list, prune, delete)", async () => {
    const { itemId, pointId } = makeVault();
    const target = join(precious, 'clones');
    await rewriteManifest(itemId, pointId, (manifest) => ({ ...manifest, extra: { ...manifest.extra, snapshotDir: target, snapshotUntil: PAST } }));
    for (const name of readdirSync(vaultDir).filter((entry) => entry.startsWith('catalog.sqlite'))) rmSync(join(vaultDir, name));
    const before = outside();

    // The vault arrives on another machine: its catalog is built from the crafted manifest.
    ok(cli(homeB, ['vault', 'open', vaultDir, '--json']), 'vault open');
    const points = ok(cli(homeB, ['points', 'list', 'vm1', '--json']), 'points list').json<Array<{ id: string; tiers: string[] }>>();
    ok(cli(homeB, ['prune', '--vault', 'lab', '--json']), 'prune');
    ok(cli(homeB, ['points', 'delete', 'vm1', '--point', pointId, '--json']), 'points delete');
    expect(outside()).toEqual(before);
    expect(existsSync(join(target, 'sub', 'notes.txt'))).toBe(true);
    // The outside folder did not count as the point's snapshot tier either.
    expect(points.find((point) => point.id === pointId)?.tiers).toEqual(['vault']);
  });

  it("a catalog row's snapshotDir naming an outside folder is never removed (prune, points delete, stop --delete-data)", () => {
    const { pointId } = makeVault();
    const db = new Database(join(vaultDir, 'catalog.sqlite'));
    const row = db.prepare('SELECT body FROM points WHERE id = ?').get(pointId) as { body: string };
    const body = { ...(JSON.parse(row.body) as Record<string, unknown>), snapshotDir: join(precious, 'clones'), snapshotUntil: PAST, tiers: ['snapshot', 'vault'] };
    db.prepare('UPDATE points SET body = ? WHERE id = ?').run(JSON.stringify(body), pointId);
    db.close();
    const before = outside();

    const listed = ok(cli(homeA, ['points', 'list', 'vm1', '--json']), 'points list').json<Array<{ id: string; tiers: string[] }>>();
    ok(cli(homeA, ['prune', '--vault', 'lab', '--json']), 'prune');
    expect(outside()).toEqual(before);
    expect(listed.find((point) => point.id === pointId)?.tiers).toEqual(['vault']);
    ok(cli(homeA, ['points', 'delete', 'vm1', '--point', pointId, '--json']), 'points delete');
    expect(outside()).toEqual(before);
    // A second point whose row names the folder too, removed by stop --delete-data.
    const second = ok(cli(homeA, ['backup', 'vm1', '--json']), 'backup').json<{ pointId: string }>().pointId;
    const again = new Database(join(vaultDir, 'catalog.sqlite'));
    const secondRow = again.prepare('SELECT body FROM points WHERE id = ?').get(second) as { body: string };
    again.prepare('UPDATE points SET body = ? WHERE id = ?')
      .run(JSON.stringify({ ...(JSON.parse(secondRow.body) as Record<string, unknown>), snapshotDir: join(precious, 'victim') }), second);
    again.close();
    const beforeStop = outside();
    ok(cli(homeA, ['protection', 'stop', 'vm1', '--delete-data', '--confirm', 'vm1', '--json']), 'protection stop --delete-data');
    expect(outside()).toEqual(beforeStop);
  });

  it("an item record whose id holds '../' is refused before the backup's orphan cleanup lists or removes anything", () => {
    const { itemId } = makeVault();
    const records = join(vaultDir, 'data', 'records', 'items');
    const original = JSON.parse(readFileSync(join(records, `${itemId}.json`), 'utf8')) as Record<string, unknown>;
    // snapshots/<id> and <vm folder>/.labvault-snapshots/<id> both lead into the victim folder.
    const evilId = relative(join(vaultDir, 'snapshots'), join(precious, 'victim'));
    expect(evilId.startsWith('..')).toBe(true);
    const evilFile = join(records, `${randomUUID()}.json`);
    writeFileSync(evilFile, JSON.stringify({ ...original, id: evilId, name: 'evil' }, null, 2));
    const before = outside();

    const rebuilt = cli(homeA, ['vault', 'rebuild-catalog', 'lab', '--json']);
    if (rebuilt.code !== 0) {
      // Refused where the record is read: the message names the record file.
      expectRefusal(rebuilt, /CORRUPT/);
      expect(`${rebuilt.stderr}${rebuilt.stdout}`).toContain(records);
    } else {
      cli(homeA, ['item', 'confirm', 'evil', '--json']);
      const backup = cli(homeA, ['backup', 'evil', '--json']);
      expect(backup.code).not.toBe(0);
      expect(`${backup.stderr}${backup.stdout}`).toMatch(/not a UUID|needs confirmation|confirm/);
    }
    expect(outside()).toEqual(before);
  });

  it('the orphan cleanup refuses an item id with ../ before any readdir or rm (engine level)', async () => {
    const evilId = relative(join(vaultDir, 'snapshots'), join(precious, 'victim'));
    mkdirSync(join(vaultDir, 'snapshots'), { recursive: true });
    const before = outside();
    const refused = await removeOrphanSnapshots(vaultDir, evilId, [{ path: vmDisk }], new Set()).then(() => null, (error: unknown) => error);
    expect(refused).toBeInstanceOf(LabvaultError);
    expect((refused as LabvaultError).code).toBe('CORRUPT');
    expect((refused as LabvaultError).message).toMatch(/not a valid item id/);
    expect(() => snapshotAreas(vaultDir, '..', [])).toThrow(/not a valid item id/);
    await expect(removePointSnapshot(vaultDir, randomUUID(), '../../victim', [])).rejects.toThrow(/not a valid point id/);
    expect(outside()).toEqual(before);
  });
});

describe('symbolic links planted in snapshot areas', () => {
  it('a link at <vault>/snapshots/<itemId> makes open, backup, prune and points delete refuse, naming it', () => {
    const { itemId, pointId } = makeVault();
    mkdirSync(join(vaultDir, 'snapshots'), { recursive: true });
    const link = join(vaultDir, 'snapshots', itemId);
    symlinkSync(join(precious, 'victim'), link);
    mkdirSync(join(precious, 'victim', pointId));
    writeFileSync(join(precious, 'victim', pointId, 'disk.img'), 'a folder named like the point');
    const before = outside();

    for (const args of [['backup', 'vm1', '--json'], ['prune', '--vault', 'lab', '--json'], ['points', 'delete', 'vm1', '--point', pointId, '--json']]) {
      const run = cli(homeA, args);
      expectRefusal(run, /CORRUPT/);
      expect(`${run.stderr}${run.stdout}`).toContain(link);
      expect(`${run.stderr}${run.stdout}`).toMatch(/symbolic link/);
    }
    expectRefusal(cli(homeB, ['vault', 'open', vaultDir, '--json']), /symbolic link/);
    expect(outside()).toEqual(before);
  });

  it('snapshot-area never reads, writes or removes through a link, in the vault or beside the VM (engine level)', async () => {
    const itemId = randomUUID();
    const pointId = '20200101T000000.000Z-abcdef';
    const files = [{ path: vmDisk }];
    mkdirSync(join(vaultDir, 'snapshots'), { recursive: true });
    symlinkSync(join(precious, 'victim'), join(vaultDir, 'snapshots', itemId));
    mkdirSync(join(root, 'vm', '.labvault-snapshots'));
    symlinkSync(join(precious, 'victim'), join(root, 'vm', '.labvault-snapshots', itemId));
    const before = outside();
    // (the link beside the VM is itself outside the vault: it is part of the state that must not change)

    expect(existingPointSnapshot(vaultDir, itemId, pointId, files)).toBeNull();
    await expect(removePointSnapshot(vaultDir, itemId, pointId, files)).rejects.toThrow(/is a symbolic link/);
    await expect(removeOrphanSnapshots(vaultDir, itemId, files, new Set())).rejects.toThrow(/is a symbolic link/);
    for (const area of snapshotAreas(vaultDir, itemId, files)) {
      await expect(makePointSnapshotDir(area, '20261125T163300.123Z-a1b2c3')).rejects.toThrow(/is a symbolic link/);
    }
    // A link higher up: the vault's snapshots folder itself.
    rmSync(join(vaultDir, 'snapshots'), { recursive: true });
    symlinkSync(precious, join(vaultDir, 'snapshots'));
    await expect(removePointSnapshot(vaultDir, itemId, pointId, [])).rejects.toThrow(/snapshots is a symbolic link/);
    expect(outside()).toEqual(before);
  });
});

describe('catalog path of an encrypted vault', () => {
  it("vault.json id with '../' is CORRUPT naming vault.json: no SQLite file outside <appHome>/catalogs is made, changed or removed", () => {
    const { env } = makeVault({ encrypted: true });
    const other = join(precious, 'other.sqlite');
    const db = new Database(other);
    db.exec("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('another program''s data');");
    db.close();
    const configFile = join(vaultDir, 'vault.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as { id: string };
    // <home-b>/catalogs/<id>.sqlite would be precious/other.sqlite.
    config.id = relative(join(homeB, 'catalogs'), join(precious, 'other'));
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const before = outside();

    const opened = cli(homeB, ['vault', 'open', vaultDir, '--json'], env);
    expectRefusal(opened, /CORRUPT/);
    expect(`${opened.stderr}${opened.stdout}`).toContain(configFile);
    // The machine that made the vault: every command refuses; delete removes no SQLite file elsewhere.
    expectRefusal(cli(homeA, ['points', 'list', 'vm1', '--json'], env), /vault\.json/);
    cli(homeA, ['vault', 'delete', 'lab', '--yes', '--json'], env);
    expect(outside()).toEqual(before);
    const sqliteOutsideCatalogs = [homeA, homeB].flatMap((home) => (existsSync(home) ? readdirSync(home, { recursive: true }) as string[] : [])
      .filter((name) => name.includes('.sqlite') && !name.startsWith('catalogs/')));
    expect(sqliteOutsideCatalogs).toEqual([]);
  });
});
