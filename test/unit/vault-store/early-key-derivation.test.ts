/**
 * The speculative unlock at CLI start (vault/early-key-derivation.ts): it starts only for the
 * one encrypted vault an app home knows, with settings that pass the open-time limits, read
 * through the untrusted-file checks; the unlock takes its result only for the same
 * passphrase and settings, and a wrong early guess changes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEarlyKeyDerivation } from '../../../electron/engine/vault/early-key-derivation.ts';
import { createEncryption, unlock } from '../../../electron/engine/vault/store/index.ts';
import { earlyKekCount } from '../../../electron/engine/vault/store/vault-keys.ts';
import type { EncryptionSettings } from '../../../electron/engine/vault/store/store-settings.ts';

const CHEAP = { n: 1024, r: 8, p: 2 };
const homes: string[] = [];

interface Home { home: string; vaultDir: (id: string) => string }

function makeHome(): Home {
  const home = mkdtempSync(join(tmpdir(), 'lv-early-'));
  homes.push(home);
  mkdirSync(join(home, 'catalogs'));
  return { home, vaultDir: (id) => join(home, `vault-${id}`) };
}

function addVault(home: Home, encryption: EncryptionSettings | undefined, vaultJson?: string): string {
  const id = randomUUID();
  const dir = home.vaultDir(id);
  mkdirSync(dir);
  writeFileSync(join(dir, 'vault.json'), vaultJson ?? JSON.stringify({ id, store: { chunkSize: 1048576, encryption } }));
  if (encryption !== undefined) writeFileSync(join(home.home, 'catalogs', `${id}.sqlite`), '');
  return id;
}

function writeKnown(home: Home, ids: string[]): void {
  writeFileSync(join(home.home, 'known-vaults.json'), JSON.stringify({
    version: 1, vaults: ids.map((id) => ({ id, name: `v${id.slice(0, 4)}`, path: home.vaultDir(id), addedAt: new Date().toISOString() })),
  }));
}

afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

describe('early key derivation', () => {
  it('starts for the one encrypted vault known, and unlock takes it for the same passphrase', async () => {
    const home = makeHome();
    const { settings, keys } = await createEncryption('early passphrase', CHEAP);
    writeKnown(home, [addVault(home, settings), addVault(home, undefined)]);
    const before = earlyKekCount();
    startEarlyKeyDerivation(home.home, 'early passphrase');
    expect(earlyKekCount()).toBe(before + 1);
    const unlocked = await unlock(settings, 'early passphrase');
    expect(earlyKekCount()).toBe(before);
    expect(unlocked.dataKey.export().equals(keys.dataKey.export())).toBe(true);
  });

  it('a wrong early passphrase changes nothing: the right one unlocks, the wrong one is refused', async () => {
    const home = makeHome();
    const { settings, keys } = await createEncryption('right passphrase', CHEAP);
    writeKnown(home, [addVault(home, settings)]);
    const before = earlyKekCount();
    startEarlyKeyDerivation(home.home, 'wrong passphrase');
    expect(earlyKekCount()).toBe(before + 1);
    const unlocked = await unlock(settings, 'right passphrase');
    expect(unlocked.macKey.export().equals(keys.macKey.export())).toBe(true);
    expect(earlyKekCount()).toBe(before + 1); // not taken: made for another passphrase
    await expect(unlock(settings, 'wrong passphrase')).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' });
    expect(earlyKekCount()).toBe(before);
  });

  it('an early result that does not open the key (a stale start-up copy of the code) is derived again, never a wrong passphrase', async () => {
    const { settings, keys } = await createEncryption('right passphrase', CHEAP);
    const early = (globalThis as Record<symbol, Map<string, unknown>>)[Symbol.for('labvault.vault-keys.early-keks')]!;
    const id = createHash('sha256').update(JSON.stringify(['right passphrase', settings.salt, settings.n, settings.r, settings.p])).digest('hex');
    early.set(id, { key: Promise.resolve(Buffer.alloc(32, 7)), path: () => undefined, keepAlive: () => undefined });
    const unlocked = await unlock(settings, 'right passphrase');
    expect(unlocked.dataKey.export().equals(keys.dataKey.export())).toBe(true);
    expect(early.has(id)).toBe(false);
  });

  it('does nothing with two encrypted vaults, no passphrase, costs past the limits, a bad salt or a FIFO for vault.json', async () => {
    const { settings } = await createEncryption('some passphrase', CHEAP);
    const two = makeHome();
    writeKnown(two, [addVault(two, settings), addVault(two, settings)]);
    const plain = makeHome();
    writeKnown(plain, [addVault(plain, undefined)]);
    const costly = makeHome();
    writeKnown(costly, [addVault(costly, { ...settings, n: 1 << 21 })]);
    const oddN = makeHome();
    writeKnown(oddN, [addVault(oddN, { ...settings, n: 1000 })]);
    const salt = makeHome();
    writeKnown(salt, [addVault(salt, { ...settings, salt: 'c2hvcnQ=' })]);
    const fifo = makeHome();
    const fifoId = addVault(fifo, settings);
    rmSync(join(fifo.vaultDir(fifoId), 'vault.json'));
    execFileSync('mkfifo', [join(fifo.vaultDir(fifoId), 'vault.json')]);
    writeKnown(fifo, [fifoId]);
    const garbage = makeHome();
    writeKnown(garbage, [addVault(garbage, settings, '{"store": ')]);
    const unknown = makeHome();
    addVault(unknown, settings);
    writeKnown(unknown, []);
    const before = earlyKekCount();
    for (const home of [two, plain, costly, oddN, salt, fifo, garbage, unknown]) startEarlyKeyDerivation(home.home, 'some passphrase');
    startEarlyKeyDerivation(makeHome().home, 'some passphrase'); // no known-vaults.json at all
    const one = makeHome();
    writeKnown(one, [addVault(one, settings)]);
    startEarlyKeyDerivation(one.home, '');
    expect(earlyKekCount()).toBe(before);
  });
});
