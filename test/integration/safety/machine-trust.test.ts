/**
 * Machine-local trust (issue 10): a vault folder is untrusted input. Each test builds a
 * real vault through the CLI, edits its files as an attacker would, then runs the normal
 * commands in a subprocess:
 * - an item record naming another file on this machine is never read (backup, scheduler)
 *   until `labvault item confirm` on this machine; a record whose files change after
 *   confirmation needs confirmation again;
 * - a vault seen locked stays locked here whatever vault.json says later;
 * - binding a shorter policy (set-policy, resume --policy) on a locked vault is refused
 *   with the preview, and retention keeps every point until its stored expiry.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Engine } from '../../../electron/engine/engine.ts';
import { startSchedulerHost } from '../../../electron/engine/scheduling/scheduler-host.ts';
import { MACHINE_TRUST_FILE, MachineTrust } from '../../../electron/engine/app/machine-trust.ts';
import type { Item, Point } from '../../../shared/contract/item-models.ts';
import type { Vault } from '../../../shared/contract/models.ts';
import { LabvaultError } from '../../../shared/errors.ts';
import {
  effectiveImmutability, effectiveSoftDelete, immutabilityNote,
} from '../../../electron/engine/vault/immutability-state.ts';
import type { VaultSession } from '../../../electron/engine/vault/vault-session.ts';
import { deterministicBytes, makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { runLabvault, type CliRun } from '../../support/run-cli.ts';

let root: string;
const MiB = 1024 * 1024;
/** Each test runs a dozen CLI subprocesses; on a busy machine one takes several seconds. */
const CLI_TEST_MS = 480_000;

beforeEach(() => {
  root = makeTempDir('labvault-trust-');
});

afterEach(() => {
  removeDir(root);
});

function cli(home: string, ...args: string[]): CliRun {
  return runLabvault(args, { LABVAULT_HOME: home });
}

function ok(run: CliRun): CliRun {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  return run;
}

function refusedByRule(run: CliRun, message: RegExp): void {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(2);
  expect(run.stderr).toMatch(/RULE_VIOLATION/);
  expect(run.stderr).toMatch(message);
}

function writeDisk(name: string, seed: number, size = 2 * MiB): string {
  const path = join(root, name);
  const data = Buffer.alloc(size);
  deterministicBytes(MiB, seed).copy(data, 0);
  writeFileSync(path, data);
  return path;
}

function itemRecordPath(vaultDir: string, itemId: string): string {
  return join(vaultDir, 'data', 'records', 'items', `${itemId}.json`);
}

function editJson(path: string, change: (value: Record<string, unknown>) => void): void {
  const value = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  change(value);
  writeFileSync(path, JSON.stringify(value, null, 2));
}

/** Every regular file under dir whose bytes contain needle. */
function filesContaining(dir: string, needle: Buffer): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => readFileSync(path).includes(needle));
}

