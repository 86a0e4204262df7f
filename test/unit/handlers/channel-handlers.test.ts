/**
 * The engine's handlers through the contract (dispatchChannel checks each input and each
 * result against shared/contract): a real in-process engine, vault and item.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchChannel } from '../../../shared/contract/dispatch.ts';
import { ErrorCodes } from '../../../shared/errors.ts';
import type { EngineFixture } from '../../support/engine-fixture.ts';
import { FIXTURE_ITEM, FIXTURE_VAULT, makeEngineFixture } from '../../support/engine-fixture.ts';

let fixture: EngineFixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

type Outcome = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string; field?: string } };

async function call<T>(f: EngineFixture, channel: string, input: unknown): Promise<T> {
  const result = await dispatchChannel(f.engine.handlers, channel, input) as Outcome;
  if (!result.ok) throw new Error(`${channel} failed: ${result.error.code} ${result.error.message}`);
  return result.value as T;
}

async function refusal(f: EngineFixture, channel: string, input: unknown): Promise<{ code: string; field?: string; message: string }> {
  const result = await dispatchChannel(f.engine.handlers, channel, input) as Outcome;
  if (result.ok) throw new Error(`${channel} succeeded, a refusal was expected`);
  return result.error;
}

describe('channel handlers', () => {
  it('app.info gives the package version and the face', async () => {
    const f = fixture = await makeEngineFixture();
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(await call(f, 'app.info', {})).toMatchObject({ version: pkg.version, face: 'cli' });
  });

  it('items.show and items.list translate a known item into its view; an unknown one is NOT_FOUND', async () => {
    const f = fixture = await makeEngineFixture();
    const shown = await call<{ name: string; vaultName: string; state: string }>(f, 'items.show', { item: FIXTURE_ITEM });
    expect(shown).toMatchObject({ name: FIXTURE_ITEM, vaultName: FIXTURE_VAULT, state: 'protected' });
    const listed = await call<{ name: string }[]>(f, 'items.list', { vault: FIXTURE_VAULT });
    expect(listed.map((item) => item.name)).toEqual([FIXTURE_ITEM]);
    expect(await refusal(f, 'items.show', { item: 'vm9' })).toMatchObject({ code: ErrorCodes.NOT_FOUND, field: 'item' });
  });

  it('backup.now, jobs.wait, points.list and restore.disks run a backup and a restore end to end', async () => {
    const f = fixture = await makeEngineFixture();
    const { jobId } = await call<{ jobId: string }>(f, 'backup.now', { item: FIXTURE_ITEM });
    expect(await call(f, 'jobs.wait', { id: jobId })).toMatchObject({ id: jobId, status: 'completed', operation: 'backup' });
    const points = await call<{ id: string; files: { name: string }[] }[]>(f, 'points.list', { item: FIXTURE_ITEM });
    expect(points).toHaveLength(1);
    expect(points[0]?.files.map((file) => file.name)).toEqual([basename(f.diskPath)]);
    const to = join(f.root, 'restored');
    const restore = await call<{ jobId: string }>(f, 'restore.disks', { item: FIXTURE_ITEM, point: points[0]?.id, to });
    expect(await call(f, 'jobs.wait', { id: restore.jobId })).toMatchObject({ status: 'completed', operation: 'restore' });
    expect(readFileSync(join(to, basename(f.diskPath))).equals(readFileSync(f.diskPath))).toBe(true);
    const jobs = await call<{ operation: string }[]>(f, 'jobs.list', { vault: FIXTURE_VAULT });
    expect(jobs.map((job) => job.operation).sort()).toEqual(['backup', 'restore']);
  });

  it('input the contract refuses never reaches a handler: INVALID_INPUT naming the field', async () => {
    const f = fixture = await makeEngineFixture();
    expect(await refusal(f, 'restore.disks', { item: FIXTURE_ITEM, point: 'p' })).toMatchObject({ code: ErrorCodes.INVALID_INPUT, field: 'to' });
    expect(await refusal(f, 'items.protect', { vault: FIXTURE_VAULT, name: 'vm2', files: [] }))
      .toMatchObject({ code: ErrorCodes.INVALID_INPUT, field: 'files' });
    expect(await refusal(f, 'no.such', {})).toMatchObject({ code: ErrorCodes.INVALID_INPUT });
    expect(await call<unknown[]>(f, 'items.list', {})).toHaveLength(1);
  });

  it('vaults.stats and vaults.verify report on the vault after a backup; alerts.list is empty when all is well', async () => {
    const f = fixture = await makeEngineFixture();
    const { jobId } = await call<{ jobId: string }>(f, 'backup.now', { item: FIXTURE_ITEM });
    await call(f, 'jobs.wait', { id: jobId });
    const stats = await call<Record<string, number>>(f, 'vaults.stats', { name: FIXTURE_VAULT });
    expect(stats).toMatchObject({ items: 1, points: 1 });
    const report = await call<{ ok: boolean }>(f, 'vaults.verify', { name: FIXTURE_VAULT, readData: true });
    expect(report.ok).toBe(true);
    expect(await call(f, 'alerts.list', {})).toEqual([]);
  });
});
