/**
 * A policy that keeps nothing is refused: a retention weekday the schedule never runs on is
 * a field error (exit 2, INVALID_INPUT naming the field), and a policy whose year of
 * scheduled backups keeps none is refused (RULE_VIOLATION), through the CLI and the contract.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { runCli, runCliJson } from '../../support/cli-runner.ts';
import { Engine } from '../../../electron/engine/index.ts';
import { ManualClock } from '../../../electron/engine/app/clock.ts';

let root: string;
let home: string;

const saturday = { frequency: 'weekly', days: ['saturday'], time: '22:00' };

function policyFile(name: string, body: unknown): string {
  const path = join(root, `${name}.json`);
  writeFileSync(path, JSON.stringify(body));
  return path;
}

beforeAll(async () => {
  root = makeTempDir('labvault-policy-days-');
  home = join(root, 'home');
  await runCliJson(home, ['vault', 'create', '--name', 'days', '--path', join(root, 'vault')]);
});

afterAll(() => removeDir(root));

describe('policy create/update refuse policies that keep nothing', () => {
  it('policy create: a weekly day the schedule never runs on exits 2 naming retention.weekly.day', async () => {
    const file = policyFile('sunday', {
      name: 'weekend', timeZone: 'UTC', schedule: saturday, retention: { weekly: { weeks: 12, day: 'sunday' } },
    });
    const run = await runCli(home, ['policy', 'create', '--vault', 'days', '--file', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\[INVALID_INPUT\] \(retention\.weekly\.day\).*must be a day the schedule runs \(saturday\)/);
    const list = await runCliJson<{ name: string }[]>(home, ['policy', 'list', '--vault', 'days']);
    expect(list.map((policy) => policy.name)).not.toContain('weekend');
  });

  it('policy create accepts the same policy with the scheduled day; update to a bad day exits 2', async () => {
    const good = policyFile('saturday', {
      name: 'weekend', timeZone: 'UTC', schedule: saturday, retention: { weekly: { weeks: 12, day: 'saturday' } },
    });
    const created = await runCliJson<{ name: string }>(home, ['policy', 'create', '--vault', 'days', '--file', good]);
    expect(created.name).toBe('weekend');
    const bad = policyFile('monthly-friday', {
      name: 'weekend', timeZone: 'UTC', schedule: saturday,
      retention: { weekly: { weeks: 12, day: 'saturday' }, monthly: { months: 6, week: 'first', weekday: 'friday' } },
    });
    for (const extra of [[], ['--dry-run']]) {
      const run = await runCli(home, ['policy', 'update', '--vault', 'days', 'weekend', '--file', bad, ...extra]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/\(retention\.monthly\.weekday\)/);
    }
  });

  it('through the contract: INVALID_INPUT with the field, RULE_VIOLATION when nothing is kept', async () => {
    const engine = new Engine({ face: 'cli', appHome: home, clock: new ManualClock('2026-01-05T00:00:00Z') });
    try {
      await expect(engine.handlers.policies.create({
        vault: 'days',
        policy: { name: 'never', timeZone: 'UTC', schedule: saturday, retention: { weekly: { weeks: 1, day: 'monday' } } },
      })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'retention.weekly.day' });
      // Every Saturday runs; the monthly point is the month's last day, kept one month. Judged on
      // 2027-01-05 (a year from the fixed clock) the only candidates are November (30th: a Monday)
      // and December (31st: a Thursday) 2026: nothing is kept.
      const nothing = {
        name: 'nothing', timeZone: 'UTC', schedule: { frequency: 'weekly', days: ['saturday'], time: '10:00' },
        retention: { monthly: { months: 1, day: 31 } },
      };
      const validation = await engine.handlers.policies.validate({ policy: nothing });
      expect(validation.ok).toBe(false);
      expect(validation.errors[0]).toMatchObject({ field: 'retention' });
      expect(validation.errors[0]?.message).toMatch(/keeps none of the 52 scheduled backups of a year/);
      await expect(engine.handlers.policies.create({ vault: 'days', policy: nothing }))
        .rejects.toMatchObject({ code: 'RULE_VIOLATION', field: 'retention' });
      const kept = { ...nothing, name: 'kept', retention: { monthly: { months: 3, day: 31 } } };
      expect((await engine.handlers.policies.validate({ policy: kept })).ok).toBe(true);
      const day = await engine.handlers.policies.validate({
        policy: { name: 'x', timeZone: 'UTC', schedule: saturday, retention: { weekly: { weeks: 1, day: 'monday' } } },
      });
      expect(day).toMatchObject({ ok: false, errors: [{ field: 'retention.weekly.day' }] });
      const defaults = await engine.handlers.policies.list({ vault: 'days' });
      const fallback = defaults.find((policy) => policy.isDefault);
      expect(fallback).toBeDefined();
      expect(await engine.handlers.policies.validate({ policy: fallback?.body })).toEqual({ ok: true, errors: [] });
    } finally {
      await engine.close();
    }
  });
});