describe('items that arrive with a vault', () => {
  it('an item record naming a secret file of this machine is never read until confirmed here', () => {
    const homeA = join(root, 'home-a');
    const homeB = join(root, 'home-b');
    const vaultDir = join(root, 'usb', 'vault');
    ok(cli(homeA, 'vault', 'create', '--name', 'shared', '--path', vaultDir));
    const disk = writeDisk('vm1.img', 3);
    const item = ok(cli(homeA, 'protect', '--vault', 'shared', '--name', 'vm1', disk, '--json')).json<Item>();
    ok(cli(homeA, 'backup', 'vm1', '--json'));

    // A secret of the machine the vault will be opened on.
    const secretPath = join(root, 'victim-home', '.ssh', 'id_ed25519');
    mkdirSync(join(root, 'victim-home', '.ssh'), { recursive: true });
    const secret = randomBytes(64 * 1024);
    writeFileSync(secretPath, secret);
    const needle = secret.subarray(1024, 2048);

    // The attacker points the record at it, backdates it so a scheduled slot is due, and
    // drops the catalog and job records so both are rebuilt from the record.
    editJson(itemRecordPath(vaultDir, item.id), (record) => {
      (record.files as { path: string }[])[0]!.path = secretPath;
      record.createdAt = new Date(Date.now() - 3 * 86_400_000).toISOString();
    });
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(vaultDir, `catalog.sqlite${suffix}`), { force: true });
    rmSync(join(vaultDir, 'data', 'records', 'jobs'), { recursive: true, force: true });

    ok(cli(homeB, 'vault', 'open', vaultDir, '--json'));
    const [listed] = ok(cli(homeB, 'items', 'list', '--json')).json<Item[]>();
    expect(listed?.files.map((file) => file.path)).toEqual([secretPath]);
    expect(listed?.needsConfirmation?.reason).toMatch(/never confirmed on this machine/);
    expect(ok(cli(homeB, 'item', 'show', 'vm1')).stdout).toContain('labvault item confirm shared/vm1');

    refusedByRule(cli(homeB, 'backup', 'vm1'), /needs confirmation on this machine.*labvault item confirm shared\/vm1/s);
    const scheduled = ok(cli(homeB, 'service', 'run', '--once', '--json')).json<{ started: unknown[]; vaults: string[] }>();
    expect(scheduled.vaults).toEqual(['shared']);
    expect(scheduled.started).toEqual([]);
    expect(filesContaining(vaultDir, needle)).toEqual([]);
    const alertsDir = join(vaultDir, 'data', 'records', 'alerts');
    const confirmationAlerts = (): string[] => readdirSync(alertsDir).map((name) => readFileSync(join(alertsDir, name), 'utf8'))
      .filter((text) => text.includes('Item needs confirmation'));
    expect(confirmationAlerts()).toHaveLength(1);

    // Once the user confirms here, the scheduler and Backup now read the file: so the
    // search above would have found the secret had it been read.
    const confirmed = ok(cli(homeB, 'item', 'confirm', 'vm1', '--vault', 'shared'));
    expect(confirmed.stdout).toContain(secretPath);
    expect(ok(cli(homeB, 'service', 'run', '--once', '--json')).json<{ started: unknown[] }>().started).toHaveLength(1);
    expect(filesContaining(vaultDir, needle).length).toBeGreaterThan(0);
    ok(cli(homeB, 'backup', 'vm1', '--json'));

    const trustFile = join(homeB, MACHINE_TRUST_FILE);
    expect(statSync(trustFile).mode & 0o777).toBe(0o600);
  }, CLI_TEST_MS);

  it('a record whose files change after this machine confirmed it needs confirmation again', () => {
    const home = join(root, 'home');
    const vaultDir = join(root, 'vault');
    ok(cli(home, 'vault', 'create', '--name', 'local', '--path', vaultDir));
    const disk = writeDisk('vm1.img', 5);
    const item = ok(cli(home, 'protect', '--vault', 'local', '--name', 'vm1', disk, '--json')).json<Item>();
    expect(item.needsConfirmation).toBeUndefined();
    ok(cli(home, 'backup', 'vm1', '--json'));

    const other = writeDisk('other.img', 9);
    editJson(itemRecordPath(vaultDir, item.id), (record) => {
      (record.files as { path: string }[])[0]!.path = other;
    });
    ok(cli(home, 'vault', 'rebuild-catalog', 'local', '--json'));
    const shown = ok(cli(home, 'item', 'show', 'vm1', '--json')).json<Item>();
    expect(shown.needsConfirmation?.reason).toMatch(/differs from the one confirmed on this machine/);
    expect(shown.needsConfirmation?.reason).toContain(other);
    refusedByRule(cli(home, 'backup', 'vm1'), /needs confirmation/);
    expect(ok(cli(home, 'points', 'list', 'vm1', '--json')).json<Point[]>()).toHaveLength(1);

    expect(ok(cli(home, 'item', 'confirm', 'vm1', '--json')).json<Item>().files.map((file) => file.path)).toEqual([other]);
    ok(cli(home, 'backup', 'vm1', '--json'));
    expect(ok(cli(home, 'points', 'list', 'vm1', '--json')).json<Point[]>()).toHaveLength(2);
  }, CLI_TEST_MS);

  it('a vault opened from another folder needs its items confirmed again', async () => {
    const home = join(root, 'home');
    const vaultDir = join(root, 'vault');
    const engine = new Engine({ face: 'cli', appHome: home });
    try {
      await engine.handlers.vaults.create({ name: 'moved', path: vaultDir });
      await engine.handlers.items.protect({ vault: 'moved', name: 'vm1', files: [writeDisk('vm1.img', 2)] });
      expect((await engine.handlers.items.show({ item: 'vm1' })).needsConfirmation).toBeUndefined();
    } finally {
      await engine.close();
    }
    const copy = join(root, 'copy');
    mkdirSync(copy);
    for (const entry of readdirSync(vaultDir, { recursive: true, withFileTypes: true })) {
      const from = join(entry.parentPath, entry.name);
      const to = join(copy, from.slice(vaultDir.length));
      if (entry.isDirectory()) mkdirSync(to, { recursive: true });
      else writeFileSync(to, readFileSync(from));
    }
    ok(cli(home, 'vault', 'open', copy, '--json'));
    expect(ok(cli(home, 'item', 'show', 'vm1', '--json')).json<Item>().needsConfirmation?.reason).toMatch(/never confirmed/);
    const later = new Engine({ face: 'cli', appHome: home });
    try {
      const [entry] = (await later.handlers.dashboard.summary({})).items;
      expect(entry).toMatchObject({ name: 'vm1', health: 'warning' });
      expect(entry?.healthReason).toMatch(/until its files are confirmed/);
      // Each scheduler pass skips it; the warning is raised once and kept, not repeated.
      const host = startSchedulerHost(later, { autoStart: false, log: () => undefined, maintenanceEveryMs: 0 });
      try {
        for (let pass = 0; pass < 3; pass += 1) expect((await host.tick()).started).toEqual([]);
      } finally {
        await host.stop();
      }
      const alerts = (await later.handlers.alerts.list({})).filter((alert) => alert.title === 'Item needs confirmation');
      expect(alerts).toHaveLength(1);
      expect(alerts[0]?.message).toContain('labvault item confirm moved/vm1');
    } finally {
      await later.close();
    }
  }, CLI_TEST_MS);
});

