/**
 * A real temp app home with a vault, a protected item (real files) and a policy, driven
 * by an injected ManualClock: what the scheduling tests share.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../../electron/engine/app/clock.ts';
import { Engine, type EngineOptions } from '../../../electron/engine/engine.ts';
import type { SchedulerClock } from '../../../electron/engine/policy/scheduler.ts';
import { deterministicBytes, makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

export interface SchedulingFixture {
  root: string;
  home: string;
  vaultDir: string;
  diskPath: string;
  clock: ManualClock;
  /** SchedulerClock over the manual clock; its timers never fire (tests call tick()). */
  schedulerClock: SchedulerClock;
  engine: Engine;
  /** A second Engine on the same home (a restart, or another face). */
  newEngine(options?: Pick<EngineOptions, 'passphraseSource'>): Engine;
  writeDisk(seed: number, bytes?: number): void;
  cleanup(): Promise<void>;
}

export interface FixtureOptions {
  start: string;
  policy: Record<string, unknown>;
  vault?: { softDeleteEnabled?: boolean; softDeleteDays?: number; immutability?: 'disabled' | 'enabled'; passphrase?: string };
  diskBytes?: number;
}

export const VAULT_NAME = 'sched-vault';
export const ITEM_NAME = 'vm1';

export function manualSchedulerClock(clock: ManualClock): SchedulerClock {
  return { now: () => clock.now(), setTimer: () => 0, clearTimer: () => undefined };
}

export async function makeSchedulingFixture(options: FixtureOptions): Promise<SchedulingFixture> {
  const root = makeTempDir('labvault-sched-');
  const home = join(root, 'home');
  const vaultDir = join(root, 'vault');
  const diskPath = join(root, 'disk.raw');
  const clock = new ManualClock(options.start);
  const engines: Engine[] = [];
  const newEngine = (engineOptions: Pick<EngineOptions, 'passphraseSource'> = {}) => {
    const engine = new Engine({ face: 'cli', appHome: home, clock, ...engineOptions });
    engines.push(engine);
    return engine;
  };
  const writeDisk = (seed: number, bytes = options.diskBytes ?? 3 * 1024 * 1024 + 123) => writeFileSync(diskPath, deterministicBytes(bytes, seed));
  writeDisk(1);
  const engine = newEngine();
  await engine.handlers.vaults.create({ name: VAULT_NAME, path: vaultDir, ...options.vault });
  const policy = await engine.handlers.policies.create({ vault: VAULT_NAME, policy: options.policy });
  await engine.handlers.items.protect({ vault: VAULT_NAME, name: ITEM_NAME, files: [diskPath], policy: policy.name });
  return {
    root, home, vaultDir, diskPath, clock, engine, newEngine, writeDisk,
    schedulerClock: manualSchedulerClock(clock),
    async cleanup() {
      for (const opened of engines) await opened.close();
      removeDir(root);
    },
  };
}

export interface TransferGate {
  /** Resolves when a backup has taken its writer lock and is about to write the first file. */
  entered: Promise<void>;
  release(): void;
}

/**
 * Holds every backup of `engine` in its transfer (writer lock held, nothing written yet)
 * until release(): "a backup in the middle of its transfer", without timing guesses.
 */
export async function gateTransfers(engine: Engine, vault = VAULT_NAME): Promise<TransferGate> {
  const store = await engine.keyring.store(await engine.vaults.session(vault));
  const original = store.backupFile.bind(store);
  let markEntered: () => void = () => undefined;
  let open: () => void = () => undefined;
  const entered = new Promise<void>((resolve) => { markEntered = resolve; });
  const opened = new Promise<void>((resolve) => { open = resolve; });
  store.backupFile = async (options) => {
    markEntered();
    await opened;
    return original(options);
  };
  return {
    entered,
    release() {
      store.backupFile = original;
      open();
    },
  };
}
