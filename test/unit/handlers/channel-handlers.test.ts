/**
 * The engine's handlers through the contract: the typed direct client sends each call
 * through dispatchChannel, which checks its input and its result against shared/contract.
 * A real in-process engine, vault and item.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChannelClient } from '../../../shared/contract/channels.ts';
import { createDirectClient } from '../../../shared/contract/direct-client.ts';
import { ErrorCodes } from '../../../shared/errors.ts';
import { FIXTURE_ITEM, FIXTURE_VAULT, useEngineFixture, type EngineFixture } from '../../support/engine-fixture.ts';

const makeFixture = useEngineFixture();

async function withClient(): Promise<{ f: EngineFixture; client: ChannelClient }> {
  const f = await makeFixture();
  return { f, client: createDirectClient(f.engine.handlers) };
}

describe('channel handlers', () => {
  it('app.info gives the package version and the face', async () => {
    const { client } = await withClient();
    const packageJson = join(import.meta.dirname, '..', '..', '..', 'package.json');
    const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
    expect(await client.app.info({})).toMatchObject({ version: pkg.version, face: 'cli' });
  });

  it('items.show and items.list translate a known item into its view; an unknown one is NOT_FOUND', async () => {
    const { client } = await withClient();
    expect(await client.items.show({ item: FIXTURE_ITEM }))
      .toMatchObject({ name: FIXTURE_ITEM, vaultName: FIXTURE_VAULT, state: 'protected' });
    expect((await client.items.list({ vault: FIXTURE_VAULT })).map((item) => item.name)).toEqual([FIXTURE_ITEM]);
    await expect(client.items.show({ item: 'vm9' }))
      .rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND, field: 'item' });
  });

  it('backup.now, jobs.wait, points.list and restore.disks run a backup and a restore end to end', async () => {
    const { f, client } = await withClient();
    const { jobId } = await client.backup.now({ item: FIXTURE_ITEM });
    expect(await client.jobs.wait({ id: jobId }))
      .toMatchObject({ id: jobId, status: 'completed', operation: 'backup' });
    const points = await client.points.list({ item: FIXTURE_ITEM });
    expect(points).toHaveLength(1);
    const point = points[0]!;
    expect(point.files.map((file) => file.name)).toEqual([basename(f.diskPath)]);
    const to = join(f.root, 'restored');
    const restore = await client.restore.disks({ item: FIXTURE_ITEM, point: point.id, to });
    expect(await client.jobs.wait({ id: restore.jobId })).toMatchObject({ status: 'completed', operation: 'restore' });
    expect(readFileSync(join(to, basename(f.diskPath))).equals(readFileSync(f.diskPath))).toBe(true);
    const jobs = await client.jobs.list({ vault: FIXTURE_VAULT });
    expect(jobs.map((job) => job.operation).sort()).toEqual(['backup', 'restore']);
  });

  it('input the contract refuses never reaches a handler: INVALID_INPUT naming the field', async () => {
    const { client } = await withClient();
    await expect(client.restore.disks({ item: FIXTURE_ITEM, point: 'p' } as never))
      .rejects.toMatchObject({ code: ErrorCodes.INVALID_INPUT, field: 'to' });
    await expect(client.items.protect({ vault: FIXTURE_VAULT, name: 'vm2', files: [] }))
      .rejects.toMatchObject({ code: ErrorCodes.INVALID_INPUT, field: 'files' });
    expect(await client.items.list({})).toHaveLength(1);
  });

  it('vaults.stats and vaults.verify report on the vault after a backup; no alert when all is well', async () => {
    const { client } = await withClient();
    const { jobId } = await client.backup.now({ item: FIXTURE_ITEM });
    await client.jobs.wait({ id: jobId });
    expect(await client.vaults.stats({ name: FIXTURE_VAULT })).toMatchObject({ items: 1, points: 1 });
    expect((await client.vaults.verify({ name: FIXTURE_VAULT, readData: true })).ok).toBe(true);
    expect(await client.alerts.list({})).toEqual([]);
  });
});