describe('immutability remembered on this machine', () => {
  it('a locked vault whose vault.json says "disabled" stays locked here', () => {
    const home = join(root, 'home');
    const vaultDir = join(root, 'vault');
    ok(cli(home, 'vault', 'create', '--name', 'kept', '--path', vaultDir, '--immutability', 'enabled'));
    ok(cli(home, 'protect', '--vault', 'kept', '--name', 'vm1', writeDisk('vm1.img', 4)));
    const point = ok(cli(home, 'backup', 'vm1', '--json')).json<{ pointId: string }>().pointId;
    ok(cli(home, 'vault', 'update', 'kept', '--immutability', 'locked', '--confirm', 'kept'));

    editJson(join(vaultDir, 'vault.json'), (config) => {
      const settings = config.settings as { immutability: string; softDelete: { enabled: boolean; days: number } };
      settings.immutability = 'disabled';
      settings.softDelete = { enabled: false, days: 14 };
    });
    refusedByRule(cli(home, 'points', 'delete', 'vm1', '--point', point), /Immutability is locked/);
    refusedByRule(cli(home, 'protection', 'stop', 'vm1', '--delete-data', '--confirm', 'vm1'), /Immutability is locked/);
    refusedByRule(cli(home, 'vault', 'update', 'kept', '--immutability', 'disabled'), /locked/);
    const shown = ok(cli(home, 'vault', 'show', 'kept', '--json')).json<Vault>();
    expect(shown.immutability).toBe('locked');
    expect(shown.softDeleteEnabled).toBe(true);
    expect(shown.immutabilityNote).toMatch(/vault\.json says "disabled", but this machine saw this vault locked/);
    expect(ok(cli(home, 'vault', 'show', 'kept')).stdout).toMatch(/Immutability: +locked \(vault\.json says "disabled"/);
    expect(ok(cli(home, 'points', 'list', 'vm1', '--json')).json<Point[]>().map((entry) => entry.id)).toEqual([point]);
  }, CLI_TEST_MS);

  it('turning "enabled" off through the app stays allowed and is remembered', () => {
    const home = join(root, 'home');
    const vaultDir = join(root, 'vault');
    ok(cli(home, 'vault', 'create', '--name', 'soft', '--path', vaultDir, '--immutability', 'enabled'));
    ok(cli(home, 'protect', '--vault', 'soft', '--name', 'vm1', writeDisk('vm1.img', 6)));
    const point = ok(cli(home, 'backup', 'vm1', '--json')).json<{ pointId: string }>().pointId;
    refusedByRule(cli(home, 'points', 'delete', 'vm1', '--point', point), /Immutability is enabled/);
    ok(cli(home, 'vault', 'update', 'soft', '--immutability', 'disabled'));
    expect(ok(cli(home, 'vault', 'show', 'soft', '--json')).json<Vault>()).toMatchObject({ immutability: 'disabled' });
    ok(cli(home, 'points', 'delete', 'vm1', '--point', point));
  }, CLI_TEST_MS);

  it('reads the trust file with a schema: a damaged one is CORRUPT naming it', async () => {
    const home = join(root, 'home');
    mkdirSync(home);
    writeFileSync(join(home, MACHINE_TRUST_FILE), '{"version":1,"vaults":{"x":{"items":{"y":{"files":"not a list"}}}}}');
    const error = await new MachineTrust(home).vault('x').then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(LabvaultError);
    expect((error as LabvaultError).code).toBe('CORRUPT');
    expect((error as LabvaultError).message).toContain(join(home, MACHINE_TRUST_FILE));
    expect((error as LabvaultError).message).toMatch(/labvault item confirm/);
  });

  it('remembers only ever stronger states, except the app\'s own change from enabled', async () => {
    const home = join(root, 'home');
    const trust = new MachineTrust(home);
    const at = new Date('2026-06-01T00:00:00Z');
    expect(await trust.rememberImmutability('v', 'disabled', 14, at)).toBeUndefined();
    expect(existsSync(join(home, MACHINE_TRUST_FILE))).toBe(false);
    expect((await trust.rememberImmutability('v', 'enabled', 30, at))?.state).toBe('enabled');
    expect(await trust.rememberImmutability('v', 'disabled', 14, at))
      .toMatchObject({ state: 'enabled', softDeleteDays: 30 });
    expect((await trust.rememberImmutability('v', 'disabled', 14, at, { allowWeaker: true }))?.state).toBe('disabled');
    expect((await trust.rememberImmutability('v', 'locked', 20, at))?.state).toBe('locked');
    expect(await trust.rememberImmutability('v', 'disabled', 14, at, { allowWeaker: true }))
      .toMatchObject({ state: 'locked', softDeleteDays: 20 });
  });
});

describe('effective settings', () => {
  type Settings = { immutability: 'disabled' | 'enabled' | 'locked'; softDelete: { enabled: boolean; days: number } };
  function sessionWith(settings: Settings, memory?: VaultSession['immutabilityMemory']): VaultSession {
    return { config: { name: 'v', settings }, immutabilityMemory: memory } as unknown as VaultSession;
  }

  it('the stronger of vault.json and what this machine saw; soft delete stays on and never shorter', () => {
    const seen = { state: 'locked' as const, softDeleteDays: 30, seenAt: '2026-06-01T00:00:00.000Z' };
    const edited = sessionWith({ immutability: 'disabled', softDelete: { enabled: false, days: 14 } }, seen);
    expect(effectiveImmutability(edited)).toBe('locked');
    expect(effectiveSoftDelete(edited)).toEqual({ enabled: true, days: 30 });
    expect(immutabilityNote(edited)).toMatch(/says "disabled".*saw this vault locked \(on 2026-06-01/);
    const longer = sessionWith({ immutability: 'locked', softDelete: { enabled: true, days: 60 } }, seen);
    expect(effectiveSoftDelete(longer)).toEqual({ enabled: true, days: 60 });
    expect(immutabilityNote(longer)).toBeUndefined();
    const never = sessionWith({ immutability: 'disabled', softDelete: { enabled: false, days: 14 } });
    expect(effectiveImmutability(never)).toBe('disabled');
    expect(effectiveSoftDelete(never)).toEqual({ enabled: false, days: 14 });
    const unseen = sessionWith({ immutability: 'enabled', softDelete: { enabled: false, days: 1 } });
    expect(effectiveSoftDelete(unseen)).toEqual({ enabled: true, days: 14 });
  });
});

describe('shorter policies on a locked vault', () => {
  it('item set-policy and protection resume --policy are refused with the preview; prune keeps the points', async () => {
    const home = join(root, 'home');
    const vaultDir = join(root, 'vault');
    const engine = new Engine({ face: 'cli', appHome: home });
    let points: string[];
    let shortId: string;
    try {
      await engine.handlers.vaults.create({ name: 'locked', path: vaultDir, immutability: 'enabled' });
      const schedule = { frequency: 'daily', time: '10:00' };
      await engine.handlers.policies.create({
        vault: 'locked', policy: { name: 'long', timeZone: 'UTC', schedule, retention: { daily: { days: 60 } } },
      });
      // Weekly only: the first point of the week is kept, a later one expires at once.
      shortId = (await engine.handlers.policies.create({
        vault: 'locked', policy: { name: 'short', timeZone: 'UTC', schedule, retention: { weekly: { weeks: 1, day: 'monday' } } },
      })).id;
      const disk = writeDisk('vm1.img', 7);
      await engine.handlers.items.protect({ vault: 'locked', name: 'vm1', files: [disk], policy: 'long' });
      const day = new Date().toISOString().slice(0, 10);
      for (const slot of [`${day}T10:00@UTC`, `${day}T11:00@UTC`]) {
        const job = await (await engine.backups.start('vm1', { trigger: 'scheduled', slot })).done;
        expect(job.status, JSON.stringify(job.error)).toBe('completed');
      }
      points = (await engine.handlers.points.list({ item: 'vm1' })).map((point) => point.id);
      expect(points).toHaveLength(2);
      for (const point of await engine.handlers.points.list({ item: 'vm1' })) expect(point.expiresAt).not.toBeNull();
      await engine.handlers.vaults.update({ name: 'locked', immutability: 'locked', confirm: 'locked' });
    } finally {
      await engine.close();
    }
    const older = points[1] as string;
    const newer = points[0] as string;

    const bySetPolicy = cli(home, 'item', 'set-policy', 'vm1', '--policy', 'short');
    refusedByRule(bySetPolicy,
      /Immutability is locked on vault "locked": this change would shorten the retention of 2 existing point\(s\) and remove 1/);
    expect(bySetPolicy.stderr).toContain(`remove 1: ${newer} of "vm1" (no rule of the new policy keeps it)`);
    ok(cli(home, 'protection', 'stop', 'vm1', '--keep-data'));
    const byResume = cli(home, 'protection', 'resume', 'vm1', '--policy', 'short');
    refusedByRule(byResume, new RegExp(`shorten the retention.*${newer}`));
    ok(cli(home, 'protection', 'resume', 'vm1'));
    ok(cli(home, 'prune', '--vault', 'locked', '--json'));
    const listed = ok(cli(home, 'points', 'list', 'vm1', '--json')).json<Point[]>();
    expect(listed.map((point) => point.id)).toEqual([newer, older]);

    // Bound to the short policy behind the app's back (catalog and record edited): the
    // retention pass still keeps each point until its stored expiry.
    const catalog = new Database(join(vaultDir, 'catalog.sqlite'));
    try {
      const row = catalog.prepare('SELECT id, body FROM items').get() as { id: string; body: string };
      const body = { ...(JSON.parse(row.body) as Record<string, unknown>), policyId: shortId };
      catalog.prepare('UPDATE items SET policy_id = ?, body = ? WHERE id = ?').run(shortId, JSON.stringify(body), row.id);
      editJson(itemRecordPath(vaultDir, row.id), (record) => { record.policyId = shortId; });
    } finally {
      catalog.close();
    }
    expect(ok(cli(home, 'prune', '--vault', 'locked', '--json')).json<{ expired: unknown[] }>().expired).toEqual([]);
    const kept = ok(cli(home, 'points', 'list', 'vm1', '--json')).json<Point[]>();
    expect(kept.map((point) => point.id)).toEqual([newer, older]);
    for (const point of kept) expect(Date.parse(point.expiresAt ?? '')).toBeGreaterThan(Date.now() + 50 * 86_400_000);
  }, CLI_TEST_MS);
});
