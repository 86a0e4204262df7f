/**
 * `labvault service run` end to end, on the real clock: an item whose daily policy runs
 * at the next whole minute gets its scheduled backup from the headless service (bounded
 * wait), and SIGTERM stops it cleanly, releasing the vault's scheduler lock. `--once`
 * respects a scheduler another process runs. No wall-time asserts: the waits are bounds.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../electron/engine/engine.ts';
import { startSchedulerHost } from '../../../electron/engine/scheduling/scheduler-host.ts';
import { schedulerLockPath } from '../../../electron/engine/scheduling/scheduler-lock.ts';
import { runCli, startCli } from '../../support/cli-runner.ts';
import { deterministicBytes, makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

const VAULT = 'svc-vault';
const WAIT_FOR_BACKUP_MS = 150_000;
const POLL_MS = 1000;

let dir = '';
let home = '';
let vaultDir = '';
let engine: Engine;

/** Setup must end before the slot: a slot before the item was protected is never due. */
const SETUP_MARGIN_MS = 15_000;

function nextWholeMinute(): Date {
  return new Date(Math.ceil((Date.now() + SETUP_MARGIN_MS) / 60_000) * 60_000);
}

beforeAll(async () => {
  dir = makeTempDir('labvault-service-');
  home = join(dir, 'home');
  vaultDir = join(dir, 'vault');
  const disk = join(dir, 'disk.raw');
  writeFileSync(disk, deterministicBytes(2 * 1024 * 1024 + 11, 5));
  engine = new Engine({ face: 'cli', appHome: home });
  await engine.handlers.vaults.create({ name: VAULT, path: vaultDir });
  const at = nextWholeMinute();
  const time = `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}`;
  await engine.handlers.policies.create({ vault: VAULT, policy: { name: 'soon', timeZone: 'UTC', schedule: { frequency: 'daily', time }, retention: { daily: { days: 7 } } } });
  await engine.handlers.items.protect({ vault: VAULT, name: 'vm-svc', files: [disk], policy: 'soon' });
});

afterAll(async () => {
  await engine.close();
  removeDir(dir);
});

describe('labvault service', () => {
  it('runs the scheduled backup headless and stops on SIGTERM', async () => {
    const service = startCli(home, ['service', 'run'], { timeoutMs: WAIT_FOR_BACKUP_MS + 30_000 });
    let backups: Awaited<ReturnType<typeof engine.jobs.list>> = [];
    for (let waited = 0; waited < WAIT_FOR_BACKUP_MS; waited += POLL_MS) {
      backups = (await engine.jobs.list(VAULT, { operation: 'backup' })).filter((job) => job.status === 'completed');
      if (backups.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    service.child.kill('SIGTERM');
    const result = await service.result;
    expect(backups.map((job) => job.trigger), result.stderr).toEqual(['scheduled']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('started scheduled backup of "vm-svc"');
    expect(existsSync(schedulerLockPath(vaultDir))).toBe(false);
    expect(await engine.handlers.points.list({ item: 'vm-svc' })).toHaveLength(1);
  }, WAIT_FOR_BACKUP_MS + 60_000);

  it('--once runs one pass and leaves a vault another process schedules alone', async () => {
    const own = await runCli(home, ['service', 'run', '--once', '--json']);
    expect(own.code, own.stderr).toBe(0);
    expect(own.json()).toMatchObject({ vaults: [VAULT], started: [], errors: 0 });
    const holder = startSchedulerHost(engine, { autoStart: false, log: () => undefined, maintenanceEveryMs: 0 });
    try {
      await holder.tick();
      expect(holder.ownedVaults()).toEqual([VAULT]);
      const other = await runCli(home, ['service', 'run', '--once', '--json']);
      expect(other.code, other.stderr).toBe(0);
      expect(other.json()).toMatchObject({ vaults: [], started: [], maintenance: [] });
      expect(other.stderr).toContain(`another scheduler owns vault "${VAULT}" (process ${process.pid}`);
    } finally {
      await holder.stop();
    }
  });

  it('prints login-start instructions for systemd, launchd and Windows with this installation\'s paths', async () => {
    const result = await runCli(home, ['service', 'install-instructions', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const texts = result.json<{ systemd: string; launchd: string; windows: string }>();
    expect(texts.systemd).toContain(`ExecStart=${process.execPath} `);
    expect(texts.systemd).toContain('bin.mjs service run');
    expect(texts.systemd).toContain(`Environment=LABVAULT_HOME=${home}`);
    expect(texts.launchd).toContain('<string>service</string>');
    expect(texts.windows).toContain('schtasks /Create /TN "Labvault scheduler" /SC ONLOGON');
    // The unit names a launcher that exists, from the sources and from the built bundle alike.
    const bundle = fileURLToPath(new URL('../../../out/cli/labvault.mjs', import.meta.url));
    const fromBundle = existsSync(bundle)
      ? JSON.parse(execFileSync(process.execPath, [bundle, 'service', 'install-instructions', '--json'], { env: { ...process.env, LABVAULT_HOME: home } }).toString()) as typeof texts
      : null;
    for (const unit of [texts.systemd, fromBundle?.systemd].filter((text): text is string => text !== undefined)) {
      const launcher = /^ExecStart=\S+ (\S+) service run$/m.exec(unit)?.[1];
      expect(launcher, unit).toBeDefined();
      expect(existsSync(launcher!), `${launcher} named by the unit exists`).toBe(true);
    }
  });
});
