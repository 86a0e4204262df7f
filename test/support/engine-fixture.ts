/**
 * An in-process Engine on a real temp app home: a vault (plain or encrypted), a real disk file
 * protected as an item, and a ManualClock. What the engine folders' direct tests share.
 */
import { writeFileSync } from 'node:fs';
import { afterEach } from 'vitest';
import { join } from 'node:path';
import { ManualClock } from '../../electron/engine/app/clock.ts';
import { Engine } from '../../electron/engine/engine.ts';
import type { VaultSession } from '../../electron/engine/vault/vault-session.ts';
import { deterministicBytes, makeTempDir, removeDir } from './disk-fixtures.ts';

export const FIXTURE_VAULT = 'unit-vault';
export const FIXTURE_ITEM = 'vm1';
export const FIXTURE_PASSPHRASE = 'correct horse battery staple';

export interface EngineFixture {
  root: string;
  vaultDir: string;
  diskPath: string;
  clock: ManualClock;
  engine: Engine;
  session(): Promise<VaultSession>;
  cleanup(): Promise<void>;
}

export interface EngineFixtureOptions {
  encrypted?: boolean;
  /** Size of the protected disk file (default 1 MiB + 77 bytes). */
  diskBytes?: number;
  softDeleteEnabled?: boolean;
}

export async function makeEngineFixture(options: EngineFixtureOptions = {}): Promise<EngineFixture> {
  const root = makeTempDir('labvault-unit-engine-');
  const vaultDir = join(root, 'vault');
  const diskPath = join(root, 'disk.raw');
  writeFileSync(diskPath, deterministicBytes(options.diskBytes ?? 1024 * 1024 + 77, 7));
  const clock = new ManualClock('2026-05-04T10:00:00Z');
  const engine = new Engine({
    face: 'cli', appHome: join(root, 'home'), clock,
    ...(options.encrypted ? { passphraseSource: async () => FIXTURE_PASSPHRASE } : {}),
  });
  await engine.handlers.vaults.create({
    name: FIXTURE_VAULT, path: vaultDir,
    ...(options.encrypted ? { passphrase: FIXTURE_PASSPHRASE } : {}),
    ...(options.softDeleteEnabled !== undefined ? { softDeleteEnabled: options.softDeleteEnabled } : {}),
  });
  await engine.handlers.items.protect({ vault: FIXTURE_VAULT, name: FIXTURE_ITEM, files: [diskPath] });
  return {
    root, vaultDir, diskPath, clock, engine,
    session: () => engine.vaults.session(FIXTURE_VAULT),
    async cleanup() {
      await engine.close();
      removeDir(root);
    },
  };
}

/**
 * For a test file: registers the clean-up after each test and returns a maker; each test
 * calls `make()` for a fresh fixture, removed after it whether it passed or not.
 */
export function useEngineFixture(): (options?: EngineFixtureOptions) => Promise<EngineFixture> {
  let current: EngineFixture | undefined;
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return async (options = {}) => {
    current = await makeEngineFixture(options);
    return current;
  };
}
