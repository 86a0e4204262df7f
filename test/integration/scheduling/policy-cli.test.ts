/**
 * `labvault policy ...` through the real CLI: DST cases and retention previews checked by
 * hand, field-level validation (exit 2), DefaultPolicy kept, and an immutable vault that
 * refuses a shortening update with its data intact.
 *
 * Hand checks (Europe/Berlin: CET +01:00; CEST +02:00 from 2026-03-29 02:00 -> 03:00 until
 * 2026-10-25 03:00 -> 02:00):
 *  - daily 02:30 from 2026-03-28T00:00Z: Mar 28 02:30 CET = 01:30Z; Mar 29 has no 02:30,
 *    the first valid time after it is 03:00 CEST = 01:00Z; Mar 30 02:30 CEST = 00:30Z.
 *  - daily 02:30 from 2026-10-24T00:00Z: Oct 24 02:30 CEST = 00:30Z; Oct 25 02:30 occurs
 *    twice (CEST 00:30Z, CET 01:30Z) and runs once, at the first: 00:30Z; Oct 26 02:30
 *    CET = 01:30Z.
 *  - daily points kept 7 days keep their wall time: a 22:00 CET point of Mar 28 (21:00Z)
 *    expires Apr 4 22:00 CEST = 20:00Z.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliJson } from '../../support/cli-runner.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { ITEM_NAME, makeSchedulingFixture, VAULT_NAME, type SchedulingFixture } from './scheduling-fixture.ts';

const DAY_MS = 24 * 3600_000;
let dir = '';
let home = '';

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

const BERLIN_0230 = { name: 'berlin', timeZone: 'Europe/Berlin', schedule: { frequency: 'daily', time: '02:30' }, retention: { daily: { days: 7 } } };

beforeAll(async () => {
  dir = makeTempDir('labvault-policy-cli-');
  home = join(dir, 'home');
  const created = await runCli(home, ['vault', 'create', '--name', 'pol-vault', '--path', join(dir, 'vault')]);
  expect(created.code, created.stderr).toBe(0);
  const policy = await runCli(home, ['policy', 'create', '--vault', 'pol-vault', '--file', writeJson('berlin.json', BERLIN_0230)]);
  expect(policy.code, policy.stderr).toBe(0);
});

afterAll(() => removeDir(dir));

describe('labvault policy next-runs and preview', () => {
  it('gives the hand-checked runs across the spring-forward gap', async () => {
    expect(await runCliJson(home, ['policy', 'next-runs', '--vault', 'pol-vault', '--policy', 'berlin', '--from', '2026-03-28T00:00:00Z', '--count', '3']))
      .toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
  });

  it('runs once on the day that repeats 02:30 (from a file, saved policy not needed)', async () => {
    expect(await runCliJson(home, ['policy', 'next-runs', '--file', join(dir, 'berlin.json'), '--from', '2026-10-24T00:00:00Z', '--count', '3']))
      .toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('previews retention exactly: daily, monthly, on-demand and expired points', async () => {
    const policy = writeJson('monthly.json', { name: 'monthly', timeZone: 'UTC', schedule: { frequency: 'daily', time: '02:00' }, retention: { daily: { days: 7 }, monthly: { months: 12, day: 1 } } });
    const points = writeJson('points.json', [
      { id: 'a', time: '2026-03-01T02:00:00Z' },
      { id: 'b', time: '2026-03-20T02:00:00Z' },
      { id: 'c', time: '2026-03-27T02:00:00Z' },
      { id: 'od', time: '2026-03-25T10:00:00Z', onDemandUntil: '2026-04-24T10:00:00Z' },
    ]);
    expect(await runCliJson(home, ['policy', 'preview', '--file', policy, '--points', points, '--now', '2026-03-28T12:00:00Z'])).toEqual([
      { id: 'a', keep: true, until: '2027-03-01T02:00:00.000Z', rules: ['monthly'] },
      { id: 'b', keep: false, until: '2026-03-27T02:00:00.000Z', rules: [] },
      { id: 'c', keep: true, until: '2026-04-03T02:00:00.000Z', rules: ['daily'] },
      { id: 'od', keep: true, until: '2026-04-24T10:00:00.000Z', rules: ['on-demand'] },
    ]);
  });

  it('keeps a daily point its wall time across the DST change', async () => {
    const policy = writeJson('berlin22.json', { name: 'berlin22', timeZone: 'Europe/Berlin', schedule: { frequency: 'daily', time: '22:00' }, retention: { daily: { days: 7 } } });
    const created = await runCli(home, ['policy', 'create', '--vault', 'pol-vault', '--file', policy]);
    expect(created.code, created.stderr).toBe(0);
    const points = writeJson('points-dst.json', [{ id: 'p', time: '2026-03-28T21:00:00Z' }]);
    expect(await runCliJson(home, ['policy', 'preview', '--vault', 'pol-vault', '--policy', 'berlin22', '--points', points, '--now', '2026-03-30T00:00:00Z']))
      .toEqual([{ id: 'p', keep: true, until: '2026-04-04T20:00:00.000Z', rules: ['daily'] }]);
  });
});

describe('labvault policy validation and rules', () => {
  it('refuses an invalid policy with every field and rule named (exit 2)', async () => {
    const bad = writeJson('bad.json', { name: '9lives', timeZone: 'Mars/Olympus', schedule: { frequency: 'daily', time: '24:30' }, retention: { daily: { days: 3 }, dialy: { days: 9 } } });
    const result = await runCli(home, ['policy', 'create', '--vault', 'pol-vault', '--file', bad]);
    expect(result.code).toBe(2);
    for (const field of ['name', 'timeZone', 'schedule.time', 'retention.daily.days']) expect(result.stderr).toContain(field);
    expect(result.stderr).toContain('between 7 and 9999');
    expect(result.stderr).toContain('"HH:MM"');
    const broken = await runCli(home, ['policy', 'create', '--vault', 'pol-vault', '--file', writeJson('broken.json', '{ "name": ')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('broken.json is not valid JSON');
    const count = await runCli(home, ['policy', 'next-runs', '--file', join(dir, 'berlin.json'), '--count', '0', '--json']);
    expect(count.code).toBe(2);
    expect(count.stderr).toContain('--count');
  });

  it('never deletes DefaultPolicy (exit 2), deletes an unused policy, shows one by positional name', async () => {
    const refused = await runCli(home, ['policy', 'delete', '--vault', 'pol-vault', '--policy', 'DefaultPolicy']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('DefaultPolicy cannot be deleted');
    const shown = await runCliJson<{ name: string; isDefault: boolean }>(home, ['policy', 'show', '--vault', 'pol-vault', 'DefaultPolicy']);
    expect(shown).toMatchObject({ name: 'DefaultPolicy', isDefault: true });
    expect((await runCli(home, ['policy', 'delete', '--vault', 'pol-vault', 'berlin22'])).code).toBe(0);
    const names = (await runCliJson<{ name: string }[]>(home, ['policy', 'list', '--vault', 'pol-vault'])).map((view) => view.name);
    expect(names).toEqual(['DefaultPolicy', 'berlin']);
  });
});

describe('labvault policy update', () => {
  let f: SchedulingFixture | undefined;
  const keep30 = { name: 'keep30', timeZone: 'UTC', schedule: { frequency: 'daily', time: '02:00' }, retention: { daily: { days: 30 } } };
  const keep7 = { ...keep30, retention: { daily: { days: 7 } } };
  const keep60 = { ...keep30, retention: { daily: { days: 60 } } };

  async function scheduledPointTenDaysAgo(fixture: SchedulingFixture): Promise<string> {
    fixture.clock.set(new Date(Date.now() - 10 * DAY_MS));
    const job = await (await fixture.engine.backups.start(ITEM_NAME, { trigger: 'scheduled', slot: 'test-slot' })).done;
    expect(job.status).toBe('completed');
    return job.pointId ?? '';
  }

  afterAll(async () => { await f?.cleanup(); });
  async function fresh(options: Parameters<typeof makeSchedulingFixture>[0]): Promise<SchedulingFixture> {
    await f?.cleanup();
    f = await makeSchedulingFixture(options);
    return f;
  }

  it('on an immutable vault refuses a shortening change (exit 2), data intact; a longer one is saved', async () => {
    const f = await fresh({ start: new Date(Date.now() - 11 * DAY_MS).toISOString(), policy: keep30, vault: { immutability: 'enabled' } });
    const point = await scheduledPointTenDaysAgo(f);
    const short = writeJson('keep7.json', keep7);
    for (const extra of [['--dry-run'], []]) {
      const refused = await runCli(f.home, ['policy', 'update', '--vault', VAULT_NAME, '--policy', 'keep30', '--file', short, ...extra]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('RULE_VIOLATION');
      expect(refused.stderr).toContain('Immutability is enabled');
      expect(refused.stdout).toContain(point);
    }
    const points = await runCliJson<{ id: string; state: string }[]>(f.home, ['points', 'list', ITEM_NAME, '--all']);
    expect(points.map((entry) => [entry.id, entry.state])).toEqual([[point, 'active']]);
    const shown = await runCliJson<{ body: { retention: unknown } }>(f.home, ['policy', 'show', '--vault', VAULT_NAME, '--policy', 'keep30']);
    expect(shown.body.retention).toEqual({ daily: { days: 30 } });
    expect((await runCli(f.home, ['verify', VAULT_NAME, '--read-data'])).code).toBe(0);
    const longer = await runCliJson<{ dryRun: boolean; removed: unknown[] }>(f.home, ['policy', 'update', '--vault', VAULT_NAME, '--policy', 'keep30', '--file', writeJson('keep60.json', keep60)]);
    expect(longer).toMatchObject({ dryRun: false, removed: [] });
  });

  it('shows what a change removes; --dry-run saves nothing; the real update soft-deletes it', async () => {
    const f = await fresh({ start: new Date(Date.now() - 11 * DAY_MS).toISOString(), policy: keep30 });
    const point = await scheduledPointTenDaysAgo(f);
    const short = writeJson('keep7b.json', keep7);
    const dry = await runCliJson<{ dryRun: boolean; removed: { pointId: string }[]; policy: unknown }>(f.home, ['policy', 'update', '--vault', VAULT_NAME, '--policy', 'keep30', '--file', short, '--dry-run']);
    expect(dry.dryRun).toBe(true);
    expect(dry.removed.map((entry) => entry.pointId)).toEqual([point]);
    expect(dry.policy).toBeNull();
    expect((await runCliJson<{ state: string }[]>(f.home, ['points', 'list', ITEM_NAME, '--all'])).map((entry) => entry.state)).toEqual(['active']);
    const saved = await runCli(f.home, ['policy', 'update', '--vault', VAULT_NAME, 'keep30', '--file', short]);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toContain(`removes 1 recovery point`);
    expect((await runCliJson<{ state: string }[]>(f.home, ['points', 'list', ITEM_NAME, '--all'])).map((entry) => entry.state)).toEqual(['soft-deleted']);
  });

  it('labvault prune: --dry-run lists the expired point, the real pass soft-deletes it as a prune job', async () => {
    const f = await fresh({ start: new Date(Date.now() - 11 * DAY_MS).toISOString(), policy: keep7 });
    const point = await scheduledPointTenDaysAgo(f);
    const dry = await runCliJson<{ dryRun: boolean; expired: { pointId: string; action: string }[] }>(f.home, ['prune', '--vault', VAULT_NAME, '--dry-run']);
    expect(dry.dryRun).toBe(true);
    expect(dry.expired.map((entry) => [entry.pointId, entry.action])).toEqual([[point, 'would remove']]);
    const real = await runCliJson<{ expired: { pointId: string; action: string }[]; jobId: string }>(f.home, ['prune', '--vault', VAULT_NAME]);
    expect(real.expired.map((entry) => [entry.pointId, entry.action])).toEqual([[point, 'soft-deleted']]);
    const job = await runCliJson<{ operation: string; status: string }>(f.home, ['jobs', 'show', real.jobId]);
    expect(job).toMatchObject({ operation: 'prune', status: 'completed' });
    expect((await runCliJson<{ state: string }[]>(f.home, ['points', 'list', ITEM_NAME, '--all'])).map((entry) => entry.state)).toEqual(['soft-deleted']);
  });
});
